//go:build ops

// Package ops checks what an operator of Gongyak relies on, on the real
// suite run as `make run` runs it: that one request is one trace in a real
// Jaeger (jaeger_test.go), and that a backup taken with PostgreSQL's own
// tools, restored into a new cluster, serves the same cards
// (backup_test.go). Each test starts `gongyak run` with a data folder and
// ports of its own; the tests run one at a time (`make test-ops`, which
// also builds Jaeger), and the build tag keeps them out of `make test`.
package ops

import (
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/e2e/internal/harness"
)

// binDir holds the suite's binaries, built once for the run.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(harness.WithBinaries("ops", nil, func(bin string) int { binDir = bin; return m.Run() }))
}

// imported is the line in which `gongyak run` names the demo pledge.
var imported = regexp.MustCompile(`imported the demo card: .* \((districts/gwangsan/pledges/[^)\s]+)\)`)

// runningSuite is `gongyak run` started by a test.
type runningSuite struct{ *harness.Run }

// suiteOptions say how to start a suite.
type suiteOptions struct {
	// data is a data folder prepared by the test (the keys of a restored
	// suite); a new one when empty. It is removed when the suite stops.
	data string
	// env is added to gongyak run's environment, which its children
	// inherit.
	env []string
}

// startSuite starts `gongyak run` on a data folder and ports of its own and
// waits for its banner. It is stopped, as Ctrl-C stops it, when t ends if
// not before.
func startSuite(t *testing.T, opts suiteOptions) *runningSuite {
	t.Helper()
	run, err := harness.Start(harness.Options{Bin: binDir, Data: opts.data, Env: opts.env})
	s := &runningSuite{run}
	if run != nil {
		t.Cleanup(func() { s.stop(t) })
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// demoPledge is the name of the pledge the demo card made, as the suite
// said when it imported it.
func (s *runningSuite) demoPledge(t *testing.T) string {
	t.Helper()
	m := imported.FindStringSubmatch(s.Out.String())
	if m == nil {
		t.Fatalf("gongyak run did not say it imported the demo card:\n%s", s.Out.Tail(60))
	}
	return m[1]
}

// stop sends what Ctrl-C sends, waits for the suite to end and removes its
// data folder; when the test failed it shows what gongyak run said first.
func (s *runningSuite) stop(t *testing.T) {
	if err := s.Stop(90 * time.Second); err != nil {
		t.Errorf("stopping gongyak run: %v", err)
	}
	if t.Failed() {
		t.Logf("the end of what gongyak run said:\n%s", s.Out.Tail(80))
	}
}

// reply is an answer of the gateway.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request to the gateway: with the admin key unless anonymous,
// body (JSON) when not empty, and the header pairs given.
func (s *runningSuite) call(t *testing.T, method, path, body string, anonymous bool, header ...string) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.Base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if !anonymous {
		req.Header.Set("Authorization", "Bearer "+s.Key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: raw}
}

// must fails t unless the answer is 200, and returns its body.
func (r reply) must(t *testing.T, what string) []byte {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %s", what, r.status, r.body)
	}
	return r.body
}

// freePorts returns n different ports that were free a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports, err := harness.FreePorts(n)
	if err != nil {
		t.Fatal(err)
	}
	return ports
}
