package server_test

import (
	"context"
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

// TestBadInputIsRefusedNamingTheFieldAndNothingIsWritten sends each kind of
// bad input the API must refuse and checks the answer names the field and
// the database did not change.
func TestBadInputIsRefusedNamingTheFieldAndNothingIsWritten(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	card, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: fixture.Gwangsan()})
	if err != nil {
		t.Fatal(err)
	}
	// A real token, to reuse with other arguments.
	for _, title := range []string{"가", "나"} {
		if _, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: title}}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", PageSize: 1, Filter: "term = 9"})
	if err != nil || page.GetNextPageToken() == "" {
		t.Fatalf("first page: %v", err)
	}
	stale := card.GetEtag()
	updated, err := e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{
		Pledge: &pledgev1.Pledge{Name: card.GetName(), Etag: card.GetEtag(), FinalGoal: "시민참여 혁신TF 구성 및 행복정책 연계 추진"}, UpdateMask: mask("final_goal"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.GetEtag() == stale {
		t.Fatal("an update did not change the etag")
	}

	withCard := func(change func(p *pledgev1.Pledge)) *pledgev1.CreatePledgeRequest {
		p := fixture.Gwangsan()
		p.Title = "다른 공약"
		change(p)
		return &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: p}
	}
	create := func(req *pledgev1.CreatePledgeRequest) func() error {
		return func() error { _, err := e.pledges.CreatePledge(ctx, req); return err }
	}
	list := func(req *pledgev1.ListPledgesRequest) func() error {
		return func() error { _, err := e.pledges.ListPledges(ctx, req); return err }
	}
	tests := []struct {
		name   string
		call   func() error
		code   codes.Code
		fields []string
	}{
		{"no title", create(withCard(func(p *pledgev1.Pledge) { p.Title = "  " })), codes.InvalidArgument, []string{"pledge.title"}},
		{"title of 301 characters", create(withCard(func(p *pledgev1.Pledge) { p.Title = strings.Repeat("공", 301) })), codes.InvalidArgument, []string{"pledge.title"}},
		{"unknown enum value", create(withCard(func(p *pledgev1.Pledge) { p.ProjectType = 99 })), codes.InvalidArgument, []string{"pledge.project_type"}},
		{"unknown repeated enum value", create(withCard(func(p *pledgev1.Pledge) {
			p.ImplementingLevels = append(p.ImplementingLevels, 7)
		})), codes.InvalidArgument, []string{"pledge.implementing_levels[1]"}},
		{"a yearly goal after the term", create(withCard(func(p *pledgev1.Pledge) {
			p.YearlyGoals = append(p.YearlyGoals, &pledgev1.YearlyGoal{Year: 2023, Goal: "임기 후"})
		})), codes.InvalidArgument, []string{"pledge.yearly_goals[5].year"}},
		{"a negative amount", create(withCard(func(p *pledgev1.Pledge) { p.RequiredBudget.AmountWon = -1 })), codes.InvalidArgument, []string{"pledge.required_budget.amount_won"}},
		{"shares that do not add up", create(withCard(func(p *pledgev1.Pledge) { p.RequiredBudget.Shares[0].Percent = 90 })), codes.InvalidArgument, []string{"pledge.required_budget.shares"}},
		{"invalid UTF-8", create(withCard(func(p *pledgev1.Pledge) {
			p.Title = "구정\xff혁신"
			p.ProgressLog[2].Items[0].Children[0].Text = "\xc3\x28"
		})), codes.InvalidArgument, []string{"pledge.progress_log[2].items[0].children[0].text", "pledge.title"}},
		{"a date label that is not a date", create(withCard(func(p *pledgev1.Pledge) { p.ProgressLog[4].Date.Label = "언젠가" })), codes.InvalidArgument, []string{"pledge.progress_log[4].date.label"}},
		{"a phone that is not one", create(withCard(func(p *pledgev1.Pledge) { p.Contacts[1].Phone = "전화 주세요" })), codes.InvalidArgument, []string{"pledge.contacts[1].phone"}},
		{"several bad fields at once", create(withCard(func(p *pledgev1.Pledge) {
			p.Title = ""
			p.CompletionTiming = 5
			p.RequiredBudget.AmountWon = -8_500_000
		})), codes.InvalidArgument, []string{"pledge.completion_timing", "pledge.required_budget.amount_won", "pledge.title"}},
		{"an unknown district", create(&pledgev1.CreatePledgeRequest{Parent: "districts/nowhere", Pledge: &pledgev1.Pledge{Title: "어디에도"}}), codes.NotFound, nil},
		{"a malformed parent", create(&pledgev1.CreatePledgeRequest{Parent: "district/gwangsan", Pledge: &pledgev1.Pledge{Title: "어디에도"}}), codes.InvalidArgument, []string{"parent"}},
		{"an unknown department", create(withCard(func(p *pledgev1.Pledge) {
			p.OwningDepartment = "districts/gwangsan/departments/nowhere"
		})), codes.InvalidArgument, []string{"pledge.owning_department"}},
		{"a department of another district", create(withCard(func(p *pledgev1.Pledge) {
			p.OwningDepartment = "districts/seogu/departments/legal-support"
		})), codes.InvalidArgument, []string{"pledge.owning_department"}},
		{"a term the district does not have", create(withCard(func(p *pledgev1.Pledge) { p.Term = 3 })), codes.InvalidArgument, []string{"pledge.term"}},
		{"a bad pledge id", create(&pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", PledgeId: "Bad_ID", Pledge: &pledgev1.Pledge{Title: "새 공약"}}), codes.InvalidArgument, []string{"pledge_id"}},
		{"a malformed page token", list(&pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", PageToken: "not-a-token"}), codes.InvalidArgument, []string{"page_token"}},
		{"a page token reused with another filter", list(&pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", PageSize: 1, PageToken: page.GetNextPageToken(), Filter: "term = 8"}), codes.InvalidArgument, []string{"page_token"}},
		{"a malformed filter", list(&pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", Filter: "status = = 3"}), codes.InvalidArgument, []string{"filter"}},
		{"a filter on an unknown field", list(&pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", Filter: "budget > 3"}), codes.InvalidArgument, []string{"filter"}},
		{"a filter with an unknown enum value", list(&pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", Filter: "status = DONE"}), codes.InvalidArgument, []string{"filter"}},
		{"an unknown order", list(&pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", OrderBy: "budget desc"}), codes.InvalidArgument, []string{"order_by"}},
		{"a negative page size", list(&pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", PageSize: -1}), codes.InvalidArgument, []string{"page_size"}},
		{"an update with a stale etag", func() error {
			_, err := e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: card.GetName(), Etag: stale, Title: "늦은 수정"}})
			return err
		}, codes.Aborted, nil},
		{"a delete with a stale etag", func() error {
			_, err := e.pledges.DeletePledge(ctx, &pledgev1.DeletePledgeRequest{Name: card.GetName(), Etag: stale})
			return err
		}, codes.Aborted, nil},
		{"a status change with a stale etag", func() error {
			_, err := e.pledges.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: card.GetName(), Etag: stale, Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, Reason: "보류"})
			return err
		}, codes.Aborted, nil},
		{"a status change without a reason or status", func() error {
			_, err := e.pledges.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: card.GetName()})
			return err
		}, codes.InvalidArgument, []string{"etag", "reason", "status"}},
		{"an update without an etag", func() error {
			_, err := e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: card.GetName(), Title: "덮어쓰기"}, UpdateMask: mask("title")})
			return err
		}, codes.InvalidArgument, []string{"pledge.etag"}},
		{"a delete without an etag", func() error {
			_, err := e.pledges.DeletePledge(ctx, &pledgev1.DeletePledgeRequest{Name: card.GetName()})
			return err
		}, codes.InvalidArgument, []string{"etag"}},
		{"a status change without an etag", func() error {
			_, err := e.pledges.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: card.GetName(), Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, Reason: "보류"})
			return err
		}, codes.InvalidArgument, []string{"etag"}},
		{"an update of an unknown field", func() error {
			_, err := e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: card.GetName(), Etag: updated.GetEtag(), Title: "x"}, UpdateMask: mask("title", "budget")})
			return err
		}, codes.InvalidArgument, []string{"update_mask"}},
		{"an update that breaks a rule", func() error {
			_, err := e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: card.GetName(), Etag: updated.GetEtag(), Title: strings.Repeat("가", 301)}, UpdateMask: mask("title")})
			return err
		}, codes.InvalidArgument, []string{"pledge.title"}},
		{"an update moving the pledge to another term", func() error {
			_, err := e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: card.GetName(), Etag: updated.GetEtag(), Term: 8}, UpdateMask: mask("term")})
			return err
		}, codes.InvalidArgument, []string{"pledge.term"}},
		{"an update of an unknown pledge", func() error {
			_, err := e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: "districts/gwangsan/pledges/nothing", Etag: "0000", Title: "x"}})
			return err
		}, codes.NotFound, nil},
	}
	before := snapshot(t, e.pool)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := wantStatus(t, tt.call(), tt.code)
			if tt.fields != nil {
				if got := violated(st); !cmp.Equal(got, tt.fields) {
					t.Errorf("violations name %v, want %v (%s)", got, tt.fields, st.Message())
				}
			}
			if st.Message() == "" || strings.Contains(st.Message(), "윤송미") {
				t.Errorf("message %q is empty or carries input", st.Message())
			}
		})
	}
	if after := snapshot(t, e.pool); !cmp.Equal(before, after) {
		t.Errorf("refused requests changed the database: %v", cmp.Diff(before, after))
	}
	got, _ := e.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: card.GetName()})
	if !proto.Equal(got, updated) {
		t.Error("the pledge changed")
	}
}
