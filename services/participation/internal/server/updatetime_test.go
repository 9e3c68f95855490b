package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/filter/filtertest"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// changedSince is the filter of a poller that last looked at t.
func changedSince(t *timestamppb.Timestamp) string {
	return fmt.Sprintf("update_time > %q", t.AsTime().Format(time.RFC3339Nano))
}

// named is the names of a list's items.
func named[T interface{ GetName() string }](items []T) []string {
	var out []string
	for _, i := range items {
		out = append(out, i.GetName())
	}
	return out
}

// Each List of the participation service, asked what changed since a
// poller last looked, answers with what changed after that time alone:
// of two records, the one changed (or, for ballots and responses, which
// are never changed, written) after the other was written.
func TestEveryListAnswersWhatChangedSince(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(t, districtAdmin)
	open := &participationv1.Window{OpenTime: at(now.Add(-time.Hour)), CloseTime: at(now.Add(time.Hour))}
	newProgram := func(title string) *participationv1.Program {
		return must(e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
			Kind: participationv1.ProgramKind_PROGRAM_KIND_POLICY_COMPETITION, Title: title, SubmissionWindow: open, VotingWindow: open, ResponseWindow: open}}))(t)
	}
	prog, other := newProgram("정책 경진대회"), newProgram("주민 설문")
	prog = must(e.svc.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
		Program: &participationv1.Program{Name: prog.GetName(), Title: "행복정책 경진대회", Etag: prog.GetEtag()}}))(t)
	check := func(what string, got []string, want string) {
		t.Helper()
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s changed since: %q, want %s alone", what, got, want)
		}
	}
	check("programs", named(must(e.svc.ListPrograms(ctx, &participationv1.ListProgramsRequest{Parent: "districts/gwangsan",
		Filter: changedSince(other.GetUpdateTime())}))(t).GetPrograms()), prog.GetName())
	p := prog.GetName()

	m1 := must(e.svc.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: p, Member: &participationv1.Member{
		Person: &participationv1.Person{Name: "김민수"}, Role: participationv1.MemberRole_MEMBER_ROLE_EXPERT}}))(t)
	m2 := must(e.svc.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: p, Member: &participationv1.Member{
		Person: &participationv1.Person{Name: "박지영"}, Role: participationv1.MemberRole_MEMBER_ROLE_EXPERT}}))(t)
	must(e.svc.UpdateMember(ctx, &participationv1.UpdateMemberRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"affiliation"}},
		Member: &participationv1.Member{Name: m1.GetName(), Affiliation: "심사위원회", Etag: m1.GetEtag()}}))(t)
	check("members", named(must(e.svc.ListMembers(ctx, &participationv1.ListMembersRequest{Parent: p,
		Filter: changedSince(m2.GetUpdateTime())}))(t).GetMembers()), m1.GetName())

	s1 := must(e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: p, Submission: &participationv1.Submission{
		Title: "마을 부엌", Proposer: &participationv1.Person{Name: "이영희"}}}))(t)
	s2 := must(e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: p, Submission: &participationv1.Submission{
		Title: "골목 정원", Proposer: &participationv1.Person{Name: "최수진"}}}))(t)
	must(e.svc.UpdateSubmission(ctx, &participationv1.UpdateSubmissionRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"selected"}},
		Submission: &participationv1.Submission{Name: s1.GetName(), Selected: true, Etag: s1.GetEtag()}}))(t)
	check("submissions", named(must(e.svc.ListSubmissions(ctx, &participationv1.ListSubmissionsRequest{Parent: p,
		Filter: changedSince(s2.GetUpdateTime())}))(t).GetSubmissions()), s1.GetName())

	e1 := must(e.svc.CreateEntry(ctx, &participationv1.CreateEntryRequest{Parent: p, Entry: &participationv1.Entry{Title: "마을 부엌"}}))(t)
	e2 := must(e.svc.CreateEntry(ctx, &participationv1.CreateEntryRequest{Parent: p, Entry: &participationv1.Entry{Title: "골목 정원"}}))(t)
	must(e.svc.UpdateEntry(ctx, &participationv1.UpdateEntryRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"panel_score"}},
		Entry: &participationv1.Entry{Name: e1.GetName(), PanelScore: "82.5", Etag: e1.GetEtag()}}))(t)
	check("entries", named(must(e.svc.ListEntries(ctx, &participationv1.ListEntriesRequest{Parent: p,
		Filter: changedSince(e2.GetUpdateTime())}))(t).GetEntries()), e1.GetName())

	q1 := must(e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: p, Question: &participationv1.Question{
		Text: "하고 싶은 말", Kind: participationv1.QuestionKind_QUESTION_KIND_FREE_TEXT}}))(t)
	q2 := must(e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: p, Question: &participationv1.Question{
		Text: "바라는 점", Kind: participationv1.QuestionKind_QUESTION_KIND_FREE_TEXT}}))(t)
	must(e.svc.UpdateQuestion(ctx, &participationv1.UpdateQuestionRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}},
		Question: &participationv1.Question{Name: q1.GetName(), Text: "하고 싶은 말씀", Etag: q1.GetEtag()}}))(t)
	check("questions", named(must(e.svc.ListQuestions(ctx, &participationv1.ListQuestionsRequest{Parent: p,
		Filter: changedSince(q2.GetUpdateTime())}))(t).GetQuestions()), q1.GetName())

	var ballots []*participationv1.Ballot
	for _, citizen := range []string{"010-1111-2222", "010-3333-4444"} {
		b := must(e.svc.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: p, Ballot: &participationv1.Ballot{
			CitizenId: citizen, Scores: []*participationv1.BallotScore{{Entry: e1.GetName(), Score: 8}}}}))(t)
		ballots = append(ballots, b)
	}
	for _, b := range must(e.svc.ListBallots(ctx, &participationv1.ListBallotsRequest{Parent: p}))(t).GetBallots() {
		if b.GetName() == ballots[0].GetName() && !b.GetUpdateTime().AsTime().Equal(ballots[0].GetUpdateTime().AsTime()) {
			t.Errorf("a ballot listed with update_time %v, created with %v", b.GetUpdateTime(), ballots[0].GetUpdateTime())
		}
	}
	check("ballots", named(must(e.svc.ListBallots(ctx, &participationv1.ListBallotsRequest{Parent: p,
		Filter: changedSince(ballots[0].GetUpdateTime())}))(t).GetBallots()), ballots[1].GetName())

	var responses []*participationv1.Response
	for _, text := range []string{"첫째", "둘째"} {
		r := must(e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: p, Response: &participationv1.Response{
			Answers: []*participationv1.Answer{{Question: q2.GetName(), Text: text}}}}))(t)
		if r.GetUpdateTime() == nil {
			t.Fatalf("a response created without update_time: %v", r)
		}
		responses = append(responses, r)
	}
	check("responses", named(must(e.svc.ListResponses(ctx, &participationv1.ListResponsesRequest{Parent: p,
		Filter: changedSince(responses[0].GetUpdateTime())}))(t).GetResponses()), responses[1].GetName())
}

// A filter a List cannot honour is refused naming filter, on every List.
func TestEveryListRefusesAFilterItCannotHonour(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(t, districtAdmin)
	p := must(e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_POLICY_COMPETITION, Title: "정책 경진대회"}}))(t).GetName()
	lists := map[string]func(ctx context.Context, filter string) error{
		"ListPrograms": func(ctx context.Context, f string) error {
			_, err := e.svc.ListPrograms(ctx, &participationv1.ListProgramsRequest{Parent: "districts/gwangsan", Filter: f})
			return err
		},
		"ListMembers": func(ctx context.Context, f string) error {
			_, err := e.svc.ListMembers(ctx, &participationv1.ListMembersRequest{Parent: p, Filter: f})
			return err
		},
		"ListSubmissions": func(ctx context.Context, f string) error {
			_, err := e.svc.ListSubmissions(ctx, &participationv1.ListSubmissionsRequest{Parent: p, Filter: f})
			return err
		},
		"ListEntries": func(ctx context.Context, f string) error {
			_, err := e.svc.ListEntries(ctx, &participationv1.ListEntriesRequest{Parent: p, Filter: f})
			return err
		},
		"ListBallots": func(ctx context.Context, f string) error {
			_, err := e.svc.ListBallots(ctx, &participationv1.ListBallotsRequest{Parent: p, Filter: f})
			return err
		},
		"ListQuestions": func(ctx context.Context, f string) error {
			_, err := e.svc.ListQuestions(ctx, &participationv1.ListQuestionsRequest{Parent: p, Filter: f})
			return err
		},
		"ListResponses": func(ctx context.Context, f string) error {
			_, err := e.svc.ListResponses(ctx, &participationv1.ListResponsesRequest{Parent: p, Filter: f})
			return err
		},
	}
	for name, list := range lists {
		filtertest.Refused(t, name, func(f string) error { return list(ctx, f) })
	}
}
