package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"google.golang.org/grpc/codes"
)

// batchOf is a batch of n new pledges of gwangsan titled 공약 0, 공약 1, …
func batchOf(n int, requestID string) *pledgev1.BatchCreatePledgesRequest {
	req := &pledgev1.BatchCreatePledgesRequest{Parent: "districts/gwangsan", RequestId: requestID}
	for i := range n {
		req.Requests = append(req.Requests, &pledgev1.CreatePledgeRequest{PledgeId: fmt.Sprintf("p%d", i), Pledge: &pledgev1.Pledge{
			Title: fmt.Sprintf("공약 %d", i), Term: 8, OwningDepartment: "districts/gwangsan/departments/legal-support",
			ProgressLog: []*pledgev1.DatedEntry{{Date: &pledgev1.DateLabel{Label: "'23. 3."}}},
		}})
	}
	return req
}

// TestABatchOfPledgesIsWrittenWholeOrNotAtAll sends a batch with bad
// requests among good ones: every fault is named under its request and
// nothing is written. Then the good batch is written whole, each pledge
// with the start of its status history and its audit event, and its
// retry creates nothing more.
func TestABatchOfPledgesIsWrittenWholeOrNotAtAll(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	before := snapshot(t, e.pool)

	bad := batchOf(6, "")
	bad.Requests[2].Pledge.Title = ""
	bad.Requests[4].Pledge.ProgressLog[0].Date.Label = "언젠가"
	bad.Requests[4].Pledge.OwningDepartment = "districts/gwangsan/departments/nowhere"
	bad.Requests[5].Parent = "districts/seogu"
	_, err := e.pledges.BatchCreatePledges(ctx, bad)
	want := []string{"requests[2].pledge.title", "requests[4].pledge.owning_department", "requests[4].pledge.progress_log[0].date.label", "requests[5].parent"}
	if got := violated(wantStatus(t, err, codes.InvalidArgument)); !slices.Equal(got, want) {
		t.Errorf("violations %v, want %v", got, want)
	}
	if after := snapshot(t, e.pool); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused batch wrote: %v → %v", before, after)
	}

	good := batchOf(6, "batch-1")
	good.Requests[3].Pledge.Term = 0 // the district's current term: 9
	resp, err := e.pledges.BatchCreatePledges(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetPledges()) != 6 {
		t.Fatalf("%d pledges came back, want 6", len(resp.GetPledges()))
	}
	for i, p := range resp.GetPledges() {
		wantTerm := int32(8)
		if i == 3 {
			wantTerm = 9
		}
		if p.GetName() != fmt.Sprintf("districts/gwangsan/pledges/p%d", i) || p.GetTitle() != fmt.Sprintf("공약 %d", i) ||
			p.GetTerm() != wantTerm || p.GetStatus() != pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK ||
			p.GetProgressLog()[0].GetDate().GetDate().GetYear() != 2023 || p.GetEtag() == "" {
			t.Errorf("pledge %d: %v", i, p)
		}
		got, err := e.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: p.GetName()})
		if err != nil || got.GetEtag() != p.GetEtag() {
			t.Errorf("read back %s: %v %v", p.GetName(), got, err)
		}
		history, err := e.pledges.ListStatusChanges(ctx, &pledgev1.ListStatusChangesRequest{Parent: p.GetName()})
		if err != nil || len(history.GetStatusChanges()) != 1 || history.GetStatusChanges()[0].GetReason() != "created" ||
			!strings.HasPrefix(history.GetStatusChanges()[0].GetActor(), "user:admin@") {
			t.Errorf("history of %s: %v %v", p.GetName(), history, err)
		}
	}
	var events int
	if err := e.pool.QueryRow(ctx, `SELECT count(DISTINCT resource) FROM audit_events WHERE action = 'create' AND resource LIKE 'districts/gwangsan/pledges/p%'`).Scan(&events); err != nil || events != 6 {
		t.Errorf("%d create events (%v), want one per pledge", events, err)
	}

	// The retry answers as the first call did and writes nothing.
	written := snapshot(t, e.pool)
	_, err = e.pledges.BatchCreatePledges(ctx, batchOf(6, "batch-1"))
	if got := violated(wantStatus(t, err, codes.InvalidArgument)); !slices.Equal(got, []string{"request_id"}) {
		t.Errorf("another batch under a used request_id: %v", got)
	}
	again, err := e.pledges.BatchCreatePledges(ctx, good)
	if err != nil || len(again.GetPledges()) != 6 || again.GetPledges()[5].GetEtag() != resp.GetPledges()[5].GetEtag() {
		t.Errorf("the retry: %v %v", again, err)
	}
	if after := snapshot(t, e.pool); fmt.Sprint(after) != fmt.Sprint(written) {
		t.Error("the retry wrote")
	}

	// Pledges already there, by id and by title, and twice in one batch:
	// each is named, and nothing is written.
	dup := batchOf(3, "")
	dup.Requests[0].PledgeId = "p1"    // stored
	dup.Requests[1].PledgeId = "new-1" // its title 공약 1 is p1's
	dup.Requests[2].PledgeId = "new-2"
	dup.Requests[2].Pledge.Title = "새 공약"
	dup.Requests = append(dup.Requests, &pledgev1.CreatePledgeRequest{PledgeId: "new-3", Pledge: &pledgev1.Pledge{Title: "새 공약", Term: 8}})
	_, err = e.pledges.BatchCreatePledges(ctx, dup)
	want = []string{"requests[0].pledge.title", "requests[0].pledge_id", "requests[1].pledge.title", "requests[3].pledge.title"}
	if got := violated(wantStatus(t, err, codes.AlreadyExists)); !slices.Equal(got, want) {
		t.Errorf("already there: %v, want %v", got, want)
	}
	if after := snapshot(t, e.pool); fmt.Sprint(after) != fmt.Sprint(written) {
		t.Error("a refused batch wrote")
	}
}

// TestABatchHoldsAtMost500Pledges refuses 501, and an empty batch.
func TestABatchHoldsAtMost500Pledges(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	for _, n := range []int{0, 501} {
		_, err := e.pledges.BatchCreatePledges(context.Background(), batchOf(n, ""))
		if got := violated(wantStatus(t, err, codes.InvalidArgument)); !slices.Equal(got, []string{"requests"}) {
			t.Errorf("%d requests: violations %v, want requests", n, got)
		}
	}
	resp, err := e.pledges.BatchCreatePledges(context.Background(), batchOf(500, ""))
	if err != nil || len(resp.GetPledges()) != 500 {
		t.Errorf("500 pledges: %d, %v", len(resp.GetPledges()), err)
	}
}

// TestOnlyWritersOfTheWholeDistrictLoadBatches lets a district admin load
// a batch and refuses a department editor, even for pledges its own
// department owns.
func TestOnlyWritersOfTheWholeDistrictLoadBatches(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	editor := e.as(t, ctx, "legal", "department-editor@districts/gwangsan/departments/legal-support")
	_, err := e.pledges.BatchCreatePledges(editor, batchOf(2, ""))
	wantStatus(t, err, codes.PermissionDenied)
	one := batchOf(1, "").GetRequests()[0]
	one.Parent = "districts/gwangsan"
	if _, err := e.pledges.CreatePledge(editor, one); err != nil {
		t.Errorf("the editor creates its department's pledge alone: %v", err)
	}
	admin := e.as(t, ctx, "kim", "district-admin@districts/gwangsan")
	_, err = e.pledges.BatchCreatePledges(admin, batchOf(3, ""))
	wantStatus(t, err, codes.AlreadyExists) // let in: p0 is the editor's now
	req := batchOf(3, "")
	req.Requests = req.Requests[1:]
	if _, err := e.pledges.BatchCreatePledges(admin, req); err != nil {
		t.Errorf("the district admin's batch: %v", err)
	}
	_, err = e.pledges.BatchCreatePledges(e.as(t, ctx, "park", "district-admin@districts/seogu"), batchOf(2, ""))
	wantStatus(t, err, codes.PermissionDenied)
}
