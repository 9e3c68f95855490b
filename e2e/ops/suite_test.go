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
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/suite"
)

// binDir holds the suite's binaries, built once for the run.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gongyak-ops-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	err = suite.Build(ctx, dir, append(append([]suite.Binary{}, suite.Services...), suite.Gateway, suite.Command)...)
	cancel()
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, "ops: building the binaries:", err)
	} else {
		binDir = dir
		code = m.Run()
	}
	os.RemoveAll(dir) // os.Exit skips deferred calls
	os.Exit(code)
}

// demoCard is the card `gongyak run` imports on its first start.
const demoCard = "../../services/pledge/testdata/cards/000_f92421f269c71dea.txt"

// imported is the line in which `gongyak run` names the demo pledge.
var imported = regexp.MustCompile(`imported the demo card: .* \((districts/gwangsan/pledges/[^)\s]+)\)`)

// runningSuite is `gongyak run` started by a test.
type runningSuite struct {
	// base is the gateway's URL; key the admin API key in the data folder.
	base, key string
	// data is the run's data folder; pgPort its own cluster's port.
	data   string
	pgPort int
	proc   *suite.Process
	out    *output
	once   sync.Once
}

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
	data := opts.data
	if data == "" {
		var err error
		if data, err = os.MkdirTemp("", "gongyak-ops-data-"); err != nil {
			t.Fatal(err)
		}
	}
	// PostgreSQL runs as the postgres user when the tests run as root: it
	// must be let into the folder.
	if err := os.Chmod(data, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &runningSuite{data: data, out: &output{}}
	// The test's settings alone: nothing of the caller's environment says
	// where the database, NATS or the traces go.
	env := []string{"DATABASE_URL=", "GONGYAK_NATS_URL=", "OTEL_EXPORTER_OTLP_ENDPOINT=", "GONGYAK_LOG_LEVEL=info"}
	for _, b := range suite.Services {
		env = append(env, "GONGYAK_"+strings.ToUpper(b.Name)+"_DATABASE_URL=")
	}
	names := []string{"http", "idp", "nats"}
	for _, b := range suite.Services {
		names = append(names, b.Name)
	}
	ports := freePorts(t, len(names)+1)
	for i, name := range names {
		env = append(env, fmt.Sprintf("GONGYAK_%s_ADDR=127.0.0.1:%d", strings.ToUpper(name), ports[i]))
	}
	s.base = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	s.pgPort = ports[len(ports)-1]
	env = append(env, "GONGYAK_PG_PORT="+strconv.Itoa(s.pgPort))
	env = append(env, opts.env...)

	var err error
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

// demoPledge is the name of the pledge the demo card made, as the suite
// said when it imported it.
func (s *runningSuite) demoPledge(t *testing.T) string {
	t.Helper()
	m := imported.FindStringSubmatch(s.out.String())
	if m == nil {
		t.Fatalf("gongyak run did not say it imported the demo card:\n%s", s.out.tail(60))
	}
	return m[1]
}

// stop sends what Ctrl-C sends, waits for the suite to end and removes its
// data folder; when the test failed it shows what gongyak run said first.
// Only the first call does anything.
func (s *runningSuite) stop(t *testing.T) {
	s.once.Do(func() {
		if err := s.proc.Stop(90 * time.Second); err != nil {
			t.Errorf("stopping gongyak run: %v", err)
		}
		if t.Failed() {
			t.Logf("the end of what gongyak run said:\n%s", s.out.tail(80))
		}
		os.RemoveAll(s.data)
	})
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
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if !anonymous {
		req.Header.Set("Authorization", "Bearer "+s.key)
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

// output keeps what a process printed.
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

// tail is the last n lines printed.
func (o *output) tail(n int) string {
	lines := strings.Split(strings.TrimRight(o.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
