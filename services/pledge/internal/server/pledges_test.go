package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/racetest"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/google/go-cmp/cmp"
)

func TestGwangsanPledgeRoundTripsFieldForField(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	want := fixture.Gwangsan()

	created, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: want})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	got, err := e.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: created.GetName()})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if diff := cmp.Diff(want, fixture.StripOutputOnly(got), protocmp.Transform()); diff != "" {
		t.Errorf("read back differs from what was written (-want +got):\n%s", diff)
	}
	if !proto.Equal(created, got) {
		t.Errorf("Create returned something other than Get")
	}

	// What the server read from the card.
	if n := len(got.GetProgressLog()); n != 11 {
		t.Fatalf("progress log has %d rows, want the card's 11", n)
	}
	for i, row := range got.GetProgressLog() {
		if row.GetSequence() != int32(i+1) {
			t.Errorf("row %d has sequence %d", i+1, row.GetSequence())
		}
	}
	listed := got.GetProgressLog()[6].GetDate()
	if listed.GetLabel() != "'20. 1. / 8." || listed.GetDate().GetMonth() != 1 || len(listed.GetMoreDates()) != 1 || listed.GetMoreDates()[0].GetMonth() != 8 {
		t.Errorf("'20. 1. / 8. read as %v", listed)
	}
	ranged := got.GetProgressLog()[9].GetDate()
	if ranged.GetPrecision() != pledgev1.DatePrecision_DATE_PRECISION_MONTH || ranged.GetDate().GetMonth() != 7 || ranged.GetEndDate().GetMonth() != 12 {
		t.Errorf("'20. 7.~12. read as %v", ranged)
	}
	if first := got.GetProgressLog()[0].GetDate(); first.GetPrecision() != pledgev1.DatePrecision_DATE_PRECISION_DAY || first.GetDate().GetDay() != 31 {
		t.Errorf("'18.12.31. read as %v", first)
	}
	if plan := got.GetFuturePlans()[0].GetDate(); !plan.GetOpenEnded() || plan.GetDate().GetYear() != 2021 {
		t.Errorf("'21. 3. ~ read as %v", plan)
	}
	if y := got.GetValidYears(); y.GetFirstYear() != 2018 || y.GetLastYear() != 2022 {
		t.Errorf("valid years = %v, want 2018–2022 (민선 7기)", y)
	}
	if got.GetRequiredBudget().GetAmountWon() != 8_500_000 {
		t.Errorf("required budget = %d won", got.GetRequiredBudget().GetAmountWon())
	}
}

func TestOnlyTheTitleIsRequiredAndTheTermDefaultsToTheCurrentOne(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	p, err := e.pledges.CreatePledge(context.Background(), &pledgev1.CreatePledgeRequest{
		Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "어린이 놀이터 확충"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.GetTerm() != 9 || p.GetStatus() != pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK {
		t.Errorf("term %d, status %v; want the current term 9 and ON_TRACK", p.GetTerm(), p.GetStatus())
	}
	if !strings.HasPrefix(p.GetName(), "districts/gwangsan/pledges/") {
		t.Errorf("name = %q", p.GetName())
	}
}

func TestSearchFindsTheTitleByAKoreanWord(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	card, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: fixture.Gwangsan()})
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"어린이 놀이터 확충", "광산형 일자리 창출"} {
		if _, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: title}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{"구정혁신", "구정혁신 TF", "시민참여형"} {
		resp, err := e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", Query: q})
		if err != nil {
			t.Fatalf("query %q: %v", q, err)
		}
		if len(resp.GetPledges()) != 1 || resp.GetPledges()[0].GetName() != card.GetName() || resp.GetTotalSize() != 1 {
			t.Errorf("query %q found %d pledges, want the card's only", q, len(resp.GetPledges()))
		}
	}
	resp, err := e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", Query: "도서관"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetPledges()) != 0 {
		t.Errorf("query 도서관 found %d pledges, want none", len(resp.GetPledges()))
	}
}

// TestConcurrentUpdatesWithOneEtagOneWins releases several officials'
// updates, all made from the same read, at one instant, round after round:
// each round exactly one is written and the others are refused as stale.
func TestConcurrentUpdatesWithOneEtagOneWins(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	p, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: fixture.Gwangsan()})
	if err != nil {
		t.Fatal(err)
	}
	const writers, rounds = 8, 10
	for round := range rounds {
		read, err := e.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: p.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		title := func(i int) string { return fmt.Sprintf("%d회차 %d번 공무원의 제목", round, i) }
		errs := make([]error, writers)
		racetest.Together(writers, func(i int) {
			_, errs[i] = e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{
				Pledge: &pledgev1.Pledge{Name: p.GetName(), Etag: read.GetEtag(), Title: title(i)},
			})
		})
		t.Logf("round %d", round)
		winner := racetest.OneWinner(t, errs)
		got, err := e.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: p.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetTitle() != title(winner) {
			t.Errorf("round %d: title = %q, want the winner's %q", round, got.GetTitle(), title(winner))
		}
		if got.GetFinalGoal() != p.GetFinalGoal() || len(got.GetProgressLog()) != 11 {
			t.Errorf("round %d: an update of the title changed other fields", round)
		}
	}
}

func TestCreateRetriedWithTheSameRequestIDCreatesOnce(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	req := &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: fixture.Gwangsan(), RequestId: "5f0c6f7e-1d2b-4c55-9a43-0e8f1b7f5a10"}

	// Retries racing each other, and one after the first committed.
	results := make([]*pledgev1.Pledge, 4)
	racetest.Together(3, func(i int) {
		var err error
		if results[i], err = e.pledges.CreatePledge(ctx, req); err != nil {
			t.Errorf("attempt %d: %v", i, err)
		}
	})
	var err error
	if results[3], err = e.pledges.CreatePledge(ctx, req); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !proto.Equal(r, results[0]) {
			t.Errorf("attempt %d returned %s, the first %s", i, r.GetName(), results[0].GetName())
		}
	}
	list, err := e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	if list.GetTotalSize() != 1 {
		t.Errorf("%d pledges after retries, want 1", list.GetTotalSize())
	}

	// The same id on a different request is a mistake, not a retry.
	other := proto.Clone(req).(*pledgev1.CreatePledgeRequest)
	other.Pledge.Title = "다른 공약"
	_, err = e.pledges.CreatePledge(ctx, other)
	if st := wantStatus(t, err, codes.InvalidArgument); !strings.Contains(strings.Join(violated(st), ","), "request_id") {
		t.Errorf("violations %v do not name request_id", violated(st))
	}
}

func TestChangeStatusRecordsWhoWhenAndWhy(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	// The verified caller is who; a header naming someone else is not.
	ctx := e.as(t, context.Background(), "yoon.daseul", "district-admin@districts/gwangsan")
	ctx = metadata.AppendToOutgoingContext(ctx, "x-gongyak-actor", url.PathEscape("구청장"))
	p, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "행복동아리 지원", Term: 7}})
	if err != nil {
		t.Fatal(err)
	}
	changed, err := e.pledges.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{
		Name: p.GetName(), Status: pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED, Reason: "10개 동아리 선정 완료", Etag: p.GetEtag(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if changed.GetStatus() != pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED || changed.GetEtag() == p.GetEtag() {
		t.Errorf("after the change: status %v, etag changed %v", changed.GetStatus(), changed.GetEtag() != p.GetEtag())
	}
	// Status is not changed by an update.
	_, err = e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{
		Pledge:     &pledgev1.Pledge{Name: p.GetName(), Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED, Etag: changed.GetEtag()},
		UpdateMask: mask("status"),
	})
	wantStatus(t, err, codes.InvalidArgument)

	hist, err := e.pledges.ListStatusChanges(context.Background(), &pledgev1.ListStatusChangesRequest{Parent: p.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.GetStatusChanges()) != 2 {
		t.Fatalf("history has %d entries, want 2 (created, completed)", len(hist.GetStatusChanges()))
	}
	last := hist.GetStatusChanges()[1]
	if last.GetActor() != "user:yoon.daseul@"+strings.TrimPrefix(e.issuer.URL, "http://") || last.GetReason() != "10개 동아리 선정 완료" ||
		last.GetPreviousStatus() != pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK ||
		last.GetStatus() != pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED ||
		last.GetChangeTime() == nil || last.GetName() != p.GetName()+"/statusChanges/2" {
		t.Errorf("history entry = %v", last)
	}
	if !last.GetChangeTime().AsTime().Equal(changed.GetStatusChangeTime().AsTime()) {
		t.Errorf("recorded at %v, pledge says %v", last.GetChangeTime().AsTime(), changed.GetStatusChangeTime().AsTime())
	}
	// The default caller of the tests, a system admin, is recorded as
	// itself.
	if _, err := e.pledges.ChangePledgeStatus(context.Background(), &pledgev1.ChangePledgeStatusRequest{
		Name: p.GetName(), Status: pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING, Reason: "계속 추진", Etag: changed.GetEtag(),
	}); err != nil {
		t.Fatal(err)
	}
	hist, _ = e.pledges.ListStatusChanges(context.Background(), &pledgev1.ListStatusChangesRequest{Parent: p.GetName()})
	if a := hist.GetStatusChanges()[2].GetActor(); a != "user:admin@"+strings.TrimPrefix(e.issuer.URL, "http://") {
		t.Errorf("actor of the admin's change = %q", a)
	}
}

func TestListFiltersOrdersAndPages(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	var names []string
	for i := range 7 {
		p, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{
			Title: fmt.Sprintf("공약 %02d", i), Term: 7 + int32(i%2), Code: fmt.Sprintf("G-%02d", i),
			ProjectType: pledgev1.ProjectType(1 + i%2),
		}})
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, p.GetName())
	}
	// Every pledge once, newest title first, three at a time.
	var seen []string
	token := ""
	for page := 0; ; page++ {
		resp, err := e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", PageSize: 3, PageToken: token, OrderBy: "title desc"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range resp.GetPledges() {
			seen = append(seen, p.GetTitle())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	want := []string{"공약 06", "공약 05", "공약 04", "공약 03", "공약 02", "공약 01", "공약 00"}
	if !cmp.Equal(seen, want) {
		t.Errorf("pages gave %v, want %v", seen, want)
	}

	resp, err := e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{
		Parent: "districts/gwangsan", Filter: `term = 7 AND project_type = PROJECT_TYPE_NEW AND NOT code = "G-04"`, OrderBy: "code",
	})
	if err != nil {
		t.Fatal(err)
	}
	var codesSeen []string
	for _, p := range resp.GetPledges() {
		codesSeen = append(codesSeen, p.GetCode())
	}
	if !cmp.Equal(codesSeen, []string{"G-00", "G-02", "G-06"}) || resp.GetTotalSize() != 3 {
		t.Errorf("filtered codes = %v (total %d)", codesSeen, resp.GetTotalSize())
	}

	resp, err = e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", Filter: `status = PLEDGE_STATUS_COMPLETED OR title = "*06"`})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetPledges()) != 1 || resp.GetPledges()[0].GetTitle() != "공약 06" {
		t.Errorf("OR filter found %d pledges", len(resp.GetPledges()))
	}
}

func TestDeleteIsSoft(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	p, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "폐지될 공약"}})
	if err != nil {
		t.Fatal(err)
	}
	deleted, err := e.pledges.DeletePledge(ctx, &pledgev1.DeletePledgeRequest{Name: p.GetName(), Etag: p.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if deleted.GetDeleteTime() == nil {
		t.Error("deleted pledge has no delete_time")
	}
	list, _ := e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan"})
	if len(list.GetPledges()) != 0 {
		t.Error("a deleted pledge is listed")
	}
	list, _ = e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", ShowDeleted: true})
	if len(list.GetPledges()) != 1 {
		t.Error("show_deleted does not list the deleted pledge")
	}
	got, err := e.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: p.GetName()})
	if err != nil || got.GetDeleteTime() == nil {
		t.Errorf("get after delete: %v, delete_time %v", err, got.GetDeleteTime())
	}
	// Its title is free again.
	if _, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "폐지될 공약"}}); err != nil {
		t.Errorf("recreating a deleted pledge's title: %v", err)
	}
	_, err = e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: p.GetName(), Etag: got.GetEtag(), Title: "x"}})
	wantStatus(t, err, codes.FailedPrecondition)
}

func TestAPledgeIsIdentifiedByCodeOrElseTitle(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	create := func(p *pledgev1.Pledge) error {
		_, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: p})
		return err
	}
	if err := create(&pledgev1.Pledge{Title: "같은 제목"}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, create(&pledgev1.Pledge{Title: "같은 제목"}), codes.AlreadyExists)
	if err := create(&pledgev1.Pledge{Title: "같은 제목", Term: 8}); err != nil {
		t.Errorf("the same title in another term: %v", err)
	}
	if err := create(&pledgev1.Pledge{Title: "같은 제목", Code: "A-1"}); err != nil {
		t.Errorf("the same title with a code: %v", err)
	}
	wantStatus(t, create(&pledgev1.Pledge{Title: "다른 제목", Code: "A-1"}), codes.AlreadyExists)
}

func TestUpdateHonoursNestedMaskPaths(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	p, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: fixture.Gwangsan()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{
		Pledge: &pledgev1.Pledge{Name: p.GetName(), Etag: p.GetEtag(),
			RequiredBudget: &pledgev1.RequiredBudget{AmountWon: 9_000_000},
			Overview:       &pledgev1.Overview{Period: &pledgev1.Period{EndYear: 2022}}},
		UpdateMask: mask("required_budget.amount_won", "overview.period.end_year", "overview.period.open_ended"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := fixture.Gwangsan()
	want.RequiredBudget.AmountWon = 9_000_000
	want.Overview.Period.EndYear, want.Overview.Period.OpenEnded = 2022, false
	if diff := cmp.Diff(want, fixture.StripOutputOnly(got), protocmp.Transform()); diff != "" {
		t.Errorf("nested update (-want +got):\n%s", diff)
	}
	// "*" replaces every field but the status and the term.
	got, err = e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{
		Pledge: &pledgev1.Pledge{Name: p.GetName(), Etag: got.GetEtag(), Title: "전부 바꾼 공약"}, UpdateMask: mask("*"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetTitle() != "전부 바꾼 공약" || got.GetFinalGoal() != "" || len(got.GetProgressLog()) != 0 ||
		got.GetStatus() != pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED || got.GetTerm() != 7 {
		t.Errorf("after *: %v", got)
	}
}
