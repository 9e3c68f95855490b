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
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/suite"
)

// buildTags are the build tags of the binaries under test: faultinject
// compiles in the pledge service's crash hooks, which sleep until a test
// arms them.
var buildTags []string

// binDir holds the binaries built once for the run.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gongyak-faults-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	err = suite.BuildTagged(ctx, dir, buildTags, append(append([]suite.Binary{}, suite.Services...), suite.Gateway, suite.Command)...)
	cancel()
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults: building the binaries:", err)
	} else {
		binDir = dir
		code = m.Run()
	}
	os.RemoveAll(dir) // os.Exit skips deferred calls
	os.Exit(code)
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
const demoCard = "../../services/pledge/testdata/cards/000_f92421f269c71dea.txt"

// runningSuite is `gongyak run` started by a test.
type runningSuite struct {
	// base is the gateway's URL; key is the development admin API key.
	base, key string
	// data is the run's data folder: pids/, logs/, postgres/.
	data  string
	addrs map[string]string
	proc  *suite.Process
	out   *output
	http  *http.Client
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
	data, err := os.MkdirTemp("", "gongyak-faults-data-")
	if err != nil {
		t.Fatal(err)
	}
	// PostgreSQL runs as the postgres user when the tests run as root: it
	// must be let into the folder.
	if err := os.Chmod(data, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &runningSuite{data: data, addrs: map[string]string{}, out: &output{},
		http: &http.Client{Timeout: 40 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	// No DATABASE_URL: the suite starts PostgreSQL of its own.
	env := []string{"DATABASE_URL=", "OTEL_EXPORTER_OTLP_ENDPOINT=", "GONGYAK_LOG_LEVEL=info",
		// The load comes from one address with one key, faster than a
		// client would send: the edge's limits are not under test.
		"GONGYAK_RATE_LIMIT=0", "GONGYAK_KEY_RATE_LIMIT=0", "GONGYAK_MAX_CONNECTIONS_PER_CLIENT=0"}
	for _, name := range services {
		env = append(env, "GONGYAK_"+strings.ToUpper(name)+"_DATABASE_URL=")
	}
	ports := freePorts(t, len(services)+4)
	for i, name := range append([]string{"http", "idp", "nats"}, services...) {
		s.addrs[name] = fmt.Sprintf("127.0.0.1:%d", ports[i])
		env = append(env, "GONGYAK_"+strings.ToUpper(name)+"_ADDR="+s.addrs[name])
	}
	env = append(env, "GONGYAK_PG_PORT="+strconv.Itoa(ports[len(ports)-1]))
	env = append(env, opts.env...)
	s.base = "http://" + s.addrs["http"]

	s.proc, err = suite.Start("gongyak", filepath.Join(binDir, "gongyak"),
		[]string{"run", "--bin", binDir, "--data", data, "--demo-card", demoCard, "--metrics-port", "0"}, env, s.out, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(s.out.String(), "Gongyak is running.") {
		select {
		case <-s.proc.Done():
			t.Fatalf("gongyak run exited while starting (%v):\n%s", s.proc.Err(), s.out.tail(60))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("gongyak run did not start within 3 minutes:\n%s", s.out.tail(60))
		}
		time.Sleep(100 * time.Millisecond)
	}
	raw, err := os.ReadFile(filepath.Join(data, "admin.key"))
	if err != nil {
		t.Fatalf("no admin key: %v", err)
	}
	s.key = strings.TrimSpace(string(raw))
	return s
}

// freePorts returns n different ports that were free a moment ago: the
// system may hand out a port it has just handed out, once it is closed.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for len(ports) < n {
		port, err := pgcluster.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(ports, port) {
			ports = append(ports, port)
		}
	}
	return ports
}

// stop sends what Ctrl-C sends, waits for the suite to end, and removes
// its data folder; when the test failed it shows what the supervisor said
// and the end of each part's log first.
func (s *runningSuite) stop(t *testing.T) {
	if err := s.proc.Stop(90 * time.Second); err != nil {
		t.Errorf("stopping gongyak run: %v", err)
	}
	if t.Failed() {
		t.Logf("gongyak run said (supervisor and gongyak's own lines):\n%s", s.out.own())
		for _, name := range parts {
			raw, _ := os.ReadFile(filepath.Join(s.data, "logs", name+".log"))
			t.Logf("the end of %s.log:\n%s", name, lastLines(string(raw), 15))
		}
	}
	os.RemoveAll(s.data)
}

// pid is the named part's pid now, 0 while it is down.
func (s *runningSuite) pid(name string) int {
	raw, err := os.ReadFile(filepath.Join(s.data, "pids", name))
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
	pid := s.signal(t, name, syscall.SIGSTOP)
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) }) //nolint:errcheck // resumed already, or gone
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
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/readyz", nil)
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
	return strings.Count(s.out.String(), "supervisor| "+name+" started again")
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
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.key)
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
func (r reply) str(path string) string {
	v, _ := r.get(path).(string)
	return v
}

func (r reply) get(path string) any {
	var cur any = r.body
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// output keeps what gongyak run printed.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

func (o *output) tail(n int) string { return lastLines(o.String(), n) }

// own is what gongyak run itself and its supervisor said, without its
// children's lines.
func (o *output) own() string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(o.String()))
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

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
