// Package service is the main of every Gongyak service binary: it reads
// the configuration, sets up logs and traces, opens the service's database
// and migrates its schema, serves gRPC with health tied to that database
// and its metrics for Prometheus when GONGYAK_METRICS_ADDR is set,
// publishes its outbox to NATS when GONGYAK_NATS_URL is set (pkg/outbox),
// and on SIGTERM or SIGINT drains calls in flight and stops in order.
package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/dbschema"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/outbox"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
)

// Spec describes one service binary.
type Spec struct {
	// Name is the service's name: pledge, budget, indicator or
	// participation. It picks the default address and the log and trace
	// name.
	Name string
	// Schema is the PostgreSQL schema the service owns.
	Schema string
	// Migrations are the service's SQL migrations.
	Migrations fs.FS
	// CallsPledge says the service calls the pledge service, which owns
	// the API keys: the binary gets a --pledge-addr flag, checks keys
	// through the pledge service and hands its connection in Deps.Pledge.
	CallsPledge bool
	// Flags adds the binary's own flags, such as the addresses of the
	// services it calls.
	Flags func(fs *flag.FlagSet)
	// Register registers the service's gRPC servers with their policies,
	// and says how the service checks API keys. What it returns to close
	// runs after the server has stopped.
	Register func(ctx context.Context, s *grpcserver.Server, deps Deps) (closer func(), err error)
}

// Deps are what a service's registration gets from its binary.
type Deps struct {
	Pool *pgxpool.Pool
	Log  *slog.Logger
	// KeyCacheTTL is how long the service may remember an API key's check.
	KeyCacheTTL time.Duration
	// Identity is the service acting as itself, nil unless its client
	// secret is configured.
	Identity *auth.ServiceIdentity
	// NATSURL is the message system's (GONGYAK_NATS_URL), empty when none
	// is configured.
	NATSURL string
	// Pledge is a connection to the pledge service when the Spec says the
	// service calls it, nil otherwise. It passes on each caller's
	// credential (pkg/grpcclient) and is closed after the server stops.
	Pledge *grpc.ClientConn
}

// Main runs the service until it is signalled, and exits non-zero when it
// fails.
func Main(spec Spec) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err := Run(ctx, spec, os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return // -h printed the usage, as asked
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", spec.Name, err)
		os.Exit(1)
	}
}

// Run runs the service until ctx ends.
func Run(ctx context.Context, spec Spec, args []string) error {
	var cfg config.Common
	fset := flag.NewFlagSet(spec.Name, flag.ContinueOnError)
	config.Service(fset, &cfg, spec.Name)
	var pledgeAddr string
	if spec.CallsPledge {
		config.Addr(fset, &pledgeAddr, "pledge")
	}
	if spec.Flags != nil {
		spec.Flags(fset)
	}
	if err := config.Parse(fset, args); err != nil {
		return err
	}
	log := telemetry.NewLogger(os.Stderr, spec.Name, cfg.LogLevel)
	slog.SetDefault(log)
	stopProfile, err := telemetry.Profile(spec.Name)
	if err != nil {
		return err
	}
	defer stopProfile() //nolint:errcheck // a profile cut short says so when read

	shutdownTraces, exporting, err := telemetry.Setup(ctx, spec.Name)
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := shutdownTraces(ctx); err != nil {
			log.Warn("flushing traces", "error", err.Error())
		}
	}()

	// Metrics first, so the pool's and the server's instruments record
	// into them from the start.
	stopMetrics, err := telemetry.StartMetrics(spec.Name, cfg.MetricsAddr, log)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	defer stopMetrics()

	openCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	pool, err := pgdb.Open(openCtx, cfg.DatabaseURL, spec.Schema, "gongyak-"+spec.Name, pgdb.MaxConns(cfg.DBPoolSize))
	cancel()
	if err != nil {
		return err
	}
	defer pool.Close()
	// Replicas starting together migrate one at a time (dbschema holds
	// the schema's lock); the others wait and find nothing left to do.
	applied, err := dbschema.Migrate(ctx, pool, spec.Schema, spec.Migrations)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		log.Info("migrated", "schema", spec.Schema, "applied", applied)
	}

	opts, err := serverOptions(cfg, log)
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return err
	}
	srv := grpcserver.New(log, opts)
	deps := Deps{Pool: pool, Log: log, KeyCacheTTL: cfg.KeyCacheTTL, NATSURL: cfg.NATSURL}
	if id := cfg.Identity; id.Secret != "" {
		if id.Issuer == "" {
			lis.Close()
			return errors.New("GONGYAK_SERVICE_CLIENT_SECRET is set without GONGYAK_SERVICE_TOKEN_ISSUER")
		}
		deps.Identity = auth.NewServiceIdentity(id.Issuer, id.ClientID, id.Secret, srv.Authenticator())
	}
	if spec.CallsPledge {
		if deps.Pledge, err = dialPledge(srv, pledgeAddr, cfg.KeyCacheTTL); err != nil {
			lis.Close()
			return err
		}
		// Closed last, after what Register returns to close.
		defer deps.Pledge.Close()
	}
	closer, err := spec.Register(ctx, srv, deps)
	if err != nil {
		lis.Close()
		return err
	}
	if closer != nil {
		defer closer()
	}
	log.Info("serving", "addr", lis.Addr().String(), "schema", spec.Schema, "exporting_traces", exporting,
		"tls", cfg.TLS.Enabled(), "reflection", cfg.Reflection, "oidc_issuers", cfg.OIDCIssuers)

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(gctx, lis) })
	g.Go(func() error {
		srv.WatchReadiness(gctx, 2*time.Second, func(ctx context.Context) error { return pool.Ping(ctx) })
		return nil
	})
	var remembers bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('request_ids') IS NOT NULL`).Scan(&remembers); err != nil {
		return fmt.Errorf("look for request_ids: %w", err)
	}
	if remembers {
		g.Go(func() error {
			idempotency.PurgeEvery(gctx, pool, cfg.RequestIDRetention, time.Hour, log)
			return nil
		})
	}
	// A schema with an outbox (every service that changes resources)
	// publishes it when there is a message system.
	var publishes bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('outbox') IS NOT NULL`).Scan(&publishes); err != nil {
		return fmt.Errorf("look for outbox: %w", err)
	}
	if cfg.NATSURL != "" && publishes {
		nc, err := nats.Connect(cfg.NATSURL, nats.Name("gongyak-"+spec.Name),
			// NATS may start after the service, and go away: the relay
			// waits, and the events wait in the outbox.
			nats.RetryOnFailedConnect(true), nats.MaxReconnects(-1), nats.ReconnectWait(time.Second))
		if err != nil {
			return fmt.Errorf("GONGYAK_NATS_URL: %w", err)
		}
		defer nc.Close()
		relay := &outbox.Relay{Service: spec.Name, Schema: spec.Schema, Pool: pool, NATS: nc, Log: log}
		g.Go(func() error {
			relay.Run(gctx)
			return nil
		})
	}
	err = g.Wait()
	log.Info("stopped")
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// serverOptions reads how the service checks callers and speaks TLS; TLS
// configured for the server holds for the calls it makes too.
func serverOptions(cfg config.Common, log *slog.Logger) (grpcserver.Options, error) {
	issuers, err := auth.ParseIssuers(cfg.OIDCIssuers)
	if err != nil {
		return grpcserver.Options{}, fmt.Errorf("GONGYAK_OIDC_ISSUERS: %w", err)
	}
	if cfg.KeyCacheTTL > auth.MaxKeyCacheTTL {
		return grpcserver.Options{}, fmt.Errorf("GONGYAK_API_KEY_CACHE_TTL=%s: at most %s, or a revoked key keeps working longer", cfg.KeyCacheTTL, auth.MaxKeyCacheTTL)
	}
	opts := grpcserver.Options{Reflection: cfg.Reflection, Authenticator: &auth.Authenticator{}}
	if len(issuers) > 0 {
		opts.Authenticator.Tokens = auth.NewOIDC(issuers, log)
	}
	if cfg.TLS.Enabled() {
		if opts.TLS, err = cfg.TLS.Server(); err != nil {
			return opts, err
		}
		client, err := cfg.TLS.Client()
		if err != nil {
			return opts, err
		}
		grpcclient.UseTLS(client)
	}
	return opts, nil
}
