// Package e2e tests the suite as it is deployed: the real binaries as
// processes, on a real PostgreSQL, spoken to over HTTP, with their traces
// sent to an OTLP receiver the tests run.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/e2e/internal/harness"
	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/suite"
)

// binDir holds the binaries built once for the run.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(harness.WithBinaries("e2e", nil, func(bin string) int { binDir = bin; return pgtest.Run(m) }))
}

// running is a started suite.
type running struct {
	base   string // the gateway's URL
	dbURL  string
	addrs  map[string]string
	logs   map[string]*harness.Output
	procs  map[string]*suite.Process
	client *http.Client
	// idp is the suite's development OpenID provider, which every service
	// trusts as the system issuer.
	idp *idp
	// nats is the NATS server (embedded in the test process) the services
	// publish their change events to.
	nats *eventbus.Server
	// metrics are where each process serves /metrics, by name, when the
	// suite was started with metrics.
	metrics map[string]string
	// credential is what call presents unless told otherwise: the system
	// admin's token.
	credential string
}

// startSuite starts the named services and the gateway as processes on a
// fresh database and free ports, exporting traces to otlp when it is not
// empty. Everything stops when t ends.
func startSuite(t *testing.T, otlp string, services ...string) *running {
	t.Helper()
	return startSuiteWith(t, suiteOptions{otlp: otlp, services: services})
}

// suiteOptions say how to start a suite for a test.
type suiteOptions struct {
	otlp     string
	services []string
	// env is added to every process's environment, after the harness's
	// own (a later value wins).
	env []string
	// tls: the services speak TLS, so the suite is waited for through the
	// gateway's readiness, which asks them over it.
	tls bool
	// metrics: each process serves its metrics on a port of its own
	// (GONGYAK_METRICS_ADDR), found in running.metrics.
	metrics bool
	// databaseVia names, by service, the address (host:port) through which
	// the service reaches the database instead of the server's own: a
	// proxy the test takes away.
	databaseVia map[string]string
}

// startSuiteWith starts a suite as opts say.
func startSuiteWith(t *testing.T, opts suiteOptions) *running {
	t.Helper()
	otlp, services := opts.otlp, opts.services
	r := &running{
		dbURL:  newServicesDatabase(t),
		addrs:  map[string]string{},
		logs:   map[string]*harness.Output{},
		procs:  map[string]*suite.Process{},
		client: &http.Client{Timeout: 30 * time.Second},
		idp:    startIDP(t),
		nats:   startNATS(t),
	}
	env := append(serviceDatabaseURLs(r.dbURL), "GONGYAK_LOG_LEVEL=debug", "GONGYAK_CITIZEN_KEY=e2e-citizen-key-0123456789abcdef0123456789",
		// Every test's requests come from 127.0.0.1 with one credential,
		// dozens of citizens' ballots at once among them: more than one
		// client would open or send.
		"GONGYAK_MAX_CONNECTIONS_PER_CLIENT=256", "GONGYAK_RATE_LIMIT=1000", "GONGYAK_KEY_RATE_LIMIT=1000",
		"GONGYAK_OIDC_ISSUERS="+r.idp.issuer+"=*", "GONGYAK_API_KEY_CACHE_TTL="+keyCacheTTL.String(),
		"GONGYAK_NATS_URL="+r.nats.URL(),
		// The suite's webhook receivers listen on loopback.
		"GONGYAK_WEBHOOK_ALLOW_PRIVATE=1")
	if otlp != "" {
		env = append(env, "OTEL_EXPORTER_OTLP_ENDPOINT="+otlp, "OTEL_BSP_SCHEDULE_DELAY=50")
	}
	env = append(env, opts.env...)
	for name, addr := range opts.databaseVia {
		u, err := url.Parse(pgtest.ServiceURL(r.dbURL, name))
		if err != nil {
			t.Fatal(err)
		}
		u.Host = addr
		env = append(env, "GONGYAK_"+strings.ToUpper(name)+"_DATABASE_URL="+u.String())
	}
	// A port just let go may be handed out again: each process gets one
	// (and, with metrics, another) no other was given.
	given := map[int]bool{}
	freeAddr := func() string {
		port, err := pgcluster.FreePort()
		for err == nil && given[port] {
			port, err = pgcluster.FreePort()
		}
		if err != nil {
			t.Fatal(err)
		}
		given[port] = true
		return fmt.Sprintf("127.0.0.1:%d", port)
	}
	if opts.metrics {
		r.metrics = map[string]string{}
	}
	for _, b := range append(append([]suite.Binary{}, suite.Services...), suite.Gateway) {
		r.addrs[b.Name] = freeAddr()
		env = append(env, b.AddrEnv+"="+r.addrs[b.Name])
		if opts.metrics {
			r.metrics[b.Name] = freeAddr()
		}
	}
	r.base = "http://" + r.addrs["gateway"]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := func(b suite.Binary) *suite.Process {
		logs := &harness.Output{}
		env := env
		if addr := r.metrics[b.Name]; addr != "" {
			env = append(env[:len(env):len(env)], "GONGYAK_METRICS_ADDR="+addr)
		}
		p, err := suite.Start(b.Name, filepath.Join(binDir, b.Name), nil, env, logs, false)
		if err != nil {
			t.Fatal(err)
		}
		r.logs[b.Name], r.procs[b.Name] = logs, p
		t.Cleanup(func() {
			if err := p.Stop(15 * time.Second); err != nil {
				t.Errorf("stopping %s: %v", b.Name, err)
			}
			if t.Failed() {
				t.Logf("%s log:\n%s", b.Name, logs.String())
			}
		})
		return p
	}
	for _, b := range suite.Services {
		if !contains(services, b.Name) {
			continue
		}
		p := start(b)
		if opts.tls {
			continue
		}
		if err := suite.WaitGRPC(ctx, p, r.addrs[b.Name]); err != nil {
			t.Fatal(err)
		}
	}
	ready := "/healthz"
	if opts.tls {
		ready = "/readyz"
	}
	if err := suite.WaitHTTP(ctx, start(suite.Gateway), r.base+ready); err != nil {
		t.Fatal(err)
	}
	r.credential = r.idp.token(t, "admin")
	return r
}

// startNATS starts NATS with the stream of change events in the test
// process, on a free port; it stops when t ends.
func startNATS(t *testing.T) *eventbus.Server {
	t.Helper()
	srv, err := suite.StartNATS(t.Context(), "127.0.0.1:0", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return srv
}

// keyCacheTTL is how long the e2e services remember an API key's check:
// short, so that a revoked key is seen refused quickly.
const keyCacheTTL = 2 * time.Second

// as is r calling with another credential: a user's token (by the e2e
// username) or an API key.
func (r *running) as(t *testing.T, who string) *running {
	t.Helper()
	c := *r
	c.credential = who
	if !strings.HasPrefix(who, "gyk_") && who != "" {
		c.credential = r.idp.token(t, who)
	}
	return &c
}

// newServicesDatabase creates a fresh database holding every service's
// schema, empty and owned by the service's role, as `gongyak run` prepares
// its own: each service migrates it when it starts. It returns the admin's
// URL, to look at the data behind the services' backs.
func newServicesDatabase(t *testing.T) string {
	t.Helper()
	var schemas []pgtest.Schema
	for _, b := range suite.Services {
		schemas = append(schemas, pgtest.Schema{Name: b.Name})
	}
	return pgtest.NewDatabase(t, schemas...)
}

// serviceDatabaseURLs gives each service its own URL on the database at
// dbURL, connecting as its role. The services need no DATABASE_URL.
func serviceDatabaseURLs(dbURL string) []string {
	var env []string
	for _, b := range suite.Services {
		env = append(env, "GONGYAK_"+strings.ToUpper(b.Name)+"_DATABASE_URL="+pgtest.ServiceURL(dbURL, b.Name))
	}
	return env
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// response is an HTTP answer with its JSON body decoded.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// call sends a request to the gateway; body may be nil, a string or
// []byte (sent as is) or anything else (sent as JSON).
func (r *running) call(t *testing.T, method, path string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, r.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	// The gateway refuses a write without a credential. Until the services
	// verify credentials, any will do.
	if r.credential != "" {
		req.Header.Set("Authorization", bearer(r.credential))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out := response{status: resp.StatusCode, header: resp.Header}
	out.raw, _ = io.ReadAll(resp.Body)
	if len(out.raw) > 0 {
		if err := json.Unmarshal(out.raw, &out.body); err != nil {
			t.Fatalf("%s %s answered %d with a body that is not JSON: %q", method, path, resp.StatusCode, out.raw)
		}
	}
	return out
}

// must fails unless the response has the status.
func (resp response) must(t *testing.T, status int) response {
	t.Helper()
	if resp.status != status {
		t.Fatalf("status %d, want %d: %s", resp.status, status, resp.raw)
	}
	return resp
}

// str reads a string at a dotted path of the body.
func (resp response) str(path string) string { return harness.Body(resp.body).Str(path) }

// get reads the value at a dotted path of the body.
func (resp response) get(path string) any { return harness.Body(resp.body).Get(path) }

// violations returns the fields an error body's BadRequest names.
func (resp response) violations() []string {
	var fields []string
	details, _ := resp.body["details"].([]any)
	for _, d := range details {
		dm, _ := d.(map[string]any)
		if dm["@type"] != "type.googleapis.com/google.rpc.BadRequest" {
			continue
		}
		fvs, _ := dm["fieldViolations"].([]any)
		for _, fv := range fvs {
			m, _ := fv.(map[string]any)
			f, _ := m["field"].(string)
			fields = append(fields, f)
		}
	}
	return fields
}
