package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// seoulToday is today's date in Korea, where effective dates are counted
// (Korea keeps no summer time).
func seoulToday() *date.Date {
	now := time.Now().In(time.FixedZone("KST", 9*60*60))
	return day(int32(now.Year()), int32(now.Month()), int32(now.Day()))
}

func dateText(d *date.Date) string {
	if d == nil {
		return "none"
	}
	return time.Date(int(d.GetYear()), time.Month(d.GetMonth()), int(d.GetDay()), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

// TestAStatusChangeTakesEffectOnTheDayGiven back-fills a pledge entered
// today with its past: changes dated in the past, in order, by those who
// record the past; a retry replays; dates out of the term, in the future or
// before the last change are refused naming effective_date, and nothing is
// written; a change without a date takes effect today.
func TestAStatusChangeTakesEffectOnTheDayGiven(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	admin := e.as(t, ctx, "kim", "district-admin@districts/gwangsan")
	p, err := e.pledges.CreatePledge(admin, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{
		Title: "행복동아리 지원", Term: 7, OwningDepartment: "districts/gwangsan/departments/legal-support"}})
	if err != nil {
		t.Fatal(err)
	}
	dated := &pledgev1.ChangePledgeStatusRequest{Name: p.GetName(), Etag: p.GetEtag(), Status: pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED,
		Reason: "10개 동아리 선정 완료", EffectiveDate: day(2020, 12, 1), RequestId: "back-fill-1"}
	completed, err := e.pledges.ChangePledgeStatus(admin, dated)
	if err != nil {
		t.Fatal(err)
	}
	// The retry replays the first answer and writes nothing more.
	again, err := e.pledges.ChangePledgeStatus(admin, dated)
	if err != nil || again.GetEtag() != completed.GetEtag() || again.GetStatus() != pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED {
		t.Errorf("the retry: %v %v", again, err)
	}

	// Who may date a change: district admins, registrars, system admins.
	for _, tt := range []struct {
		who, role string
		want      codes.Code
	}{
		{"yoon", "department-editor@districts/gwangsan/departments/legal-support", codes.PermissionDenied},
		{"lee", "viewer@districts/gwangsan", codes.PermissionDenied},
		{"park", "district-admin@districts/seogu", codes.PermissionDenied},
	} {
		_, err := e.pledges.ChangePledgeStatus(e.as(t, ctx, tt.who, tt.role), &pledgev1.ChangePledgeStatusRequest{Name: p.GetName(), Etag: completed.GetEtag(),
			Status: pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING, Reason: "계속", EffectiveDate: day(2021, 3, 2)})
		if st := wantStatus(t, err, tt.want); !strings.Contains(st.Message(), "effective_date") {
			t.Errorf("%s's refusal does not say why: %q", tt.role, st.Message())
		}
	}
	// The department editor may change the status undated, as before.
	_, err = e.pledges.ChangePledgeStatus(e.as(t, ctx, "yoon", "department-editor@districts/gwangsan/departments/legal-support"),
		&pledgev1.ChangePledgeStatusRequest{Name: p.GetName(), Etag: "stale", Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, Reason: "보류"})
	wantStatus(t, err, codes.Aborted)
	// A registrar records the past, though it writes no pledge otherwise.
	registrar := e.as(t, ctx, "choi", "registrar@districts/gwangsan")
	continuing, err := e.pledges.ChangePledgeStatus(registrar, &pledgev1.ChangePledgeStatusRequest{Name: p.GetName(), Etag: completed.GetEtag(),
		Status: pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING, Reason: "후속 사업 계속", EffectiveDate: day(2021, 3, 2)})
	if err != nil {
		t.Fatalf("the registrar's dated change: %v", err)
	}
	_, err = e.pledges.ChangePledgeStatus(registrar, &pledgev1.ChangePledgeStatusRequest{Name: p.GetName(), Etag: continuing.GetEtag(),
		Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, Reason: "보류"})
	wantStatus(t, err, codes.PermissionDenied)

	tomorrow := time.Now().In(time.FixedZone("KST", 9*60*60)).AddDate(0, 0, 1)
	before := snapshot(t, e.pool)
	for _, tt := range []struct {
		name string
		d    *date.Date
		says string
	}{
		{"the day before the term", day(2018, 6, 30), "before 민선 7기 began (2018-07-01)"},
		{"tomorrow", day(int32(tomorrow.Year()), int32(tomorrow.Month()), int32(tomorrow.Day())), "after today"},
		{"before the last change", day(2021, 3, 1), "before the pledge's last status change took effect (2021-03-02)"},
		{"a month alone", day(2021, 4, 0), "whole date"},
	} {
		_, err := e.pledges.ChangePledgeStatus(admin, &pledgev1.ChangePledgeStatusRequest{Name: p.GetName(), Etag: continuing.GetEtag(),
			Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, Reason: "보류", EffectiveDate: tt.d})
		st := wantStatus(t, err, codes.InvalidArgument)
		if v := apierr.FieldViolations(st); len(v) != 1 || v[0].Field != "effective_date" || !strings.Contains(v[0].Description, tt.says) {
			t.Errorf("%s: %v, want effective_date saying %q", tt.name, v, tt.says)
		}
	}
	if after := snapshot(t, e.pool); !equalMaps(before, after) {
		t.Error("a refused change wrote something")
	}

	// Undated, the change takes effect today.
	if _, err := e.pledges.ChangePledgeStatus(admin, &pledgev1.ChangePledgeStatusRequest{Name: p.GetName(), Etag: continuing.GetEtag(),
		Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, Reason: "예산 미확보"}); err != nil {
		t.Fatal(err)
	}
	hist, err := e.pledges.ListStatusChanges(admin, &pledgev1.ListStatusChangesRequest{Parent: p.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range hist.GetStatusChanges() {
		got = append(got, c.GetStatus().String()+" "+dateText(c.GetEffectiveDate()))
	}
	today := dateText(seoulToday())
	want := []string{"PLEDGE_STATUS_ON_TRACK " + today, "PLEDGE_STATUS_COMPLETED 2020-12-01", "PLEDGE_STATUS_COMPLETED_CONTINUING 2021-03-02", "PLEDGE_STATUS_ON_HOLD " + today}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("history:\n got %v\nwant %v", got, want)
	}
	// Each change is in the audit log once, the retry not again.
	events, err := e.audit.ListAuditEvents(ctx, &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan", Filter: `resource = "` + p.GetName() + `"`})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range events.GetAuditEvents() {
		actions = append(actions, ev.GetAction())
	}
	if strings.Join(actions, " ") != "create change_status change_status change_status" {
		t.Errorf("audit actions: %v", actions)
	}
	// Anonymous callers are asked to sign in.
	_, err = pledgev1.NewPledgeServiceClient(e.conn).ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: p.GetName(), Etag: "x",
		Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, Reason: "x", EffectiveDate: day(2021, 3, 2)})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("anonymous: %v", err)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestTheImportDatesTheStatusAsTheCardDoes imports the seed card as an
// export that dates its status (완료('20.12.)): the history starts with
// the status in effect from 1 December 2020. A re-import with a later dated
// status adds a change dated as the card says; one dated before the term is
// refused naming card.status_date, and writes nothing. The reference card,
// which dates nothing, has its status dated the day of the import.
func TestTheImportDatesTheStatusAsTheCardDoes(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	history := func(pledge string) string {
		t.Helper()
		hist, err := st.pledges.ListStatusChanges(ctx, &pledgev1.ListStatusChangesRequest{Parent: pledge})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range hist.GetStatusChanges() {
			got = append(got, c.GetStatus().String()+" "+dateText(c.GetEffectiveDate()))
		}
		return strings.Join(got, ", ")
	}
	dated := strings.Replace(seedCard(t), "추진상황\t완료", "추진상황\t완료('20.12.)", 1)
	first := st.importCard(t, "gwangsan", dated)
	name := first.GetPledge().GetName()
	if got := history(name); got != "PLEDGE_STATUS_COMPLETED 2020-12-01" {
		t.Errorf("after the first import: %s", got)
	}
	st.importCard(t, "gwangsan", strings.Replace(seedCard(t), "추진상황\t완료", "추진상황\t이행 후 계속추진 (2021. 3.)", 1))
	if got := history(name); got != "PLEDGE_STATUS_COMPLETED 2020-12-01, PLEDGE_STATUS_COMPLETED_CONTINUING 2021-03-01" {
		t.Errorf("after the re-import: %s", got)
	}

	before := st.counts(t)
	for _, cell := range []string{"완료('18. 6.)", "완료('21. 2.)"} {
		_, err := st.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan", Term: 7,
			CardText: strings.Replace(seedCard(t), "추진상황\t완료", "추진상황\t"+cell, 1)})
		fv := apierr.FieldViolations(status.Convert(err))
		if status.Code(err) != codes.InvalidArgument || len(fv) != 1 || fv[0].Field != "card.status_date" {
			t.Errorf("a card dating its status %s: %v (%v), want a violation of card.status_date", cell, err, fv)
		}
	}
	if after := st.counts(t); !equalCounts(before, after) || !strings.HasSuffix(history(name), "2021-03-01") {
		t.Errorf("refused imports wrote: %v → %v; history %s", before, after, history(name))
	}

	// The reference card in another district: dated the day it comes in.
	other := st.importCard(t, "other", seedCard(t))
	if got, want := history(other.GetPledge().GetName()), "PLEDGE_STATUS_COMPLETED "+dateText(seoulToday()); got != want {
		t.Errorf("the reference card's history: %s, want %s", got, want)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
