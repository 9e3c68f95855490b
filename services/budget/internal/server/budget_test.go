package server_test

import (
	"context"
	"strings"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/racetest"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

const local = typev1.FundingSource_FUNDING_SOURCE_LOCAL

// cardPlan is the Gwangsan card's 연도별 투자계획: 구비 2.5, 3 and 3 백만원
// in 2020, 2021 and 2022.
func cardPlan(name string) *budgetv1.Budget {
	return &budgetv1.Budget{Name: name, Lines: []*budgetv1.BudgetLine{
		{Source: local, Year: 2020, PlannedWon: 2_500_000},
		{Source: local, Year: 2021, PlannedWon: 3_000_000},
		{Source: local, Year: 2022, PlannedWon: 3_000_000},
	}}
}

func TestTheCardsPlanGivesTheCardsTotals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	name := e.cardPledge + "/budget"
	_, err := e.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("a pledge without a plan: %v, want NOT_FOUND", err)
	}
	_, err = e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(name)})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("an update without allow_missing of a missing plan: %v, want NOT_FOUND", err)
	}
	b, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(name), AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetEtag() != b.GetEtag() || got.GetTerm() != 7 {
		t.Errorf("etag %s vs %s, term %d", got.GetEtag(), b.GetEtag(), got.GetTerm())
	}
	// 계 column and 합계 row, as the card shows them.
	if total := got.GetTotal(); total.GetPlannedWon() != 8_500_000 || total.GetSecuringRate() != "0.00" || total.GetExecutionRate() != "" {
		t.Errorf("total = %v; want 8,500,000 won planned, nothing secured, no execution rate", total)
	}
	if st := got.GetSourceTotals(); len(st) != 1 || st[0].GetSourceLabel() != "구비" || st[0].GetAmounts().GetPlannedWon() != 8_500_000 {
		t.Errorf("source totals = %v", st)
	}
	var years []int64
	for _, y := range got.GetYearTotals() {
		years = append(years, int64(y.GetYear()), y.GetAmounts().GetPlannedWon())
	}
	if !cmp.Equal(years, []int64{2020, 2_500_000, 2021, 3_000_000, 2022, 3_000_000}) {
		t.Errorf("year totals = %v", years)
	}
	if sh := got.GetShares(); len(sh) != 1 || sh[0].GetPercent() != 100 || sh[0].GetSource() != local {
		t.Errorf("shares = %v, want 구 100", sh)
	}
	if rb := got.GetRequiredBudget(); !rb.GetConsistent() || rb.GetStatedWon() != 8_500_000 || rb.GetLabel() != "8.5백만원(구 100)" {
		t.Errorf("comparison with the card's 소요예산: %v", rb)
	}

	// Securing and execution as of a date; only the lines change.
	upd := &budgetv1.Budget{Name: name, Etag: got.GetEtag(), AsOfDate: day(2021, 12, 31), Lines: []*budgetv1.BudgetLine{
		{Source: local, Year: 2020, PlannedWon: 2_500_000, SecuredWon: 2_500_000, ExecutedWon: 2_500_000},
		{Source: local, Year: 2021, PlannedWon: 3_000_000, SecuredWon: 3_000_000, ExecutedWon: 2_000_000},
		{Source: local, Year: 2022, PlannedWon: 4_000_000, SecuredWon: 1_000_000},
	}}
	b, err = e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: upd})
	if err != nil {
		t.Fatal(err)
	}
	if tot := b.GetTotal(); tot.GetSecuredWon() != 6_500_000 || tot.GetSecuringRate() != "68.42" || tot.GetExecutionRate() != "69.23" {
		t.Errorf("total after securing = %v; want 6.5/9.5 = 68.42%% secured, 4.5/6.5 = 69.23%% executed", tot)
	}
	if rb := b.GetRequiredBudget(); rb.GetConsistent() || rb.GetDifferenceWon() != 1_000_000 || !strings.Contains(rb.GetExplanation(), "9500000") {
		t.Errorf("a plan above the card's 8.5백만원 is not reported: %v", rb)
	}
	// A mask naming as_of_date leaves the lines alone.
	b, err = e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{
		Budget: &budgetv1.Budget{Name: name, Etag: b.GetEtag(), AsOfDate: day(2022, 6, 30)}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"as_of_date"}},
	})
	if err != nil || len(b.GetLines()) != 3 || b.GetAsOfDate().GetYear() != 2022 {
		t.Errorf("as_of_date update: %v, %d lines", err, len(b.GetLines()))
	}
}

func TestAPledgeCompletedAfterItsTermTakesYearsOfItsPeriod(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{AllowMissing: true, Budget: &budgetv1.Budget{
		Name: e.afterTermOne + "/budget", Lines: []*budgetv1.BudgetLine{
			{Source: typev1.FundingSource_FUNDING_SOURCE_NATIONAL, Year: 2021, PlannedWon: 1_000_000_000},
			{Source: typev1.FundingSource_FUNDING_SOURCE_METROPOLITAN, Year: 2029, PlannedWon: 500_000_000},
			{Source: local, Year: 2031, PlannedWon: 500_000_000, SourceLabel: "구비"},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var shares []int32
	for _, s := range b.GetShares() {
		shares = append(shares, s.GetPercent())
	}
	if !cmp.Equal(shares, []int32{50, 25, 25}) || b.GetLines()[1].GetSourceLabel() != "시비" {
		t.Errorf("shares %v, label %q", shares, b.GetLines()[1].GetSourceLabel())
	}
}

// TestOfficialsEditingAtOnceOneWinsTheOthersAreAborted releases several
// officials' plans, all made from the same read, at one instant, round
// after round: each round exactly one plan is stored and the others are
// refused as stale.
func TestOfficialsEditingAtOnceOneWinsTheOthersAreAborted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	name := e.cardPledge + "/budget"
	if _, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(name), AllowMissing: true}); err != nil {
		t.Fatal(err)
	}
	const writers, rounds = 8, 10
	for round := range rounds {
		read, err := e.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		planned := func(i int) int64 { return int64(round*writers+i+1) * 1_000_000 }
		errs := make([]error, writers)
		racetest.Together(writers, func(i int) {
			plan := cardPlan(name)
			plan.Etag = read.GetEtag()
			plan.Lines[0].PlannedWon = planned(i)
			_, errs[i] = e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: plan})
		})
		t.Logf("round %d", round)
		winner := racetest.OneWinner(t, errs)
		got, err := e.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetLines()[0].GetPlannedWon() != planned(winner) {
			t.Errorf("round %d: the stored plan is not the winner's", round)
		}
	}
}

func TestBadPlansAreRefusedNamingTheLineAndNothingIsWritten(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	name := e.cardPledge + "/budget"
	good, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(name), AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	with := func(change func(b *budgetv1.Budget)) *budgetv1.Budget {
		b := cardPlan(name)
		b.Etag = good.GetEtag()
		change(b)
		return b
	}
	tests := []struct {
		name   string
		budget *budgetv1.Budget
		code   codes.Code
		fields []string
	}{
		{"a negative amount", with(func(b *budgetv1.Budget) { b.Lines[1].SecuredWon = -1 }), codes.InvalidArgument, []string{"budget.lines[1].secured_won"}},
		{"executed above secured", with(func(b *budgetv1.Budget) { b.Lines[0].SecuredWon, b.Lines[0].ExecutedWon = 1, 2 }), codes.InvalidArgument, []string{"budget.lines[0].executed_won"}},
		{"a year after the term", with(func(b *budgetv1.Budget) { b.Lines[2].Year = 2023 }), codes.InvalidArgument, []string{"budget.lines[2].year"}},
		{"a year before the term", with(func(b *budgetv1.Budget) { b.Lines[0].Year = 2017 }), codes.InvalidArgument, []string{"budget.lines[0].year"}},
		{"an unknown source", with(func(b *budgetv1.Budget) { b.Lines[1].Source = 9 }), codes.InvalidArgument, []string{"budget.lines[1].source"}},
		{"no source", with(func(b *budgetv1.Budget) { b.Lines[1].Source = 0 }), codes.InvalidArgument, []string{"budget.lines[1].source"}},
		{"a duplicate source and year", with(func(b *budgetv1.Budget) { b.Lines[2].Year = 2021 }), codes.InvalidArgument, []string{"budget.lines[2]"}},
		{"an amount beyond any budget", with(func(b *budgetv1.Budget) { b.Lines[0].PlannedWon = 1 << 62 }), codes.InvalidArgument, []string{"budget.lines[0].planned_won"}},
		{"several at once", with(func(b *budgetv1.Budget) {
			b.Lines[0].PlannedWon = -5
			b.Lines[2].Year = 2030
			b.AsOfDate = day(2021, 2, 29)
		}), codes.InvalidArgument, []string{"budget.as_of_date", "budget.lines[0].planned_won", "budget.lines[2].year"}},
		{"a stale etag", with(func(b *budgetv1.Budget) { b.Etag = "0000"; b.Lines[0].PlannedWon = 1 }), codes.Aborted, nil},
		{"an unknown pledge", &budgetv1.Budget{Name: "districts/gwangsan/pledges/nothing/budget", Lines: cardPlan("").Lines}, codes.NotFound, nil},
		{"an unknown district", &budgetv1.Budget{Name: "districts/nowhere/pledges/nothing/budget"}, codes.NotFound, nil},
		{"a malformed name", &budgetv1.Budget{Name: "districts/gwangsan/budget"}, codes.InvalidArgument, []string{"budget.name"}},
	}
	before := snapshot(t, e.budgetPool)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: tt.budget, AllowMissing: true})
			st := status.Convert(err)
			if st.Code() != tt.code {
				t.Fatalf("got %v (%v), want %v", st.Code(), err, tt.code)
			}
			if tt.fields != nil {
				var got []string
				for _, v := range apierr.FieldViolations(st) {
					got = append(got, v.Field)
				}
				if !cmp.Equal(got, tt.fields) {
					t.Errorf("violations %v, want %v", got, tt.fields)
				}
			}
		})
	}
	if after := snapshot(t, e.budgetPool); !cmp.Equal(before, after) {
		t.Fatalf("refused plans changed the budget schema")
	}
	// Carry-over makes executed above secured legitimate.
	if _, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: with(func(b *budgetv1.Budget) {
		b.Lines[1].SecuredWon, b.Lines[1].ExecutedWon, b.Lines[1].CarryOver = 1_000_000, 1_500_000, true
	})}); err != nil {
		t.Errorf("a carried-over line: %v", err)
	}
	if after := snapshot(t, e.budgetPool); before["lines"] == after["lines"] {
		t.Error("the carried-over update did not write")
	}
}

func TestWithThePledgeServiceDownNothingIsWritten(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := snapshot(t, e.budgetPool)
	e.stopPledges()
	_, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(e.cardPledge + "/budget"), AllowMissing: true})
	if status.Code(err) != codes.Unavailable || !strings.Contains(status.Convert(err).Message(), "nothing was written") {
		t.Fatalf("with the pledge service down: %v, want UNAVAILABLE", err)
	}
	if after := snapshot(t, e.budgetPool); !cmp.Equal(before, after) {
		t.Error("a plan was written without the pledge service's word")
	}
}

// snapshot digests every row of the budget schema, its audit log too.
func snapshot(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range []string{"plans", "lines", "audit_events"} {
		var d *string
		if err := pool.QueryRow(context.Background(), `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM `+table+` t`).Scan(&d); err != nil {
			t.Fatal(err)
		}
		if d != nil {
			out[table] = *d
		}
	}
	return out
}
