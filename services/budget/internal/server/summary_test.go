package server_test

import (
	"context"
	"fmt"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	national     = typev1.FundingSource_FUNDING_SOURCE_NATIONAL
	metropolitan = typev1.FundingSource_FUNDING_SOURCE_METROPOLITAN
	million      = 1_000_000
)

func line(s typev1.FundingSource, year int32, planned, secured, executed int64) *budgetv1.BudgetLine {
	return &budgetv1.BudgetLine{Source: s, Year: year, PlannedWon: planned * million, SecuredWon: secured * million, ExecutedWon: executed * million}
}

// summaryEnv enters three plans over two districts and two terms.
func summaryEnv(t *testing.T) *env {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: "seogu", District: &pledgev1.District{
		DisplayName: "서구", Kind: pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT, MetropolitanGovernment: "광주광역시",
		Terms: []*pledgev1.Term{{Number: 8, StartDate: day(2022, 7, 1), EndDate: day(2026, 6, 30)}}, CurrentTerm: 8,
	}})
	if err != nil {
		t.Fatal(err)
	}
	sg, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/seogu", Pledge: &pledgev1.Pledge{Title: "서구 생활체육 시설 확충"}})
	if err != nil {
		t.Fatal(err)
	}
	plans := map[string][]*budgetv1.BudgetLine{}
	plans[e.cardPledge] = []*budgetv1.BudgetLine{
		{Source: local, Year: 2020, PlannedWon: 2_500_000, SecuredWon: 2_500_000, ExecutedWon: 2_000_000},
		{Source: local, Year: 2021, PlannedWon: 3_000_000, SecuredWon: 3_000_000, ExecutedWon: 3_000_000},
		{Source: local, Year: 2022, PlannedWon: 3_000_000},
	}
	plans[e.afterTermOne] = []*budgetv1.BudgetLine{line(national, 2023, 1000, 600, 300), line(metropolitan, 2023, 500, 500, 0), line(local, 2024, 500, 0, 0)}
	plans[sg.GetName()] = []*budgetv1.BudgetLine{line(local, 2023, 100, 100, 100), line(metropolitan, 2024, 200, 50, 0)}
	for pledge, lines := range plans {
		if _, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{AllowMissing: true, Budget: &budgetv1.Budget{Name: pledge + "/budget", Lines: lines}}); err != nil {
			t.Fatalf("plan of %s: %v", pledge, err)
		}
	}
	return e
}

// row writes a summary row compactly for comparison.
func row(s *budgetv1.BudgetSummary) string {
	a := s.GetAmounts()
	return fmt.Sprintf("%s t%d s%d y%d n%d %d/%d/%d %s %s", s.GetDistrict(), s.GetTerm(), s.GetSource(), s.GetYear(), s.GetPledgeCount(),
		a.GetPlannedWon(), a.GetSecuredWon(), a.GetExecutedWon(), a.GetSecuringRate(), a.GetExecutionRate())
}

func summarize(t *testing.T, e *env, req *budgetv1.SummarizeBudgetsRequest) ([]string, string) {
	t.Helper()
	resp, err := e.budgets.SummarizeBudgets(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, r := range resp.GetRows() {
		rows = append(rows, row(r))
	}
	return rows, row(resp.GetTotal())
}

func TestSummariesAddUpByDistrictTermSourceAndYear(t *testing.T) {
	e := summaryEnv(t)

	rows, total := summarize(t, e, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/gwangsan", GroupBy: []string{"term"}})
	want := []string{
		" t7 s0 y0 n1 8500000/5500000/5000000 64.71 90.91",
		" t8 s0 y0 n1 2000000000/1100000000/300000000 55.00 27.27",
	}
	if !cmp.Equal(rows, want) {
		t.Errorf("gwangsan by term:\n%v\nwant\n%v", rows, want)
	}
	if total != " t0 s0 y0 n2 2008500000/1105500000/305000000 55.04 27.59" {
		t.Errorf("gwangsan total: %s", total)
	}

	rows, total = summarize(t, e, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/-", GroupBy: []string{"district", "source"}})
	want = []string{
		"districts/gwangsan t0 s1 y0 n1 1000000000/600000000/300000000 60.00 50.00",
		"districts/gwangsan t0 s2 y0 n1 500000000/500000000/0 100.00 0.00",
		"districts/gwangsan t0 s3 y0 n2 508500000/5500000/5000000 1.08 90.91",
		"districts/seogu t0 s2 y0 n1 200000000/50000000/0 25.00 0.00",
		"districts/seogu t0 s3 y0 n1 100000000/100000000/100000000 100.00 100.00",
	}
	if !cmp.Equal(rows, want) {
		t.Errorf("every district by source:\n%v\nwant\n%v", rows, want)
	}
	if total != " t0 s0 y0 n3 2308500000/1255500000/405000000 54.39 32.26" {
		t.Errorf("all districts total: %s", total)
	}

	rows, _ = summarize(t, e, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/-", GroupBy: []string{"year"}, Filter: `year >= 2023 AND source = FUNDING_SOURCE_LOCAL`})
	want = []string{" t0 s0 y2023 n1 100000000/100000000/100000000 100.00 100.00", " t0 s0 y2024 n1 500000000/0/0 0.00 "}
	if !cmp.Equal(rows, want) {
		t.Errorf("local money from 2023 by year:\n%v\nwant\n%v", rows, want)
	}

	// A filter on the years only: a plan with lines in 2023 and 2024 is one
	// pledge, and the card's plan, all before 2023, none.
	rows, total = summarize(t, e, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/-", GroupBy: []string{"district"}, Filter: "year >= 2023"})
	want = []string{
		"districts/gwangsan t0 s0 y0 n1 2000000000/1100000000/300000000 55.00 27.27",
		"districts/seogu t0 s0 y0 n1 300000000/150000000/100000000 50.00 66.67",
	}
	if !cmp.Equal(rows, want) {
		t.Errorf("every district from 2023:\n%v\nwant\n%v", rows, want)
	}
	if total != " t0 s0 y0 n2 2300000000/1250000000/400000000 54.35 32.00" {
		t.Errorf("every district from 2023, total: %s", total)
	}

	// Nothing matches: no rows, and a total of zero with no rates.
	rows, total = summarize(t, e, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/-", GroupBy: []string{"year"}, Filter: `term = 3`})
	if len(rows) != 0 || total != " t0 s0 y0 n0 0/0/0  " {
		t.Errorf("an empty summary: %v, %s", rows, total)
	}
}

func TestOnePlansSummaryHasTheRatesOfItsTotals(t *testing.T) {
	e := summaryEnv(t)
	b, err := e.budgets.GetBudget(context.Background(), &budgetv1.GetBudgetRequest{Name: e.afterTermOne + "/budget"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.budgets.SummarizeBudgets(context.Background(), &budgetv1.SummarizeBudgetsRequest{Parent: "districts/gwangsan", Filter: "term = 8"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := resp.GetTotal().GetAmounts(), b.GetTotal(); got.GetSecuringRate() != want.GetSecuringRate() || got.GetExecutionRate() != want.GetExecutionRate() || got.GetPlannedWon() != want.GetPlannedWon() {
		t.Errorf("SQL says %v, the plan %v", got, want)
	}
}

// TestMoreSecuredThanPlannedIsAboveAHundredPercent secures 12 of 10 백만원
// (a grant larger than planned): the plan and the SQL summary both report
// 120.00, not a rate capped at 100.
func TestMoreSecuredThanPlannedIsAboveAHundredPercent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{AllowMissing: true, Budget: &budgetv1.Budget{
		Name: e.cardPledge + "/budget", Lines: []*budgetv1.BudgetLine{line(local, 2021, 10, 12, 6)}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.GetTotal().GetSecuringRate(); got != "120.00" {
		t.Errorf("the plan's securing rate is %q, want 120.00", got)
	}
	if got := b.GetYearTotals()[0].GetAmounts().GetSecuringRate(); got != "120.00" {
		t.Errorf("2021's securing rate is %q, want 120.00", got)
	}
	_, total := summarize(t, e, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/gwangsan"})
	if total != " t0 s0 y0 n1 10000000/12000000/6000000 120.00 50.00" {
		t.Errorf("the summary's total is %s, want 120.00 secured and 50.00 executed", total)
	}
}

func TestSummariesPageAndRefuseBadRequests(t *testing.T) {
	e := summaryEnv(t)
	ctx := context.Background()
	all, _ := summarize(t, e, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/-", GroupBy: []string{"district", "year"}})
	var paged []string
	token := ""
	for range 10 {
		resp, err := e.budgets.SummarizeBudgets(ctx, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/-", GroupBy: []string{"district", "year"}, PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range resp.GetRows() {
			paged = append(paged, row(r))
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if !cmp.Equal(paged, all) || len(all) != 7 {
		t.Errorf("pages gave %v, one listing %v", paged, all)
	}
	for _, req := range []*budgetv1.SummarizeBudgetsRequest{
		{Parent: "districts/-", GroupBy: []string{"pledge"}},
		{Parent: "districts/-", GroupBy: []string{"year", "year"}},
		{Parent: "districts/-", Filter: "amount > 5"},
		{Parent: "gwangsan"},
		{Parent: "districts/-", PageToken: "bogus"},
	} {
		if _, err := e.budgets.SummarizeBudgets(ctx, req); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%v: %v, want INVALID_ARGUMENT", req, err)
		}
	}
}

// TestEveryDistrictsSummaryNeedsASystemWideGrant lets the ministry's
// reporter read `districts/-`, and refuses a district's viewer, who reads
// its own district's.
func TestEveryDistrictsSummaryNeedsASystemWideGrant(t *testing.T) {
	e := summaryEnv(t)
	ctx := context.Background()
	all := &budgetv1.SummarizeBudgetsRequest{Parent: "districts/-", GroupBy: []string{"district", "source"}}
	want, wantTotal := summarize(t, e, all)
	resp, err := e.as(e.p.Token(t, "ministry", "ministry-reporter")).SummarizeBudgets(ctx, all)
	if err != nil {
		t.Fatalf("the ministry's reporter: %v", err)
	}
	var rows []string
	for _, r := range resp.GetRows() {
		rows = append(rows, row(r))
	}
	if !cmp.Equal(rows, want) || row(resp.GetTotal()) != wantTotal {
		t.Errorf("the reporter read\n%v\nwant\n%v", rows, want)
	}
	viewer := e.as(e.p.Token(t, "lee", "viewer@districts/gwangsan"))
	if _, err := viewer.SummarizeBudgets(ctx, all); status.Code(err) != codes.PermissionDenied {
		t.Errorf("gwangsan's viewer read every district's summary: %v", err)
	}
	if _, err := viewer.SummarizeBudgets(ctx, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/gwangsan"}); err != nil {
		t.Errorf("gwangsan's viewer reading gwangsan's summary: %v", err)
	}
}
