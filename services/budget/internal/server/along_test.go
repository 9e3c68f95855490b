package server_test

import (
	"context"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"google.golang.org/protobuf/proto"
)

// forged is the pledge called name as the pledge service has it, but
// stating a required budget of 9백만원 and belonging to term 8, valid in
// 2030 alone.
func (e *env) forged(t *testing.T, name string) *pledgev1.Pledge {
	t.Helper()
	p, err := e.pledges.GetPledge(context.Background(), &pledgev1.GetPledgeRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	f := proto.CloneOf(p)
	f.RequiredBudget = &pledgev1.RequiredBudget{AmountWon: 9_000_000, Label: "9백만원(구 100)", Shares: p.GetRequiredBudget().GetShares()}
	f.Term, f.ValidYears = 8, &pledgev1.YearRange{FirstYear: 2030, LastYear: 2030}
	return f
}

// stated is the required budget a plan was compared with, "" for none.
func stated(b *budgetv1.Budget) string { return b.GetRequiredBudget().GetLabel() }

// TestAForgedPledgeChangesOnlyTheForgersComparison passes a forged
// pledge along with calls to the budget service, as the pledge service
// passes the real one with a card's: the read it comes with compares the
// plan with the forged required budget, and nothing else changes — a
// read without it, a read of another pledge's plan, and a write, which
// checks and stores by the pledge service's word.
func TestAForgedPledgeChangesOnlyTheForgersComparison(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	name := e.cardPledge + "/budget"
	saved, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(name), AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	const real, fake = "8.5백만원(구 100)", "9백만원(구 100)"
	forged := pledgeref.Along(ctx, e.forged(t, e.cardPledge))

	b, err := e.budgets.GetBudget(forged, &budgetv1.GetBudgetRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if rb := b.GetRequiredBudget(); stated(b) != fake || rb.GetStatedWon() != 9_000_000 || rb.GetConsistent() || rb.GetDifferenceWon() != -500_000 {
		t.Errorf("the read the forged pledge came with compares with %v, want the forged 9백만원", rb)
	}
	if b.GetTerm() != 7 || b.GetEtag() != saved.GetEtag() {
		t.Errorf("the forged pledge changed the stored plan's term %d or etag %s", b.GetTerm(), b.GetEtag())
	}

	b, err = e.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name})
	if err != nil || stated(b) != real || !b.GetRequiredBudget().GetConsistent() {
		t.Errorf("a read without it: %v, %v; want the card's own 8.5백만원", err, b.GetRequiredBudget())
	}

	other := pledgeref.Along(ctx, e.forged(t, e.afterTermOne))
	b, err = e.budgets.GetBudget(other, &budgetv1.GetBudgetRequest{Name: name})
	if err != nil || stated(b) != real {
		t.Errorf("a read passing along another pledge: %v, %v; want the card's own 8.5백만원", err, b.GetRequiredBudget())
	}

	// Were the forged pledge believed, its term would be stored and
	// 2020–2022 refused as outside its 2030.
	plan := cardPlan(name)
	plan.Etag = saved.GetEtag()
	plan.Lines[0].PlannedWon = 3_000_000
	b, err = e.budgets.UpdateBudget(forged, &budgetv1.UpdateBudgetRequest{Budget: plan})
	if err != nil {
		t.Fatalf("a write passing along the forged pledge: %v", err)
	}
	if b.GetTerm() != 7 || stated(b) != real {
		t.Errorf("the write took term %d and compared with %q; want the pledge service's term 7 and 8.5백만원", b.GetTerm(), stated(b))
	}
}

// TestAReadWithThePledgePassedAlongNeedsNoPledgeService stops the pledge
// service: a read passing the pledge along still compares the plan with
// its required budget; one without it is served without the comparison.
func TestAReadWithThePledgePassedAlongNeedsNoPledgeService(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	name := e.cardPledge + "/budget"
	if _, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(name), AllowMissing: true}); err != nil {
		t.Fatal(err)
	}
	p, err := e.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: e.cardPledge})
	if err != nil {
		t.Fatal(err)
	}
	e.stopPledges()
	b, err := e.budgets.GetBudget(pledgeref.Along(ctx, p), &budgetv1.GetBudgetRequest{Name: name})
	if err != nil || stated(b) != "8.5백만원(구 100)" || !b.GetRequiredBudget().GetConsistent() {
		t.Errorf("with the pledge passed along: %v, %v; want the comparison with 8.5백만원", err, b.GetRequiredBudget())
	}
	b, err = e.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name})
	if err != nil || b.GetRequiredBudget() != nil {
		t.Errorf("without it: %v, %v; want the plan without the comparison", err, b.GetRequiredBudget())
	}
}
