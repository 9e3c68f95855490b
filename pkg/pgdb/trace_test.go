package pgdb_test

import (
	"context"
	"maps"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestStatementsAreTracedAndMeasuredWithoutTheirArguments runs statements
// with a phone number as their argument on a real database, inside a
// recorded call, and reads the spans and metrics the pool made: each
// statement's span is named after its operation and holds its SQL with
// placeholders, never the number; the duration of statements and the
// pool's connections are measured; and OnWrite hears of writes, not of
// reads.
func TestStatementsAreTracedAndMeasuredWithoutTheirArguments(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	t.Cleanup(func() {
		otel.SetTracerProvider(sdktrace.NewTracerProvider())
		otel.SetMeterProvider(sdkmetric.NewMeterProvider())
	})

	ctx := context.Background()
	pool, err := pgdb.Open(ctx, pgtest.NewDatabase(t), "public", "gongyak-test")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var wrote atomic.Int64
	pgdb.OnWrite(pool, func() { wrote.Add(1) })
	if _, err := pool.Exec(ctx, `CREATE TABLE members (phone text)`); err != nil {
		t.Fatal(err)
	}
	if wrote.Load() != 0 {
		t.Errorf("CREATE TABLE told as a write %d times", wrote.Load())
	}

	const phone = "010-2468-1357"
	callCtx, call := tp.Tracer("test").Start(ctx, "call")
	if _, err := pool.Exec(callCtx, `INSERT INTO members (phone) VALUES ($1)`, phone); err != nil {
		t.Fatal(err)
	}
	if wrote.Load() != 1 {
		t.Errorf("an INSERT told %d times", wrote.Load())
	}
	var n int
	if err := pool.QueryRow(callCtx, `SELECT count(*) FROM members WHERE phone = $1`, phone).Scan(&n); err != nil || n != 1 {
		t.Fatalf("count %d, %v", n, err)
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT count(*) FROM members WHERE phone = $1`, phone)
	b.Queue(`UPDATE members SET phone = $1 WHERE phone = $1`, phone)
	if err := pool.SendBatch(callCtx, b).Close(); err != nil {
		t.Fatal(err)
	}
	if wrote.Load() != 2 {
		t.Errorf("after a batch with one UPDATE, told %d times, want 2", wrote.Load())
	}
	call.End()

	names := map[string]int{}
	for _, s := range spans.Ended() {
		if s.Name() == "call" {
			continue
		}
		name := s.Name()
		for _, a := range s.Attributes() {
			if a.Key == "pgx.prepare_stmt.name" {
				name = "prepare " + name
			}
		}
		names[name]++
		if s.Parent().TraceID() != call.SpanContext().TraceID() {
			t.Errorf("span %s is outside the call's trace", s.Name())
		}
		var text string
		for _, a := range s.Attributes() {
			if strings.Contains(a.Value.Emit(), phone) {
				t.Errorf("span %s holds the argument in %s", s.Name(), a.Key)
			}
			if a.Key == "db.query.text" {
				text = a.Value.AsString()
			}
		}
		if s.Name() != "batch start" && !strings.Contains(text, "$1") {
			t.Errorf("span %s has the SQL %q", s.Name(), text)
		}
	}
	// A statement is prepared the first time a connection runs it; the
	// batch's span has one child per statement.
	want := map[string]int{"prepare INSERT": 1, "INSERT": 1, "prepare SELECT": 1, "SELECT": 2, "batch start": 1, "UPDATE": 1}
	if !maps.Equal(names, want) {
		t.Errorf("spans by name: %v", names)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			seen[m.Name] = true
			if m.Name != "pgxpool.max_connections" {
				continue
			}
			// Every pool of the test binary is measured, each under
			// its application's name.
			var found bool
			for _, p := range m.Data.(metricdata.Gauge[int64]).DataPoints {
				if v, _ := p.Attributes.Value("db.client.connection.pool.name"); v.AsString() == "gongyak-test" {
					found = true
					if p.Value != int64(pool.Config().MaxConns) {
						t.Errorf("max connections %d, want %d", p.Value, pool.Config().MaxConns)
					}
				}
			}
			if !found {
				t.Errorf("no pool named gongyak-test among %+v", m.Data)
			}
		}
	}
	for _, name := range []string{"db.client.operation.duration", "pgxpool.idle_connections", "pgxpool.acquires", "pgxpool.max_connections"} {
		if !seen[name] {
			t.Errorf("no %s among %v", name, seen)
		}
	}
}
