package server_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/services/pledge/pledgetest"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// TestEveryChangeIsAuditedInItsOwnTransaction writes a plan as a district
// admin: refused writes leave no event, a write whose event cannot be
// stored is not made, and each write made leaves exactly one event with
// who, what, the request id and the fields that changed.
func TestEveryChangeIsAuditedInItsOwnTransaction(t *testing.T) {
	e := newEnv(t)
	admin := e.as(e.p.Token(t, "kim", "district-admin@districts/gwangsan"))
	name := e.cardPledge + "/budget"
	request := func(id string) context.Context {
		return metadata.AppendToOutgoingContext(context.Background(), auth.RequestIDKey, id)
	}
	events := func() []*typev1.AuditEvent {
		t.Helper()
		resp, err := admin.ListAuditEvents(context.Background(), &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetAuditEvents()
	}

	bad := cardPlan(name)
	bad.Lines[0].PlannedWon = -1
	if _, err := admin.UpdateBudget(request("bad"), &budgetv1.UpdateBudgetRequest{Budget: bad, AllowMissing: true}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("a negative amount: %v", err)
	}
	gone := cardPlan(name)
	gone.Etag = stale
	if _, err := admin.UpdateBudget(request("gone"), &budgetv1.UpdateBudgetRequest{Budget: gone, AllowMissing: true}); status.Code(err) != codes.Aborted {
		t.Fatalf("an etag of a plan that is not there: %v", err)
	}
	if got := events(); len(got) != 0 {
		t.Fatalf("refused writes left events: %v", got)
	}

	// The log refuses this request's event: the plan is not written either.
	if _, err := e.budgetPool.Exec(context.Background(),
		`ALTER TABLE audit_events ADD CONSTRAINT refuse_one CHECK (request_id <> 'unrecordable')`); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.UpdateBudget(request("unrecordable"), &budgetv1.UpdateBudgetRequest{Budget: cardPlan(name), AllowMissing: true}); status.Code(err) != codes.Internal {
		t.Fatalf("a write whose event cannot be stored: %v, want INTERNAL", err)
	}
	if _, err := admin.GetBudget(context.Background(), &budgetv1.GetBudgetRequest{Name: name}); status.Code(err) != codes.NotFound {
		t.Fatalf("the plan was written without its event: %v", err)
	}

	created, err := admin.UpdateBudget(request("create-1"), &budgetv1.UpdateBudgetRequest{Budget: cardPlan(name), AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	changed := cardPlan(name)
	changed.Etag = created.GetEtag()
	changed.Lines[2].PlannedWon = 4_000_000
	updated, err := admin.UpdateBudget(request("update-1"), &budgetv1.UpdateBudgetRequest{Budget: changed})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.DeleteBudget(request("delete-1"), &budgetv1.DeleteBudgetRequest{Name: name, Etag: updated.GetEtag()}); err != nil {
		t.Fatal(err)
	}

	got := events()
	if len(got) != 3 {
		var actions []string
		for _, ev := range got {
			actions = append(actions, ev.GetAction()+" "+ev.GetRequestId())
		}
		t.Fatalf("%d events after a create, an update and a delete: %v", len(got), actions)
	}
	actor := "user:kim@" + strings.TrimPrefix(e.p.Issuer.URL, "http://")
	for i, want := range []struct{ action, request string }{{"create", "create-1"}, {"update", "update-1"}, {"delete", "delete-1"}} {
		ev := got[i]
		if ev.GetActor() != actor || ev.GetAction() != want.action || ev.GetResource() != name || ev.GetRequestId() != want.request ||
			ev.GetService() != "budget" || ev.GetTime() == nil {
			t.Errorf("event %d: %v; want %s of %s by %s in request %s", i, ev, want.action, name, actor, want.request)
		}
	}
	keys := func(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
	create, update, del := got[0], got[1], got[2]
	if len(create.GetBefore().AsMap()) != 0 || create.GetAfter().AsMap()["name"] != name || len(create.GetAfter().AsMap()["lines"].([]any)) != 3 {
		t.Errorf("the create's event: before %v, after %v", create.GetBefore(), create.GetAfter())
	}
	// Only what changed: the third line, and the totals that follow.
	if b, a := keys(update.GetBefore().AsMap()), keys(update.GetAfter().AsMap()); !cmp.Equal(b, a) || !cmp.Equal(a, []string{"lines", "sourceTotals", "total", "yearTotals"}) {
		t.Errorf("the update's event names %v before and %v after; want the lines and the totals that follow", b, a)
	}
	if len(del.GetAfter().AsMap()) != 0 || del.GetBefore().AsMap()["name"] != name {
		t.Errorf("the delete's event: before %v, after %v", del.GetBefore(), del.GetAfter())
	}

	viewer := e.as(e.p.Token(t, "lee", "viewer@districts/gwangsan"))
	if _, err := viewer.ListAuditEvents(context.Background(), &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("a viewer read the audit log: %v", err)
	}
}

// TestWritesNeedTheirEtag refuses an update or delete of a plan that
// exists without its etag, naming the field; only creating a plan needs
// none.
func TestWritesNeedTheirEtag(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	name := e.cardPledge + "/budget"
	created, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(name), AllowMissing: true})
	if err != nil {
		t.Fatalf("creating a plan without an etag: %v", err)
	}
	before := snapshot(t, e.budgetPool)
	for _, req := range []*budgetv1.UpdateBudgetRequest{
		{Budget: cardPlan(name)},
		{Budget: cardPlan(name), AllowMissing: true},
		{Budget: cardPlan(name), ValidateOnly: true},
	} {
		_, err := e.budgets.UpdateBudget(ctx, req)
		if status.Code(err) != codes.InvalidArgument || !cmp.Equal(violated(err), []string{"budget.etag"}) {
			t.Errorf("an update without its etag (allow_missing %v, validate_only %v): %v, violations %v",
				req.GetAllowMissing(), req.GetValidateOnly(), err, violated(err))
		}
	}
	bad := cardPlan(name)
	bad.Lines[1].Year = 2030
	_, err = e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: bad})
	if !cmp.Equal(violated(err), []string{"budget.etag", "budget.lines[1].year"}) {
		t.Errorf("a bad plan without its etag: violations %v, want both named", violated(err))
	}
	_, err = e.budgets.DeleteBudget(ctx, &budgetv1.DeleteBudgetRequest{Name: name})
	if status.Code(err) != codes.InvalidArgument || !cmp.Equal(violated(err), []string{"etag"}) {
		t.Errorf("a delete without its etag: %v, violations %v", err, violated(err))
	}
	_, err = e.budgets.DeleteBudget(ctx, &budgetv1.DeleteBudgetRequest{Name: "districts/gwangsan/budget"})
	if !cmp.Equal(violated(err), []string{"etag", "name"}) {
		t.Errorf("a delete without its etag of a malformed name: violations %v", violated(err))
	}
	if _, err := e.budgets.DeleteBudget(ctx, &budgetv1.DeleteBudgetRequest{Name: name, Etag: stale}); status.Code(err) != codes.Aborted {
		t.Errorf("a delete with a stale etag: %v", err)
	}
	if after := snapshot(t, e.budgetPool); !cmp.Equal(before, after) {
		t.Error("writes without their etag changed the budget schema")
	}
	if _, err := e.budgets.DeleteBudget(ctx, &budgetv1.DeleteBudgetRequest{Name: name, Etag: created.GetEtag()}); err != nil {
		t.Errorf("a delete with the etag: %v", err)
	}
}

// TestARevokedKeyStopsWorkingWithinTheCacheTime gives another system a
// key that writes plans, revokes it, and finds it refused once the
// services' memory of it has lapsed.
func TestARevokedKeyStopsWorkingWithinTheCacheTime(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	key, err := e.p.Keys.CreateApiKey(ctx, &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan",
		ApiKey: &pledgev1.ApiKey{DisplayName: "예산 시스템 연계", Scopes: []string{"read", "write"}}})
	if err != nil {
		t.Fatal(err)
	}
	system := e.as(key.GetSecret())
	name := e.cardPledge + "/budget"
	written, err := system.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(name), AllowMissing: true})
	if err != nil {
		t.Fatalf("the key writing a plan: %v", err)
	}
	if _, err := e.p.Keys.RevokeApiKey(ctx, &pledgev1.RevokeApiKeyRequest{Name: key.GetApiKey().GetName()}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(pledgetest.KeyCacheTTL + 300*time.Millisecond)
	if _, err := system.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("a revoked key read a plan: %v", err)
	}
	if _, err := system.DeleteBudget(ctx, &budgetv1.DeleteBudgetRequest{Name: name, Etag: written.GetEtag()}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("a revoked key deleted a plan: %v", err)
	}
	if _, err := e.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name}); err != nil {
		t.Errorf("the plan is gone: %v", err)
	}
}
