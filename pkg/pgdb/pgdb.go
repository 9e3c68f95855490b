// Package pgdb opens a service's PostgreSQL pool, traced and measured with
// OpenTelemetry (otelpgx) and confined to the service's own schema, and
// runs transactions.
package pgdb

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Querier is what both a pool and a transaction offer; store functions take
// it so they run alone or inside a caller's transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Open connects to url with every connection's search_path set to schema
// (then public, where shared extensions such as pg_trgm live), so a
// service's SQL names its tables without a schema and never sees another
// service's. It waits up to the context's deadline for the server. The
// pool holds at most the connections MaxConns gives, else the URL's
// pool_max_conns, else DefaultPoolSize.
func Open(ctx context.Context, url, schema, application string, opts ...Option) (*pgxpool.Pool, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema + ", public"
	cfg.ConnConfig.RuntimeParams["application_name"] = application
	cfg.ConnConfig.Tracer = multitracer.New(newTracer(), &writes{})
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		decodeJSONFaster(c.TypeMap())
		return nil
	}
	switch {
	case o.maxConns < 0:
		return nil, fmt.Errorf("database pool size %d: give 1 or more, or 0 for the default (%d here)", o.maxConns, DefaultPoolSize())
	case o.maxConns > 0:
		cfg.MaxConns = int32(o.maxConns)
	case !strings.Contains(url, "pool_max_conns"):
		cfg.MaxConns = DefaultPoolSize()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// The pool's gauges (connections idle, in use, waited for) are named
	// after the application, one pool to a service.
	if err := otelpgx.RecordStats(pool, otelpgx.WithStatsAttributes(semconv.DBClientConnectionPoolName(application))); err != nil {
		pool.Close()
		return nil, err
	}
	for {
		err = pool.Ping(ctx)
		if err == nil {
			return pool, nil
		}
		select {
		case <-ctx.Done():
			pool.Close()
			return nil, fmt.Errorf("database not reachable: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// DefaultPoolSize is how many connections a pool holds at most unless
// told otherwise: four for each core the process may use, and at least 8.
// A transaction spends much of its time waiting on the network or the
// disk rather than on a core, so a few per core keep the server busy, and
// not so many that they queue inside it; with 32 callers at once on two
// cores, 8, 16 and 32 connections cast ballots equally fast
// (BenchmarkCastBallot). Each process of each service holds its own pool:
// the server's max_connections must cover them all.
func DefaultPoolSize() int32 {
	return max(8, 4*int32(runtime.GOMAXPROCS(0)))
}

// Option is a setting of Open.
type Option func(*options)

type options struct{ maxConns int }

// MaxConns has the pool hold at most n connections; 0 leaves it to the
// URL's pool_max_conns, then DefaultPoolSize.
func MaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// OnWrite has pool tell f of every statement its connections run that
// writes (INSERT, UPDATE, DELETE, MERGE, COPY) and of every COMMIT, as
// each returns: a cache of what the pool reads (pgchange) forgets what it
// holds before the caller who wrote hears that the write is done. Each
// function given is told (a service may watch several channels); it does
// nothing for a pool pgdb did not open.
func OnWrite(pool *pgxpool.Pool, f func()) {
	t, ok := pool.Config().ConnConfig.Tracer.(*multitracer.Tracer)
	if !ok {
		return
	}
	for _, q := range t.QueryTracers {
		if w, ok := q.(*writes); ok {
			w.onWrite(f)
		}
	}
}

// newTracer records a client span for every query and batch of a call
// whose span records, and the duration of every statement
// (db.client.operation.duration, by operation such as SELECT). Spans carry
// the SQL text with its placeholders, never the arguments (otelpgx leaves
// them out unless asked), so no personal data reaches a trace. Acquiring a
// connection gets no span of its own: the pool's gauges count the waits,
// and a span per acquire would stand between a call and its SQL.
func newTracer() *otelpgx.Tracer {
	return otelpgx.NewTracer(otelpgx.WithDisableAcquireTracer(),
		otelpgx.WithMetricOperationName(otelpgx.SQLOperationName))
}

// InTx runs fn in one read-committed transaction, committing when it
// returns nil and rolling back otherwise.
func InTx(ctx context.Context, pool *pgxpool.Pool, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, pool, fn)
}

// IsCode reports whether err is a PostgreSQL error with the given code.
func IsCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}

// ConstraintOf returns the name of the constraint err violated, or "".
func ConstraintOf(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName
	}
	return ""
}
