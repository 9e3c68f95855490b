package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gongyak/gongyak/cmd/devidp"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/suite"
)

// runSuite starts PostgreSQL (unless DATABASE_URL names one), NATS
// (unless GONGYAK_NATS_URL names one), every service and the gateway, seeds the district gwangsan on first start, and
// stops it all, in order, on Ctrl-C. On its own PostgreSQL each service
// connects as a role of its own (see startPostgres).
func runSuite(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	binDir := fs.String("bin", "bin", "folder holding the built binaries")
	dataDir := fs.String("data", ".data", "folder for the local PostgreSQL cluster and the logs; kept between runs")
	demoCard := fs.String("demo-card", "services/pledge/testdata/cards/000_f92421f269c71dea.txt", "the card imported as demo data on the first start")
	var pgPort int
	config.Int(fs, &pgPort, "pg-port", "GONGYAK_PG_PORT", 54329, "port of the local PostgreSQL cluster")
	var metricsPort int
	config.Int(fs, &metricsPort, "metrics-port", "GONGYAK_RUN_METRICS_PORT", defaultMetricsPort,
		"first port of the suite's metrics: the gateway serves /metrics on it, then pledge, budget, indicator, participation and events on the next ones; 0: none")
	scale := fs.String("scale", "", "after starting, load synthetic data of this size (districts x pledges, such as 243x150, or full) through the APIs; a district loaded before is skipped (make demo-scale)")
	scaleSeed := fs.Uint64("scale-seed", 1, "the seed of --scale's data")
	if err := config.Parse(fs, args); err != nil {
		return err
	}
	var spec scaleSpec
	if *scale != "" {
		var err error
		if spec, err = parseScale(*scale, *scaleSeed); err != nil {
			return err
		}
	}
	dataAbs, err := filepath.Abs(*dataDir)
	if err != nil {
		return err
	}
	logDir := filepath.Join(dataAbs, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	unlock, err := lockRun(dataAbs)
	if err != nil {
		return err
	}
	defer unlock()

	metrics := metricsAddrs(metricsPort)
	addrs := map[string]string{}
	for name, def := range config.DefaultAddrs {
		addrs[name] = envOr("GONGYAK_"+strings.ToUpper(name)+"_ADDR", def)
	}

	// Every part of the suite is supervised from its start: one that dies
	// is started again while the others keep serving, and Ctrl-C stops
	// them from the front (the gateway) to the back (PostgreSQL).
	sup, err := newSupervisor(dataAbs, logDir)
	if err != nil {
		return err
	}
	defer func() {
		if err := sup.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "gongyak:", err)
		}
	}()

	// With DATABASE_URL naming an outside server, the services find it
	// (or their own GONGYAK_<SERVICE>_DATABASE_URL) in the environment and
	// use it as it is. On the suite's own cluster each connects as its own
	// role, and only that service is told its URL (a URL of the user's own
	// for a service is passed on instead).
	var env []string
	ownURL := map[string][]string{}
	database := redact(os.Getenv("DATABASE_URL"))
	if os.Getenv("DATABASE_URL") == "" {
		db, err := startPostgres(ctx, dataAbs, pgPort)
		if err != nil {
			return err
		}
		sup.Adopt(supervisedPostgres(db.cluster, filepath.Join(logDir, "postgres.log")), db.cluster.Server())
		for _, b := range suite.Services {
			if name := serviceDatabaseEnv(b.Name); os.Getenv(name) == "" {
				ownURL[b.Name] = []string{name + "=" + db.urls[b.Name]}
			}
		}
		database = db.shown
	}

	if os.Getenv("GONGYAK_CITIZEN_KEY") == "" {
		key, err := citizenKey(dataAbs)
		if err != nil {
			return err
		}
		env = append(env, "GONGYAK_CITIZEN_KEY="+key)
	}
	for _, b := range append(append([]suite.Binary{}, suite.Services...), suite.Gateway) {
		name := b.Name
		if b == suite.Gateway {
			name = "http"
		}
		env = append(env, b.AddrEnv+"="+addrs[name])
	}

	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// The services publish their change events to NATS: the suite's own
	// (gongyak nats), unless GONGYAK_NATS_URL names one, which they then
	// find in the environment.
	natsURL := os.Getenv("GONGYAK_NATS_URL")
	if natsURL == "" {
		natsURL = "nats://" + addrs["nats"]
		nats := part{
			Binary: natsBinary, path: filepath.Join(*binDir, "gongyak"), logDir: logDir,
			args:  []string{"nats", "--addr", addrs["nats"], "--data", filepath.Join(dataAbs, "nats")},
			ready: func(ctx context.Context, p *suite.Process) error { return suite.WaitNATS(ctx, p, natsURL) },
		}
		if _, err := nats.startSupervised(startCtx, sup); err != nil {
			return err
		}
		env = append(env, "GONGYAK_NATS_URL="+natsURL)
	}
	// Sign-in first: the services trust the development provider as the
	// system issuer. Reflection is on for development tools (grpcurl).
	idpAddr := envOr("GONGYAK_IDP_ADDR", config.DefaultAddrs["idp"])
	issuer := "http://" + idpAddr
	idp := part{
		Binary: idpBinary, path: filepath.Join(*binDir, "gongyak"), logDir: logDir,
		args: []string{"idp", "--addr", idpAddr, "--issuer", issuer, "--data", filepath.Join(dataAbs, "idp"),
			"--redirect-uri", "http://" + addrs["http"] + "/admin/callback"},
		ready: func(ctx context.Context, p *suite.Process) error {
			return suite.WaitHTTP(ctx, p, issuer+"/.well-known/openid-configuration")
		},
	}
	if _, err := idp.startSupervised(startCtx, sup); err != nil {
		return err
	}
	env = append(env, "GONGYAK_OIDC_ISSUERS="+issuer+"=*", "GONGYAK_GRPC_REFLECTION=true", "GONGYAK_SERVICE_TOKEN_ISSUER="+issuer)
	// Each service acts as itself, for work no caller is waiting on
	// (finishing an import a crash cut off), with its own client secret.
	secrets, err := devidp.ClientSecrets(filepath.Join(dataAbs, "idp"))
	if err != nil {
		return err
	}
	for _, b := range suite.Services {
		own := append(ownURL[b.Name], "GONGYAK_SERVICE_CLIENT_SECRET="+secrets["gongyak-"+b.Name])
		own = append(own, metricsEnv(metrics, b.Name)...)
		service := part{
			Binary: b, path: filepath.Join(*binDir, b.Name), logDir: logDir, env: append(own, env...),
			ready: func(ctx context.Context, p *suite.Process) error { return suite.WaitGRPC(ctx, p, addrs[b.Name]) },
		}
		if _, err := service.startSupervised(startCtx, sup); err != nil {
			return err
		}
	}
	base := "http://" + addrs["http"]
	gateway := part{
		// The console at /admin signs in with the development provider.
		Binary: suite.Gateway, path: filepath.Join(*binDir, suite.Gateway.Name), logDir: logDir,
		env: append(append([]string{"GONGYAK_CONSOLE_ISSUER=" + issuer}, metricsEnv(metrics, suite.Gateway.Name)...), env...),
		// Alive is enough: its readiness waits for every service.
		ready: func(ctx context.Context, p *suite.Process) error { return suite.WaitHTTP(ctx, p, base+"/healthz") },
	}
	gw, err := gateway.startSupervised(startCtx, sup)
	if err != nil {
		return err
	}
	if err := suite.WaitHTTP(startCtx, gw, base+"/readyz"); err != nil {
		return err
	}
	token, err := cliToken(startCtx, issuer, dataAbs)
	if err != nil {
		return fmt.Errorf("a token for setting up: %w", err)
	}
	if err := seed(startCtx, addrs["pledge"], addrs["http"], *demoCard, token); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	key, made, err := ensureAdminKey(startCtx, addrs["pledge"], token, dataAbs)
	if err != nil {
		return err
	}
	users, err := usersTable(dataAbs)
	if err != nil {
		return err
	}
	banner(base, addrs, metrics, database, redact(natsURL), logDir, signIn{issuer: issuer, users: users, keyFile: adminKeyFile(dataAbs), key: key, made: made})
	if spec.districts > 0 {
		// The suite keeps serving while it loads, and after; a load that
		// fails is said, and the suite runs on with what was loaded.
		if _, err := loadScale(ctx, spec, addrs, token, os.Stdout); err != nil && ctx.Err() == nil {
			fmt.Fprintln(os.Stderr, "gongyak: the synthetic data did not load:", err)
		}
	}

	// Run until Ctrl-C; the supervisor starts again whatever dies.
	<-ctx.Done()
	fmt.Println("\nstopping the suite")
	return nil
}

// teeLines writes each line to a log file as it is and to the terminal
// behind a prefix.
type teeLines struct {
	mu     sync.Mutex
	file   io.Writer
	term   io.Writer
	prefix string
}

func (t *teeLines) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.file.Write(p)                              //nolint:errcheck // the terminal still shows it
	t.term.Write(append([]byte(t.prefix), p...)) //nolint:errcheck // the log file still has it
	return len(p), nil
}

// lockRun makes sure one run at a time uses the data folder.
func lockRun(dataDir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dataDir, "run.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another gongyak run is using %s; stop it first (Ctrl-C in its terminal)", dataDir)
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}

// citizenKey returns the key citizens' identifiers are hashed with on this
// machine, made once and kept in the data folder: with another key the
// participation service would not recognise who has voted.
func citizenKey(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "citizen.key")
	if raw, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(raw)), nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := base64.StdEncoding.EncodeToString(b)
	return key, os.WriteFile(path, []byte(key+"\n"), 0o600)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// banner says where everything is; database is shown without passwords.
// signIn is what the banner says about signing in.
type signIn struct {
	issuer, users, keyFile, key string
	// made: the admin key was made by this start, and is shown once.
	made bool
}

func banner(base string, addrs, metrics map[string]string, database, natsURL, logDir string, si signIn) {
	var services strings.Builder
	for _, b := range suite.Services {
		fmt.Fprintf(&services, "  %-13s %s (gRPC, reflection on)\n", b.Name, addrs[b.Name])
	}
	key := "kept in " + si.keyFile
	if si.made {
		key = si.key + "\n                (made now, kept in " + si.keyFile + ")"
	}
	fmt.Printf(`
Gongyak is running.

  console       %[1]s/admin/   (sign in as a user below)
  REST API      %[1]s/v1/districts/gwangsan/pledges
  OpenAPI       %[1]s/openapi.json
  health        %[1]s/healthz   %[1]s/readyz
%[2]s  database      %[3]s
  events        %[11]s (NATS JetStream, stream %[12]s)
  logs          %[4]s
  pids          %[10]s
                (a part that dies is started again, said behind "supervisor|")
  traces        %[5]s
%[13]s
Signing in (development only):
  OpenID provider  %[6]s (users sign in there; their tokens work everywhere)
  users            password           roles
%[7]s  admin API key    %[8]s

Try:  curl -s -H "Authorization: Bearer $(cat %[9]s)" %[1]s/v1/districts/gwangsan

Ctrl-C stops everything.
`, base, services.String(), database, logDir, traceTarget(), si.issuer, si.users, key, si.keyFile, filepath.Join(filepath.Dir(logDir), "pids"),
		natsURL, eventbus.StreamName, metricsBanner(metrics))
}

// traceTarget says where the suite's spans go, as pkg/telemetry reads the
// environment.
func traceTarget() string {
	exporter := os.Getenv("OTEL_TRACES_EXPORTER")
	if exporter != "" && exporter != "otlp" {
		return "OTEL_TRACES_EXPORTER=" + exporter
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		if e := os.Getenv(name); e != "" {
			return "exported to " + e
		}
	}
	if exporter == "otlp" {
		return "exported over OTLP to its default endpoint (localhost:4318)"
	}
	return "not exported (set OTEL_EXPORTER_OTLP_ENDPOINT); trace ids are in the logs"
}

// redact hides a password in a database URL.
func redact(url string) string {
	if at := strings.LastIndex(url, "@"); at > 0 {
		if scheme := strings.Index(url, "://"); scheme > 0 {
			if colon := strings.Index(url[scheme+3:at], ":"); colon >= 0 {
				return url[:scheme+3+colon] + ":***" + url[at:]
			}
		}
	}
	return url
}
