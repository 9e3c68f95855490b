package server_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// queries counts the trips to PostgreSQL every pool of the test binary
// makes — a statement, or a batch of them sent at once — read from the
// spans pgdb's tracer (otelpgx) records for each: what a read costs the
// database shows without a PostgreSQL log.
var queries struct {
	once  sync.Once
	count atomic.Int64
}

// queryCounter counts the spans of SQL statements as they start: each
// statement's, but not those of the statements inside a batch (children
// of the batch's span, which counts once) nor a statement's preparing
// (which pgx sends with the statement).
type queryCounter struct{ sdktrace.SpanProcessor }

func (queryCounter) OnStart(parent context.Context, s sdktrace.ReadWriteSpan) {
	if p, ok := trace.SpanFromContext(parent).(sdktrace.ReadOnlySpan); ok && p.Name() == "batch start" {
		return
	}
	var sql, prepare bool
	for _, a := range s.Attributes() {
		sql = sql || a.Key == attribute.Key("db.system.name")
		prepare = prepare || a.Key == attribute.Key("pgx.prepare_stmt.name")
	}
	if sql && !prepare {
		queries.count.Add(1)
	}
}

// countQueries starts counting statements (from then on, for the rest of
// the test binary) and returns the count so far.
func countQueries() int64 {
	queries.once.Do(func() {
		otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(queryCounter{sdktrace.NewSimpleSpanProcessor(nil)})))
	})
	return queries.count.Load()
}

// BenchmarkGetPledge reads the seed card's pledge over gRPC, one client,
// from the pledge service on a real PostgreSQL, and reports the trips to
// PostgreSQL each read costs (queries/op; a batch counts once).
func BenchmarkGetPledge(b *testing.B) {
	st := newSuite(b)
	name := st.importCard(b, "gwangsan", seedCard(b)).GetPledge().GetName()
	ctx := context.Background()
	read := func() {
		if _, err := st.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: name}); err != nil {
			b.Fatal(err)
		}
	}
	read()
	before := countQueries()
	b.ResetTimer()
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64(countQueries()-before)/float64(b.N), "queries/op")
}

// BenchmarkGetPledgeCard assembles the seed card's card over gRPC, one
// client, from the four services on a real PostgreSQL, and reports the
// trips to PostgreSQL each card costs across them (queries/op; a batch
// counts once) and the calls
// the other services make back to the pledge service to serve it
// (callbacks/op). The pledge is given two related departments besides its
// owner, as many are.
func BenchmarkGetPledgeCard(b *testing.B) {
	st := newSuite(b)
	name := st.importCard(b, "gwangsan", seedCard(b)).GetPledge().GetName()
	st.relateDepartments(b, "gwangsan", name, map[string]string{"finance": "재무과", "planning": "기획예산과"})
	ctx := context.Background()
	read := func() {
		card, err := st.pledges.GetPledgeCard(ctx, &pledgev1.GetPledgeCardRequest{Name: name})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range []*pledgev1.Section{card.GetBudgetSection(), card.GetIndicatorSection(), card.GetParticipationSection()} {
			if !isAvailable(s) {
				b.Fatalf("a section is %v", s)
			}
		}
	}
	read()
	before, calls := countQueries(), st.pledgeCalls.snapshot()
	b.ResetTimer()
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64(countQueries()-before)/float64(b.N), "queries/op")
	b.ReportMetric(float64(total(st.pledgeCalls.since(calls))-b.N)/float64(b.N), "callbacks/op")
}

// BenchmarkGetPledgeAsDeployed reads the seed card's pledge over gRPC as
// BenchmarkGetPledge does, with telemetry set up as a service binary sets
// it up (spans recorded only for a caller that keeps them, none exported),
// and metrics recorded and served when GONGYAK_METRICS_ADDR is set: run it
// with and without to see what the metrics cost a read.
func BenchmarkGetPledgeAsDeployed(b *testing.B) {
	ctx := context.Background()
	shutdown, _, err := telemetry.Setup(ctx, "pledge")
	if err != nil {
		b.Fatal(err)
	}
	defer shutdown(ctx) //nolint:errcheck // nothing is exported
	metrics, err := telemetry.ServeMetrics("pledge", os.Getenv(telemetry.MetricsAddrEnv))
	if err != nil {
		b.Fatal(err)
	}
	if metrics != nil {
		defer metrics.Close(ctx) //nolint:errcheck // the benchmark is over
	}
	st := newSuite(b)
	name := st.importCard(b, "gwangsan", seedCard(b)).GetPledge().GetName()
	read := func() {
		if _, err := st.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: name}); err != nil {
			b.Fatal(err)
		}
	}
	read()
	// The CPU the process spends (the client and the service, not
	// PostgreSQL) is what metrics add to; on a shared machine it varies
	// less than the time a read takes.
	before := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64((cpuTime(b)-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time the process has spent, in user and system mode.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
