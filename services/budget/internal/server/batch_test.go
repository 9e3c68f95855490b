package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// pledgesOfTerm8 adds n pledges of 민선 8기 to gwangsan and returns their
// names.
func (e *env) pledgesOfTerm8(t *testing.T, n int) []string {
	t.Helper()
	req := &pledgev1.BatchCreatePledgesRequest{Parent: "districts/gwangsan"}
	for i := range n {
		req.Requests = append(req.Requests, &pledgev1.CreatePledgeRequest{Pledge: &pledgev1.Pledge{Title: fmt.Sprintf("8기 공약 %d", i), Term: 8}})
	}
	resp, err := e.pledges.BatchCreatePledges(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range resp.GetPledges() {
		names = append(names, p.GetName())
	}
	return names
}

// plansOf is a batch creating a plan for each pledge: 구비 in 2023 and
// 2024, the second year's partly executed.
func plansOf(pledges []string, requestID string) *budgetv1.BatchUpdateBudgetsRequest {
	req := &budgetv1.BatchUpdateBudgetsRequest{Parent: "districts/gwangsan", RequestId: requestID}
	for i, p := range pledges {
		won := int64(i+1) * 1_000_000
		req.Requests = append(req.Requests, &budgetv1.UpdateBudgetRequest{AllowMissing: true, Budget: &budgetv1.Budget{
			Name: p + "/budget", Lines: []*budgetv1.BudgetLine{
				{Source: local, Year: 2023, PlannedWon: won, SecuredWon: won, ExecutedWon: won},
				{Source: local, Year: 2024, PlannedWon: won, SecuredWon: won, ExecutedWon: won / 2},
			}}})
	}
	return req
}

// TestABatchOfPlansIsWrittenWholeOrNotAtAll sends plans with faults among
// good ones: each fault is named under its request, and nothing is
// written. The good batch then writes every plan as UpdateBudget would,
// with its audit event; its retry replays it, and a second batch updates
// the plans with their etags.
func TestABatchOfPlansIsWrittenWholeOrNotAtAll(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pledges := e.pledgesOfTerm8(t, 4)
	before := snapshot(t, e.budgetPool)

	bad := plansOf(pledges, "")
	bad.Requests[1].Budget.Lines[0].Year = 2019              // before 민선 8기
	bad.Requests[1].Budget.Lines[1].ExecutedWon = 99_000_000 // more than secured
	bad.Requests[3].Budget.Name = "districts/seogu/pledges/x/budget"
	_, err := e.budgets.BatchUpdateBudgets(ctx, bad)
	want := []string{"requests[1].budget.lines[0].year", "requests[1].budget.lines[1].executed_won", "requests[3].budget.name"}
	if got := violated(err); status.Code(err) != codes.InvalidArgument || !slices.Equal(got, want) {
		t.Errorf("%v: violations %v, want %v", err, got, want)
	}
	missing := plansOf(append(pledges[:2:2], "districts/gwangsan/pledges/nothing"), "")
	if _, err := e.budgets.BatchUpdateBudgets(ctx, missing); status.Code(err) != codes.NotFound {
		t.Errorf("a plan of a pledge that does not exist: %v, want NOT_FOUND", err)
	}
	if after := snapshot(t, e.budgetPool); !cmp.Equal(before, after) {
		t.Error("a refused batch wrote")
	}

	resp, err := e.budgets.BatchUpdateBudgets(ctx, plansOf(pledges, "plans-1"))
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range resp.GetBudgets() {
		won := int64(i+1) * 1_000_000
		if b.GetName() != pledges[i]+"/budget" || b.GetTerm() != 8 || b.GetTotal().GetPlannedWon() != 2*won ||
			b.GetTotal().GetExecutedWon() != won+won/2 || b.GetLines()[0].GetSourceLabel() != "구비" || b.GetEtag() == "" {
			t.Errorf("plan %d: %v", i, b)
		}
		got, err := e.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: b.GetName()})
		if err != nil || got.GetEtag() != b.GetEtag() || got.GetTotal().GetPlannedWon() != 2*won {
			t.Errorf("read back %s: %v %v", b.GetName(), got, err)
		}
	}
	var events int
	if err := e.budgetPool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'create'`).Scan(&events); err != nil || events != 4 {
		t.Errorf("%d create events (%v), want one per plan", events, err)
	}

	written := snapshot(t, e.budgetPool)
	again, err := e.budgets.BatchUpdateBudgets(ctx, plansOf(pledges, "plans-1"))
	if err != nil || len(again.GetBudgets()) != 4 || again.GetBudgets()[3].GetEtag() != resp.GetBudgets()[3].GetEtag() {
		t.Errorf("the retry: %v %v", again, err)
	}
	if after := snapshot(t, e.budgetPool); !cmp.Equal(written, after) {
		t.Error("the retry wrote")
	}

	// Without their etags the plans, which exist now, are not written;
	// with them they are.
	update := plansOf(pledges[:2], "")
	_, err = e.budgets.BatchUpdateBudgets(ctx, update)
	if got := violated(err); !slices.Equal(got, []string{"requests[0].budget.etag", "requests[1].budget.etag"}) {
		t.Errorf("updates without etags: %v %v", err, got)
	}
	update.Requests[0].Budget.Etag, update.Requests[1].Budget.Etag = resp.GetBudgets()[0].GetEtag(), "00000000000000000000"
	if _, err := e.budgets.BatchUpdateBudgets(ctx, update); status.Code(err) != codes.Aborted {
		t.Errorf("a stale etag: %v, want ABORTED", err)
	}
	update.Requests[1].Budget.Etag = resp.GetBudgets()[1].GetEtag()
	update.Requests[1].Budget.Lines = update.Requests[1].Budget.Lines[:1]
	updated, err := e.budgets.BatchUpdateBudgets(ctx, update)
	if err != nil || len(updated.GetBudgets()[1].GetLines()) != 1 || updated.GetBudgets()[1].GetEtag() == resp.GetBudgets()[1].GetEtag() {
		t.Fatalf("the update: %v %v", updated, err)
	}
	if err := e.budgetPool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'update'`).Scan(&events); err != nil || events != 2 {
		t.Errorf("%d update events (%v), want 2", events, err)
	}
}

// TestABatchOfPlansHoldsAtMost500 refuses 501, and the policy lets a
// district admin write a batch and refuses the department editor who
// owns the pledge.
func TestABatchOfPlansHoldsAtMost500AndNeedsTheWholeDistrict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	many := make([]string, 501)
	for i := range many {
		many[i] = fmt.Sprintf("districts/gwangsan/pledges/p%d", i)
	}
	_, err := e.budgets.BatchUpdateBudgets(ctx, plansOf(many, ""))
	if got := violated(err); !slices.Equal(got, []string{"requests"}) {
		t.Errorf("501 plans: %v %v", err, got)
	}
	card := plansOf([]string{e.cardPledge}, "")
	card.Requests[0].Budget.Lines[0].Year, card.Requests[0].Budget.Lines[1].Year = 2020, 2021
	_, err = e.as(e.p.Token(t, "legal", "department-editor@districts/gwangsan/departments/legal-support")).BatchUpdateBudgets(ctx, card)
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("the card's department editor: %v, want PERMISSION_DENIED", err)
	}
	if _, err := e.as(e.p.Token(t, "kim", "district-admin@districts/gwangsan")).BatchUpdateBudgets(ctx, card); err != nil {
		t.Errorf("the district admin: %v", err)
	}
}
