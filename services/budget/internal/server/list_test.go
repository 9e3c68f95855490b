package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/filter/filtertest"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// A change of a pledge's budget — only its lines — moves the plan's
// update_time, and a poller listing the district's plans changed since it
// last looked sees that plan alone.
func TestABudgetChangeIsSeenByAPollerOfListBudgets(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	card, other := e.cardPledge+"/budget", e.afterTermOne+"/budget"
	first, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(card), AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{AllowMissing: true, Budget: &budgetv1.Budget{
		Name: other, Lines: []*budgetv1.BudgetLine{{Source: local, Year: 2023, PlannedWon: 9_000_000}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	since := second.GetUpdateTime().AsTime()
	lines := cardPlan(card).GetLines()
	lines[0].SecuredWon = 2_500_000
	changed, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{
		Budget:     &budgetv1.Budget{Name: card, Etag: first.GetEtag(), Lines: lines},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"lines"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !changed.GetUpdateTime().AsTime().After(since) {
		t.Fatalf("a change of the lines left update_time at %v, not after %v", changed.GetUpdateTime().AsTime(), since)
	}
	at := since.Format("2006-01-02T15:04:05.999999999Z07:00")
	for filter, want := range map[string][]string{
		"":                                   {card, other},
		fmt.Sprintf("update_time > %q", at):  {card},
		fmt.Sprintf("update_time >= %q", at): {card, other},
		fmt.Sprintf("update_time < %q", at):  nil,
		"term = 7":                           {card},
	} {
		resp, err := e.budgets.ListBudgets(ctx, &budgetv1.ListBudgetsRequest{Parent: "districts/gwangsan", Filter: filter})
		if err != nil {
			t.Fatalf("filter %q: %v", filter, err)
		}
		var got []string
		for _, b := range resp.GetBudgets() {
			got = append(got, b.GetName())
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("filter %q: %q, want %q", filter, got, want)
		}
		if filter != "" && len(resp.GetBudgets()) > 0 && resp.GetBudgets()[0].GetName() == card &&
			resp.GetBudgets()[0].GetTotal().GetSecuredWon() != 2_500_000 {
			t.Errorf("filter %q: the listed plan does not show its change: %v", filter, resp.GetBudgets()[0].GetTotal())
		}
	}
}

func TestListBudgetsRefusesWhatItCannotHonour(t *testing.T) {
	e := newEnv(t)
	filtertest.Refused(t, "ListBudgets", func(filter string) error {
		_, err := e.budgets.ListBudgets(context.Background(), &budgetv1.ListBudgetsRequest{Parent: "districts/gwangsan", Filter: filter})
		return err
	})
	_, err := e.budgets.ListBudgets(context.Background(), &budgetv1.ListBudgetsRequest{Parent: "districts/gwangsan", Filter: "term:7"})
	if vs := apierr.FieldViolations(status.Convert(err)); len(vs) != 1 || vs[0].Field != "filter" || !strings.Contains(vs[0].Description, "not a list") {
		t.Errorf("term:7: %v, want the filter refused, term being no list", err)
	}
	_, err = e.budgets.ListBudgets(context.Background(), &budgetv1.ListBudgetsRequest{Parent: "gwangsan"})
	if vs := apierr.FieldViolations(status.Convert(err)); len(vs) != 1 || vs[0].Field != "parent" {
		t.Errorf("a bad parent: %v, want it named", err)
	}
}
