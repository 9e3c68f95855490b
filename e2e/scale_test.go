package e2e

import (
	"context"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/scalegen"
	"github.com/gongyak/gongyak/pkg/scaleload"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// TestSyntheticDataAgreesWithTheGeneratorsTotals generates 5 districts of
// 20 pledges, loads them through the real services' APIs as a system
// admin, and compares what the services report — the budget, indicator,
// program and pledge summaries across districts and the implementation
// report of every district — with the totals the generator counted from
// its seed. A second load finds every district loaded and writes nothing.
func TestSyntheticDataAgreesWithTheGeneratorsTotals(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	plan, err := scalegen.New(scalegen.Config{Seed: 12, Districts: 5, Pledges: 20})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	addrs := scaleload.Addrs{Pledge: r.addrs["pledge"], Budget: r.addrs["budget"], Indicator: r.addrs["indicator"], Participation: r.addrs["participation"]}
	stats, err := scaleload.Load(ctx, addrs, r.credential, plan, scaleload.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d districts: %d rows in %d calls, %s (%.0f rows/s)", stats.Districts, stats.Rows, stats.Calls, stats.Elapsed, stats.RowsPerSecond())
	if stats.Districts != 5 || stats.Rows < 5*20*10 {
		t.Errorf("the load: %+v", stats)
	}
	want := plan.Expect(8)
	c := dialAll(t, r)
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", bearer(r.credential))
	report := func(t *testing.T, diffs []string) {
		t.Helper()
		for _, d := range diffs {
			t.Error(d)
		}
	}

	t.Run("budget, indicator and program summaries", func(t *testing.T) {
		budgets, err := c.budgets.SummarizeBudgets(ctx, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/-", GroupBy: []string{"district", "source"}, Filter: "term = 8", PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		report(t, want.CheckBudgets(budgets))
		indicators, err := c.indicators.SummarizeIndicators(ctx, &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/-", GroupBy: []string{"district"}, Filter: "term = 8", PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		report(t, want.CheckIndicators(indicators))
		programs, err := c.participation.SummarizePrograms(ctx, &participationv1.SummarizeProgramsRequest{Parent: "districts/-", GroupBy: []string{"district"}, Filter: "term = 8", PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		report(t, want.CheckParticipation(programs))
	})

	t.Run("status history with effective dates", func(t *testing.T) {
		d := plan.District(0)
		p := d.Pledges[0]
		got, err := c.pledges.ListStatusChanges(ctx, &pledgev1.ListStatusChangesRequest{Parent: d.Name() + "/pledges/" + p.ID})
		if err != nil {
			t.Fatal(err)
		}
		changes := got.GetStatusChanges()
		if len(changes) != len(p.History)+1 { // and its creation
			t.Fatalf("%d changes, want its creation and %d: %v", len(changes), len(p.History), changes)
		}
		for n, s := range p.History {
			c := changes[n+1]
			if c.GetStatus() != s.Status || c.GetReason() != s.Reason || !sameDay(c.GetEffectiveDate(), s.Effective) {
				t.Errorf("change %d: %v, want %v effective %s", n+1, c, s.Status, s.Effective.Format("2006-01-02"))
			}
		}
	})

	t.Run("pledge summary", func(t *testing.T) {
		pledges, err := c.pledges.SummarizePledges(ctx, &pledgev1.SummarizePledgesRequest{Parent: "districts/-", GroupBy: []string{"district"}, Filter: "term = 8", PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		report(t, want.CheckPledges(pledges))
	})

	t.Run("implementation report", func(t *testing.T) {
		got, err := pledgev1.NewReportServiceClient(c.conn).GetImplementationReport(ctx, &pledgev1.GetImplementationReportRequest{
			Name: "districts/-/implementationReport", Term: 8, StartDate: protoDay(want.StartDate), AsOfDate: protoDay(want.AsOfDate)})
		if err != nil {
			t.Fatal(err)
		}
		report(t, want.CheckReport(got))
	})

	again, err := scaleload.Load(ctx, addrs, r.credential, plan, scaleload.Options{})
	if err != nil || again.Skipped != 5 || again.Rows != 0 {
		t.Errorf("a second load: %+v, %v; want every district found loaded", again, err)
	}
}

// scaleClients are the services' gRPC clients.
type scaleClients struct {
	conn          *grpc.ClientConn
	pledges       pledgev1.PledgeServiceClient
	budgets       budgetv1.BudgetServiceClient
	indicators    indicatorv1.IndicatorServiceClient
	participation participationv1.ParticipationServiceClient
}

func dialAll(t *testing.T, r *running) scaleClients {
	t.Helper()
	dial := func(service string) *grpc.ClientConn {
		conn, err := grpcclient.Dial(r.addrs[service])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	p := dial("pledge")
	return scaleClients{conn: p, pledges: pledgev1.NewPledgeServiceClient(p), budgets: budgetv1.NewBudgetServiceClient(dial("budget")),
		indicators: indicatorv1.NewIndicatorServiceClient(dial("indicator")), participation: participationv1.NewParticipationServiceClient(dial("participation"))}
}

func protoDay(t time.Time) *date.Date {
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}
}

func sameDay(d *date.Date, t time.Time) bool {
	return d.GetYear() == int32(t.Year()) && d.GetMonth() == int32(t.Month()) && d.GetDay() == int32(t.Day())
}
