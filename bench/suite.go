package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/suite"
)

// running is the suite `gongyak run` started for the bench, and where to
// reach its parts.
type running struct {
	proc   *suite.Process
	data   string
	http   string // host:port of the REST gateway
	pledge string // host:port of the pledge service's gRPC
	pgPort int
	key    string // the development admin API key
}

// startSuite builds the binaries into bin, starts `gongyak run --scale`
// on data with free ports, and waits until the scale is loaded (or found
// loaded). The caller stops it.
func startSuite(ctx context.Context, root, bin, data, scale string) (*running, error) {
	bctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	// The suite builds in the workspace, not in this module (which make
	// bench runs with GOWORK=off).
	if err := os.Chdir(root); err != nil {
		return nil, err
	}
	if err := os.Setenv("GOWORK", filepath.Join(root, "go.work")); err != nil {
		return nil, err
	}
	if err := suite.Build(bctx, bin, append(append([]suite.Binary{}, suite.Services...), suite.Gateway, suite.Command)...); err != nil {
		return nil, fmt.Errorf("building: %w", err)
	}
	r := &running{data: data}
	// The bench is one client address with one key by design; the
	// gateway's per-address and per-key rate limits, which stop one client
	// from crowding out the rest, would measure themselves.
	env := []string{"GONGYAK_RATE_LIMIT=0", "GONGYAK_KEY_RATE_LIMIT=0"}
	for _, name := range []string{"PLEDGE", "BUDGET", "INDICATOR", "PARTICIPATION", "HTTP", "IDP", "PG"} {
		port, err := pgcluster.FreePort()
		if err != nil {
			return nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		switch name {
		case "PG":
			r.pgPort = port
			env = append(env, "GONGYAK_PG_PORT="+strconv.Itoa(port))
			continue
		case "HTTP":
			r.http = addr
		case "PLEDGE":
			r.pledge = addr
		}
		env = append(env, "GONGYAK_"+name+"_ADDR="+addr)
	}
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	lines, err := suite.NewScaleLog(filepath.Join(data, "bench-run.log"))
	if err != nil {
		return nil, err
	}
	p, err := suite.Start("gongyak", filepath.Join(bin, "gongyak"), []string{"run", "--bin", bin, "--data", data, "--metrics-port", "0",
		"--demo-card", filepath.Join(root, "services/pledge/testdata/cards/000_f92421f269c71dea.txt"),
		"--scale", scale}, env, lines, false)
	if err != nil {
		return nil, err
	}
	r.proc = p
	say("gongyak run --scale %s on %s (its output in %s)", scale, data, lines.Name())
	wctx, cancel := context.WithTimeoutCause(ctx, 4*time.Minute, errors.New("not within 4 minutes"))
	defer cancel()
	if err := lines.WaitLoaded(wctx, p, func(line string) { say("%s", line) }); err != nil {
		return r, err
	}
	key, err := os.ReadFile(filepath.Join(data, "admin.key"))
	r.key = strings.TrimSpace(string(key))
	return r, err
}

// stop stops the suite; gongyak run stops its parts in order.
func (r *running) stop() {
	if r == nil || r.proc == nil {
		return
	}
	if err := r.proc.Stop(time.Minute); err != nil {
		say("stopping the suite: %v", err)
	}
}

// superPassword is the PostgreSQL superuser's password gongyak run keeps.
func (r *running) superPassword() (string, error) {
	b, err := os.ReadFile(filepath.Join(r.data, "passwords", pgcluster.Superuser))
	return strings.TrimSpace(string(b)), err
}
