package server_test

import (
	"context"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	"github.com/gongyak/gongyak/pkg/pgdb"
)

// TestTheBudgetServiceReadsItsOwnTablesOnly connects as the budget
// service does, as its role gongyak_budget, to a database holding the
// pledge service's tables and data too: the server refuses it those.
func TestTheBudgetServiceReadsItsOwnTablesOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var user string
	if err := e.budgetPool.QueryRow(ctx, "SELECT current_user").Scan(&user); err != nil || user != "gongyak_budget" {
		t.Fatalf("the budget pool connects as %q (%v), want gongyak_budget", user, err)
	}
	for _, sql := range []string{
		"SELECT * FROM pledge.pledges",
		"SELECT * FROM pledge.districts",
		"UPDATE pledge.pledges SET title = title",
		"CREATE TABLE pledge.budgets (id bigint)",
	} {
		if _, err := e.budgetPool.Exec(ctx, sql); !pgdb.IsCode(err, "42501") {
			t.Errorf("%s as gongyak_budget: %v, want insufficient_privilege (42501)", sql, err)
		}
	}
	if _, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(e.cardPledge + "/budget"), AllowMissing: true}); err != nil {
		t.Fatal(err)
	}
	var lines int
	if err := e.budgetPool.QueryRow(ctx, "SELECT count(*) FROM lines").Scan(&lines); err != nil || lines != 3 {
		t.Errorf("its own table lines: %d rows, %v; want the 3 it saved", lines, err)
	}
}
