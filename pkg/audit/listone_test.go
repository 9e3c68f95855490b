package audit_test

import (
	"context"
	"testing"
	"time"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/audit"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// TestListOneAnswersAServicesOwnPage: a bad request is refused before the
// log is read; a full page carries a token that reads on after its last
// event.
func TestListOneAnswersAServicesOwnPage(t *testing.T) {
	var asked []audit.Page
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	list := func(_ context.Context, p audit.Page) ([]*typev1.AuditEvent, error) {
		asked = append(asked, p)
		return []*typev1.AuditEvent{
			{Name: "districts/gwangsan/auditEvents/budget-2", Service: "budget", Time: timestamppb.New(at)},
			{Name: "districts/gwangsan/auditEvents/budget-1", Service: "budget", Time: timestamppb.New(at.Add(-time.Minute))},
		}, nil
	}
	if _, err := audit.ListOne(t.Context(), &typev1.ListAuditEventsRequest{Parent: "pledges/1"}, list); err == nil || len(asked) != 0 {
		t.Errorf("a bad parent: %v, after %d reads; want an error and no read", err, len(asked))
	}
	resp, err := audit.ListOne(t.Context(), &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan", PageSize: 2}, list)
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0].District != "gwangsan" || asked[0].Size != 2 {
		t.Errorf("read the page %+v, want gwangsan's, two events", asked)
	}
	if got := resp.GetAuditEvents(); len(got) != 2 || got[0].GetName() != "districts/gwangsan/auditEvents/budget-1" {
		t.Errorf("events %v, want both, the older first", got)
	}
	if resp.GetNextPageToken() == "" {
		t.Error("a full page without a next token")
	}
}
