//go:build faults

// Package faults breaks a running suite on purpose and checks what its
// users would see: each test runs `gongyak run` as `make run` does — its
// own PostgreSQL cluster in a data folder of its own, its own ports, the
// binaries built for this run — puts a write load on it through the
// gateway, and kills, stops or restarts a part of it. The tests run one at
// a time (`make test-faults`), never beside the other packages, whose
// shared PostgreSQL they would disturb; the build tag keeps them out of
// `make test`.
//
// The harness gives a test a started suite (startSuite): its base URL and
// admin key, each part's pid, signals to send it, the supervisor's
// restarts, and the write load of load_test.go with what it sent, what was
// acknowledged and what is found afterwards.
//
// Tests (d) and (e), of the card import, belong beside the others in
// import_test.go: build the binaries with the faultinject tag (buildTags),
// arm the pledge service's crash hook through suiteOptions.env, and use
// startSuite, kill, waitBack, call and must as (a) does.
package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gongyak/gongyak/e2e/internal/harness"
	"github.com/gongyak/gongyak/pkg/suite"
)

// buildTags are the build tags of the binaries under test: faultinject
// compiles in the pledge service's crash hooks, which sleep until a test
// arms them.
var buildTags []string

// binDir holds the binaries built once for the run.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(harness.WithBinaries("faults", buildTags, func(bin string) int { binDir = bin; return m.Run() }))
}

// The parts of a suite, as named in its pids folder. The services are
// those gongyak run supervises (suite.Services), so that a service added
// to the suite — the events service, with its webhook dispatcher — gets
// ports of its own here and is watched by every test.
var (
	services = serviceNames()
	parts    = append([]string{"postgres", "nats", "idp", "gateway"}, services...)
)

func serviceNames() []string {
	var names []string
	for _, b := range suite.Services {
		names = append(names, b.Name)
	}
	return names
}

// demoCard is the card `gongyak run` imports on its first start.
const demoCard = "../../" + harness.DemoCard

// runningSuite is `gongyak run` started by a test, with a client of its
// gateway.
type runningSuite struct {
	*harness.Run
	http *http.Client
}

// suiteOptions say how to start a suite.
type suiteOptions struct {
	// env is added to gongyak run's environment, which its children
	// inherit: a test's settings or a fault hook's trigger.
	env []string
}

// startSuite starts `gongyak run` on a data folder and ports of its own and
// waits for its banner. It is stopped, as Ctrl-C stops it, when t ends.
func startSuite(t *testing.T, opts suiteOptions) *runningSuite {
	t.Helper()
	// The load comes from one address with one key, faster than a client
	// would send: the edge's limits are not under test.
	env := append([]string{"GONGYAK_RATE_LIMIT=0", "GONGYAK_KEY_RATE_LIMIT=0", "GONGYAK_MAX_CONNECTIONS_PER_CLIENT=0"}, opts.env...)
	run, err := harness.Start(harness.Options{Bin: binDir, Env: env})
	s := &runningSuite{Run: run,
		http: &http.Client{Timeout: 40 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	if run != nil {
		t.Cleanup(func() { s.stop(t) })
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stop sends what Ctrl-C sends, waits for the suite to end, and removes
// its data folder; when the test failed it shows what the supervisor said
// and the end of each part's log first.
func (s *runningSuite) stop(t *testing.T) {
	if err := s.Proc.Stop(90 * time.Second); err != nil {
		t.Errorf("stopping gongyak run: %v", err)
	}
	if t.Failed() {
		t.Logf("gongyak run said (supervisor and gongyak's own lines):\n%s", s.own())
		for _, name := range parts {
			raw, _ := os.ReadFile(filepath.Join(s.Data, "logs", name+".log"))
			t.Logf("the end of %s.log:\n%s", name, harness.LastLines(string(raw), 15))
		}
	}
	s.Stop(0) //nolint:errcheck // said above: this only removes the data folder
}

// pid is the named part's pid now, 0 while it is down.
func (s *runningSuite) pid(name string) int {
	raw, err := os.ReadFile(filepath.Join(s.Data, "pids", name))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	return pid
}

// pids are the pids of the named parts now.
func (s *runningSuite) pids(names ...string) map[string]int {
	got := map[string]int{}
	for _, name := range names {
		got[name] = s.pid(name)
	}
	return got
}

// signal sends sig to the named part and returns the pid it went to.
func (s *runningSuite) signal(t *testing.T, name string, sig syscall.Signal) int {
	t.Helper()
	pid := s.pid(name)
	if pid == 0 {
		t.Fatalf("%s has no pid file: is it down?", name)
	}
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatalf("%v to %s (pid %d): %v", sig, name, pid, err)
	}
	t.Logf("sent %v to %s (pid %d)", sig, name, pid)
	return pid
}

// kill is kill -9 of the named part.
func (s *runningSuite) kill(t *testing.T, name string) int { return s.signal(t, name, syscall.SIGKILL) }

// pause stops the named part (SIGSTOP) as a hung process would be, until
// resume; it is resumed when t ends in any case.
func (s *runningSuite) pause(t *testing.T, name string) int {
	t.Helper()
	pid := s.pid(name)
	if pid == 0 {
		t.Fatalf("%s has no pid file: is it down?", name)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) }) //nolint:errcheck // resumed already, or gone
	// Stop returns once every thread is stopped, not merely signalled.
	if err := harness.Stop(pid); err != nil {
		t.Fatalf("SIGSTOP to %s (pid %d): %v", name, pid, err)
	}
	t.Logf("sent SIGSTOP to %s (pid %d): every thread stopped", name, pid)
	return pid
}

func (s *runningSuite) resume(t *testing.T, name string) int {
	return s.signal(t, name, syscall.SIGCONT)
}

// restartPostgres shuts PostgreSQL down as `pg_ctl stop -m fast` does
// (open transactions roll back, every connection is closed) — or, crash
// set, kills it — and lets the supervisor start it again. It returns the
// old pid.
func (s *runningSuite) restartPostgres(t *testing.T, crash bool) int {
	t.Helper()
	if crash {
		return s.kill(t, "postgres")
	}
	return s.signal(t, "postgres", syscall.SIGINT)
}

// comeback is how a part came back after a fault.
type comeback struct {
	// took is from the fault to the part running again, under a new pid,
	// with every backend serving.
	took time.Duration
	pid  int
	// notReady: the gateway's readiness said not ready meanwhile;
	// named: it named the part as not serving.
	notReady, named bool
}

// waitBack waits until the named part runs again under another pid than
// old and the gateway's readiness says every backend serves, watching the
// readiness meanwhile. It fails t when that takes longer than within
// from since.
func (s *runningSuite) waitBack(t *testing.T, name string, old int, since time.Time, within time.Duration) comeback {
	t.Helper()
	var c comeback
	for {
		status, body := s.readinessOf()
		if status != http.StatusOK {
			c.notReady = true
			c.named = c.named || slices.Contains(notServing(body), name)
		}
		if pid := s.pid(name); pid != 0 && pid != old && status == http.StatusOK {
			c.took, c.pid = time.Since(since), pid
			return c
		}
		if time.Since(since) > within {
			t.Fatalf("%s not back within %s: pid %d (was %d), readiness %d %s", name, within, s.pid(name), old, status, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readinessOf is what the gateway's /readyz answers: 0 and why when it
// does not answer.
func (s *runningSuite) readinessOf() (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Base+"/readyz", nil)
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

// notServing are the backends a readiness answer names as not serving.
func notServing(body string) []string {
	var r struct {
		Backends map[string]struct{ Status string } `json:"backends"`
	}
	json.Unmarshal([]byte(body), &r) //nolint:errcheck // no backends named then
	var down []string
	for name, b := range r.Backends {
		if b.Status != "SERVING" {
			down = append(down, name)
		}
	}
	return down
}

// restarts is how many times the supervisor said it started the named
// part again.
func (s *runningSuite) restarts(name string) int {
	return strings.Count(s.Out.String(), "supervisor| "+name+" started again")
}

// reply is an answer of the gateway, its JSON body decoded.
type reply struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// call sends a request to the gateway with the admin key; body, when not
// nil, is sent as JSON. It fails only when no answer came: safe to use
// from a load's goroutines.
func (s *runningSuite) call(ctx context.Context, method, path string, body any) (reply, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.Base+path, rd)
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.Key)
	resp, err := s.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode, header: resp.Header}
	if r.raw, err = io.ReadAll(resp.Body); err != nil {
		return r, err
	}
	if len(r.raw) > 0 {
		json.Unmarshal(r.raw, &r.body) //nolint:errcheck // r.raw says what came
	}
	return r, nil
}

// must calls and fails t unless the answer is 200.
func (s *runningSuite) must(t *testing.T, method, path string, body any) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	r, err := s.call(ctx, method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if r.status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, r.status, r.raw)
	}
	return r
}

// str reads a string at a dotted path of the body.
func (r reply) str(path string) string { return harness.Body(r.body).Str(path) }

// get reads the value at a dotted path of the body.
func (r reply) get(path string) any { return harness.Body(r.body).Get(path) }

// own is what gongyak run itself and its supervisor said, without its
// children's lines.
func (s *runningSuite) own() string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s.Out.String()))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if name, _, ok := strings.Cut(line, "| "); ok && slices.Contains(parts, strings.TrimSpace(name)) {
			continue
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
