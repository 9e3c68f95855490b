// Package harness is what the end-to-end suites (e2e, e2e/faults,
// e2e/ops, e2e/browser) share to run Gongyak as it is deployed: the
// binaries built once for a test run (WithBinaries), `gongyak run` started
// as `make run` starts it, on a data folder and ports of its own (Start),
// and what a process printed, kept for a test to read (Output). Each suite
// keeps only what is its own: the fault tests kill and restart the parts,
// the operations tests run Jaeger, the browser tests run chromium.
package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/suite"
)

// buildTimeout is how long building every binary may take: minutes on a
// cold cache and a busy machine.
const buildTimeout = 10 * time.Minute

// WithBinaries builds every binary of the suite (the services, the gateway
// and gongyak) with the build tags into a new folder, calls run with it,
// and removes it (140 MB) before returning run's exit code; a failed build
// is said on stderr, prefixed with name, and is exit code 1. It is meant
// for TestMain, whose os.Exit would skip a deferred removal:
//
//	func TestMain(m *testing.M) {
//		os.Exit(harness.WithBinaries("ops", nil, func(bin string) int { binDir = bin; return m.Run() }))
//	}
func WithBinaries(name string, tags []string, run func(bin string) int) int {
	dir, err := os.MkdirTemp("", "gongyak-"+name+"-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	bins := append(append([]suite.Binary{}, suite.Services...), suite.Gateway, suite.Command)
	if err := suite.BuildTagged(ctx, dir, tags, bins...); err != nil {
		fmt.Fprintln(os.Stderr, name+": building the binaries:", err)
		return 1
	}
	return run(dir)
}

// FreePorts returns n different loopback ports that were free a moment
// ago: the system may hand out again a port it has just handed out, once
// it is closed, so each is asked for until it differs from the others.
func FreePorts(n int) ([]int, error) {
	var ports []int
	for len(ports) < n {
		port, err := pgcluster.FreePort()
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ports, port) {
			ports = append(ports, port)
		}
	}
	return ports, nil
}

// Output keeps what a process printed, for a test to read while the
// process still writes. The zero Output is ready to use.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

// String is everything printed so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Tail is the last n lines printed so far.
func (o *Output) Tail(n int) string { return LastLines(o.String(), n) }

// LastLines is the last n lines of s.
func LastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
