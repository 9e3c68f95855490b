package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/deadline"
	"github.com/gongyak/gongyak/pkg/pgdb"
)

// pledgesAtFullScale loads, straight into the pledge service's tables, the
// issue's scale: 243 districts in 민선 8기, 150 pledges each with four dated
// status changes and cards' worth of prose. othersAtFullScale gives each a
// plan of two sources over four years, two indicators with four yearly
// entries (some without an actual), and each district five programs with
// members and submissions.
var pledgesAtFullScale = []string{
	`INSERT INTO pledge.districts (id, display_name, kind, metropolitan_government, current_term)
		SELECT 'd' || lpad(i::text, 3, '0'), '가람' || i || '구', 1 + i % 3, '광역' || i % 17, 8 FROM generate_series(1, 243) i`,
	`INSERT INTO pledge.terms (district_id, number, display_name, start_date, end_date)
		SELECT id, 8, '민선 8기', '2022-07-01', '2026-06-30' FROM pledge.districts WHERE id LIKE 'd%'`,
	`INSERT INTO pledge.pledges (district_id, id, term, title, status, completion_timing, progress_log)
		SELECT d.id, 'p' || j, 8, '주민 참여형 생활권 도시재생 뉴딜사업 추진 ' || d.id || '-' || j, 1 + j % 6, 1 + (j % 7 = 0)::int,
			jsonb_build_array(jsonb_build_object('date', '2023-01', 'items', repeat('추진 내용 ', 150)))
		FROM pledge.districts d, generate_series(1, 150) j WHERE d.id LIKE 'd%'`,
	`INSERT INTO pledge.status_changes (district_id, pledge_id, number, previous_status, status, reason, actor, effective_date)
		SELECT p.district_id, p.id, n, CASE WHEN n = 1 THEN 0 ELSE 1 + (n + length(p.id)) % 6 END, 1 + (n + 1 + length(p.id)) % 6,
			'r', 'x', date '2022-07-01' + (n - 1) * 300 + length(p.id)
		FROM pledge.pledges p, generate_series(1, 4) n WHERE p.district_id LIKE 'd%'`,
}

// othersAtFullScale is the rest of the scale: money, indicators,
// participation.
var othersAtFullScale = []string{
	`INSERT INTO budget.plans (district_id, pledge_id, term) SELECT district_id, id, 8 FROM pledge.pledges WHERE district_id LIKE 'd%'`,
	`INSERT INTO budget.lines (district_id, pledge_id, source, year, position, source_label, planned_won, secured_won, executed_won)
		SELECT p.district_id, p.pledge_id, s, y, s * 10 + y - 2022, 'x', 100000000 + y * 1000 + s, 90000000 + y, 45000000 + s
		FROM budget.plans p, unnest(ARRAY[1, 3]) s, generate_series(2022, 2025) y`,
	`INSERT INTO indicator.indicators (district_id, pledge_id, id, term, position, title, kind)
		SELECT p.district_id, p.id, 'i' || k, 8, k, '지표 ' || k, 1 FROM pledge.pledges p, generate_series(1, 2) k WHERE p.district_id LIKE 'd%'`,
	`INSERT INTO indicator.entries (district_id, pledge_id, indicator_id, year, target_number, actual_number)
		SELECT i.district_id, i.pledge_id, i.id, y, 100, CASE WHEN y < 2025 AND length(i.pledge_id) % 3 > 0 THEN 80 + y % 20 END
		FROM indicator.indicators i, generate_series(2022, 2025) y`,
	`INSERT INTO participation.programs (district_id, id, term, kind, title, declared_applications, declared_selected)
		SELECT d.id, 'g' || k, 8, 1 + k % 7, '프로그램 ' || k, 50, 10 FROM pledge.districts d, generate_series(1, 5) k WHERE d.id LIKE 'd%'`,
	`INSERT INTO participation.members (district_id, program_id, id, person_name, role)
		SELECT g.district_id, g.id, 'm' || n, '시민' || n, 1 FROM participation.programs g, generate_series(1, 10) n`,
	`INSERT INTO participation.submissions (district_id, program_id, id, title, receive_time, selected)
		SELECT g.district_id, g.id, 's' || n, '제안 ' || n, '2023-05-01', n % 4 = 0 FROM participation.programs g, generate_series(1, 20) n`,
}

// BenchmarkAllDistrictReportAtFullScale asks for every district's
// report, one client, at the scale (loaded straight into the
// tables, not through the APIs: the synthetic-data generator does that).
// It runs three times: with the pledges alone, the other services holding
// nothing, which times this service's part; with money, indicators and
// participation too, which times the whole; both with the cache warm (the
// report asked before, nothing changed since). Then the whole again, each
// run after a change to each service's tables, so that nothing is kept:
// the first report after an edit. Each reports the median of its runs; the
// second logs each service's summaries alone.
func BenchmarkAllDistrictReportAtFullScale(b *testing.B) {
	st := newSuite(b)
	ctx := context.Background()
	admin, err := pgdb.Open(ctx, st.url, "public", "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	load := func(b *testing.B, sqls []string) {
		for _, sql := range append(sqls, "VACUUM ANALYZE") {
			if _, err := admin.Exec(ctx, sql); err != nil {
				b.Fatalf("%v\n%s", err, sql)
			}
		}
	}
	req := &pledgev1.GetImplementationReportRequest{Name: "districts/-/implementationReport"}
	// touch changes a row of each service's, as an official's edit would,
	// so that what each keeps of the report is gone; it waits for the
	// services to hear of it.
	touch := func(b *testing.B) {
		for _, sql := range []string{
			`UPDATE pledge.pledges SET title = title WHERE district_id = 'd001' AND id = 'p1'`,
			`UPDATE budget.lines SET planned_won = planned_won WHERE district_id = 'd001' AND pledge_id = 'p1' AND year = 2022 AND source = 1`,
			`UPDATE indicator.entries SET target_number = target_number WHERE district_id = 'd001' AND pledge_id = 'p1' AND year = 2022`,
		} {
			if _, err := admin.Exec(ctx, sql); err != nil {
				b.Fatal(err)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	run := func(b *testing.B, before func(*testing.B)) {
		st.reports.GetImplementationReport(ctx, req) //nolint:errcheck // warms the cache
		r, err := st.reports.GetImplementationReport(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if r.GetTotal().GetPledgeCount() != 243*150 || len(r.GetDistricts()) != 245 || len(r.GetStatusChanges()) != 243*150 {
			b.Fatalf("the report: %d pledges, %d districts, %d changes", r.GetTotal().GetPledgeCount(), len(r.GetDistricts()), len(r.GetStatusChanges()))
		}
		var took []time.Duration
		b.ResetTimer()
		for b.Loop() {
			// The deadline every client of the suite gives the call.
			if before != nil {
				b.StopTimer()
				before(b)
				b.StartTimer()
			}
			cctx, cancel := context.WithTimeout(ctx, deadline.For(pledgev1.ReportService_GetImplementationReport_FullMethodName))
			start := time.Now()
			r, err := st.reports.GetImplementationReport(cctx, req)
			took = append(took, time.Since(start))
			cancel()
			if err != nil {
				b.Fatal(err)
			}
			if !isAvailable(r.GetBudgetSection()) || !isAvailable(r.GetIndicatorSection()) || !isAvailable(r.GetParticipationSection()) {
				b.Errorf("a section is unavailable: %v %v %v", r.GetBudgetSection(), r.GetIndicatorSection(), r.GetParticipationSection())
			}
		}
		b.ReportMetric(float64(median(took).Microseconds())/1000, "median-ms")
	}
	load(b, pledgesAtFullScale)
	b.Run("pledges alone", func(b *testing.B) { run(b, nil) })
	b.Run("every section", func(b *testing.B) {
		load(b, othersAtFullScale)
		timed := func(name string, call func() error) {
			var took []time.Duration
			for range 5 {
				start := time.Now()
				if err := call(); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			b.Logf("%s alone: median %v of 5", name, median(took))
		}
		all := "districts/-"
		timed("budget summaries (by district and source, by district)", func() error {
			for _, g := range [][]string{{"district", "source"}, {"district"}} {
				req := &budgetv1.SummarizeBudgetsRequest{Parent: all, GroupBy: g, Filter: "term = 8", PageSize: 500}
				for {
					resp, err := st.budgets.SummarizeBudgets(ctx, req)
					if err != nil {
						return err
					}
					if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
						break
					}
				}
			}
			return nil
		})
		timed("indicator summary", func() error {
			_, err := st.indicators.SummarizeIndicators(ctx, &indicatorv1.SummarizeIndicatorsRequest{Parent: all, GroupBy: []string{"district"}, Filter: "term = 8", PageSize: 500})
			return err
		})
		timed("participation summary", func() error {
			_, err := st.participation.SummarizePrograms(ctx, &participationv1.SummarizeProgramsRequest{Parent: all, GroupBy: []string{"district"}, Filter: "term = 8", PageSize: 500})
			return err
		})
		run(b, nil)
	})
	// The first report after a change: every part computed again.
	b.Run("every section, after a change", func(b *testing.B) { run(b, touch) })
}

func isAvailable(s *pledgev1.Section) bool {
	return s.GetState() == pledgev1.SectionState_SECTION_STATE_AVAILABLE
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
