package server_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// TestEveryChangeIsAuditedInItsOwnTransaction has the card's department
// write an indicator and its district admin read the log: refused writes
// leave no event, a write whose event cannot be stored is not made, a
// retried create is one event, and each write made leaves exactly one
// event with who, what, the request id and the fields that changed.
func TestEveryChangeIsAuditedInItsOwnTransaction(t *testing.T) {
	e := newEnv(t)
	editor := e.as(e.pledges.Token(t, "park", "department-editor@districts/gwangsan/departments/legal-support"))
	admin := e.as(e.pledges.Token(t, "kim", "district-admin@districts/gwangsan"))
	card := e.pledges.Card
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

	bad := cardIndicator()
	bad.Entries[0].Actual = num("3")
	if _, err := editor.CreateIndicator(request("bad"), &indicatorv1.CreateIndicatorRequest{Parent: card, Indicator: bad}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("a number for a qualitative indicator: %v", err)
	}
	// The log refuses this request's event: the indicator is not written either.
	if _, err := e.pool.Exec(context.Background(),
		`ALTER TABLE audit_events ADD CONSTRAINT refuse_one CHECK (request_id <> 'unrecordable')`); err != nil {
		t.Fatal(err)
	}
	if _, err := editor.CreateIndicator(request("unrecordable"), &indicatorv1.CreateIndicatorRequest{Parent: card, Indicator: cardIndicator()}); status.Code(err) != codes.Internal {
		t.Fatalf("a write whose event cannot be stored: %v, want INTERNAL", err)
	}
	if list, err := admin.ListIndicators(context.Background(), &indicatorv1.ListIndicatorsRequest{Parent: card}); err != nil || len(list.GetIndicators()) != 0 {
		t.Fatalf("the indicator was written without its event: %v, %v", list, err)
	}

	create := &indicatorv1.CreateIndicatorRequest{Parent: card, Indicator: cardIndicator(), RequestId: "create-1"}
	created, err := editor.CreateIndicator(request("create-1"), create)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := editor.CreateIndicator(request("create-1"), create); err != nil {
		t.Fatalf("the create retried: %v", err)
	}
	if _, err := editor.UpdateIndicator(request("stale"), &indicatorv1.UpdateIndicatorRequest{Indicator: &indicatorv1.Indicator{
		Name: created.GetName(), Etag: stale, Title: "광산구정혁신 TF"}}); status.Code(err) != codes.Aborted {
		t.Fatalf("a stale etag: %v", err)
	}
	updated, err := editor.UpdateIndicator(request("update-1"), &indicatorv1.UpdateIndicatorRequest{Indicator: &indicatorv1.Indicator{
		Name: created.GetName(), Etag: created.GetEtag(), Title: "광산구정혁신 TF"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := editor.DeleteIndicator(request("delete-1"), &indicatorv1.DeleteIndicatorRequest{Name: created.GetName(), Etag: updated.GetEtag()}); err != nil {
		t.Fatal(err)
	}

	got := events()
	if len(got) != 3 {
		var actions []string
		for _, ev := range got {
			actions = append(actions, ev.GetAction()+" "+ev.GetRequestId())
		}
		t.Fatalf("%d events after a create (retried), an update and a delete: %v", len(got), actions)
	}
	actor := "user:park@" + strings.TrimPrefix(e.pledges.Issuer.URL, "http://")
	name := created.GetName()
	for i, want := range []struct{ action, request string }{{"create", "create-1"}, {"update", "update-1"}, {"delete", "delete-1"}} {
		ev := got[i]
		if ev.GetActor() != actor || ev.GetAction() != want.action || ev.GetResource() != name || ev.GetRequestId() != want.request ||
			ev.GetService() != "indicator" || ev.GetTime() == nil {
			t.Errorf("event %d: %v; want %s of %s by %s in request %s", i, ev, want.action, name, actor, want.request)
		}
	}
	keys := func(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
	c, u, d := got[0], got[1], got[2]
	if len(c.GetBefore().AsMap()) != 0 || c.GetAfter().AsMap()["title"] != "광산구정혁신 TF 운영" || len(c.GetAfter().AsMap()["entries"].([]any)) != 3 {
		t.Errorf("the create's event: before %v, after %v", c.GetBefore(), c.GetAfter())
	}
	if !cmp.Equal(keys(u.GetBefore().AsMap()), []string{"title"}) || u.GetBefore().AsMap()["title"] != "광산구정혁신 TF 운영" || u.GetAfter().AsMap()["title"] != "광산구정혁신 TF" || len(u.GetAfter().AsMap()) != 1 {
		t.Errorf("the update's event: before %v, after %v; want the title alone", u.GetBefore(), u.GetAfter())
	}
	if len(d.GetAfter().AsMap()) != 0 || d.GetBefore().AsMap()["name"] != name || d.GetBefore().AsMap()["title"] != "광산구정혁신 TF" {
		t.Errorf("the delete's event: before %v, after %v", d.GetBefore(), d.GetAfter())
	}

	viewer := e.as(e.pledges.Token(t, "lee", "viewer@districts/gwangsan"))
	if _, err := viewer.ListAuditEvents(context.Background(), &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("a viewer read the audit log: %v", err)
	}
}

// TestWritesNeedTheirEtag refuses an update or delete without the
// indicator's etag, naming the field.
func TestWritesNeedTheirEtag(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	created, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.Card, Indicator: cardIndicator()})
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, e.pool)
	for _, validateOnly := range []bool{false, true} {
		_, err := e.indicators.UpdateIndicator(ctx, &indicatorv1.UpdateIndicatorRequest{
			Indicator: &indicatorv1.Indicator{Name: created.GetName(), Title: "x"}, ValidateOnly: validateOnly})
		if status.Code(err) != codes.InvalidArgument || !cmp.Equal(violated(err), []string{"indicator.etag"}) {
			t.Errorf("an update without its etag (validate_only %v): %v, violations %v", validateOnly, err, violated(err))
		}
	}
	_, err = e.indicators.UpdateIndicator(ctx, &indicatorv1.UpdateIndicatorRequest{Indicator: &indicatorv1.Indicator{Name: "districts/gwangsan/indicators/x"}})
	if !cmp.Equal(violated(err), []string{"indicator.etag", "indicator.name"}) {
		t.Errorf("an update without its etag of a malformed name: violations %v", violated(err))
	}
	_, err = e.indicators.DeleteIndicator(ctx, &indicatorv1.DeleteIndicatorRequest{Name: created.GetName()})
	if status.Code(err) != codes.InvalidArgument || !cmp.Equal(violated(err), []string{"etag"}) {
		t.Errorf("a delete without its etag: %v, violations %v", err, violated(err))
	}
	if after := snapshot(t, e.pool); after != before {
		t.Error("writes without their etag changed the indicator schema")
	}
}

// TestEveryDistrictsSummaryNeedsASystemWideGrant lets the ministry's
// reporter read `districts/-`, and refuses a district's viewer, who reads
// its own district's.
func TestEveryDistrictsSummaryNeedsASystemWideGrant(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.Card, Indicator: cardIndicator()}); err != nil {
		t.Fatal(err)
	}
	all := &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/-", GroupBy: []string{"district", "term"}}
	want, err := e.indicators.SummarizeIndicators(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.as(e.pledges.Token(t, "ministry", "ministry-reporter")).SummarizeIndicators(ctx, all)
	if err != nil {
		t.Fatalf("the ministry's reporter: %v", err)
	}
	if len(got.GetRows()) != 1 || got.GetRows()[0].GetDistrict() != "districts/gwangsan" || got.GetRows()[0].GetNoDataEntries() != 3 ||
		got.GetTotal().GetNoDataEntries() != want.GetTotal().GetNoDataEntries() {
		t.Errorf("the reporter read %v; the admin %v", got, want)
	}
	viewer := e.as(e.pledges.Token(t, "lee", "viewer@districts/gwangsan"))
	if _, err := viewer.SummarizeIndicators(ctx, all); status.Code(err) != codes.PermissionDenied {
		t.Errorf("gwangsan's viewer read every district's summary: %v", err)
	}
	if _, err := viewer.SummarizeIndicators(ctx, &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/gwangsan"}); err != nil {
		t.Errorf("gwangsan's viewer reading gwangsan's summary: %v", err)
	}
}
