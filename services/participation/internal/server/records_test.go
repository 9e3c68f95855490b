package server_test

import (
	"fmt"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// Every kind of a program's record names a missing one by its own noun
// (an entry, not an "entrie"), whichever method finds it missing, and
// refuses an update that breaks its rules with the field under that noun,
// writing nothing.
func TestEachKindOfRecordNamesItself(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(t, districtAdmin)
	open := &participationv1.Window{OpenTime: at(now.Add(-time.Hour)), CloseTime: at(now.Add(time.Hour))}
	prog := must(e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_POLICY_COMPETITION, Title: "정책 경진대회", SubmissionWindow: open}}))(t)
	member := must(e.svc.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: prog.GetName(), Member: &participationv1.Member{
		Person: &participationv1.Person{Name: "김민수"}, Role: participationv1.MemberRole_MEMBER_ROLE_EXPERT}}))(t)
	sub := must(e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: prog.GetName(), Submission: &participationv1.Submission{
		Title: "마을 부엌"}}))(t)
	entry := must(e.svc.CreateEntry(ctx, &participationv1.CreateEntryRequest{Parent: prog.GetName(), Entry: &participationv1.Entry{Title: "마을 부엌"}}))(t)
	question := must(e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: prog.GetName(), Question: &participationv1.Question{
		Text: "하고 싶은 말", Kind: participationv1.QuestionKind_QUESTION_KIND_FREE_TEXT}}))(t)
	mask := func(path string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: []string{path}} }

	kinds := []struct {
		noun, collection string
		get, remove      func(name string) error
		// invalid updates the record so that it breaks a rule, named by
		// field.
		invalid func() error
		field   string
	}{
		{
			noun: "member", collection: "members",
			get: func(name string) error {
				_, err := e.svc.GetMember(ctx, &participationv1.GetMemberRequest{Name: name})
				return err
			},
			remove: func(name string) error {
				_, err := e.svc.DeleteMember(ctx, &participationv1.DeleteMemberRequest{Name: name, Etag: member.GetEtag()})
				return err
			},
			invalid: func() error {
				_, err := e.svc.UpdateMember(ctx, &participationv1.UpdateMemberRequest{UpdateMask: mask("role"),
					Member: &participationv1.Member{Name: member.GetName(), Etag: member.GetEtag()}})
				return err
			},
			field: "member.role",
		},
		{
			noun: "submission", collection: "submissions",
			get: func(name string) error {
				_, err := e.svc.GetSubmission(ctx, &participationv1.GetSubmissionRequest{Name: name})
				return err
			},
			remove: func(name string) error {
				_, err := e.svc.DeleteSubmission(ctx, &participationv1.DeleteSubmissionRequest{Name: name, Etag: sub.GetEtag()})
				return err
			},
			invalid: func() error { // an award for a submission not selected
				_, err := e.svc.UpdateSubmission(ctx, &participationv1.UpdateSubmissionRequest{UpdateMask: mask("award"),
					Submission: &participationv1.Submission{Name: sub.GetName(), Award: "대상", Etag: sub.GetEtag()}})
				return err
			},
			field: "submission.selected",
		},
		{
			noun: "entry", collection: "entries",
			get: func(name string) error {
				_, err := e.svc.GetEntry(ctx, &participationv1.GetEntryRequest{Name: name})
				return err
			},
			remove: func(name string) error {
				_, err := e.svc.DeleteEntry(ctx, &participationv1.DeleteEntryRequest{Name: name, Etag: entry.GetEtag()})
				return err
			},
			invalid: func() error {
				_, err := e.svc.UpdateEntry(ctx, &participationv1.UpdateEntryRequest{UpdateMask: mask("panel_score"),
					Entry: &participationv1.Entry{Name: entry.GetName(), PanelScore: "100.5", Etag: entry.GetEtag()}})
				return err
			},
			field: "entry.panel_score",
		},
		{
			noun: "question", collection: "questions",
			get: func(name string) error {
				_, err := e.svc.GetQuestion(ctx, &participationv1.GetQuestionRequest{Name: name})
				return err
			},
			remove: func(name string) error {
				_, err := e.svc.DeleteQuestion(ctx, &participationv1.DeleteQuestionRequest{Name: name, Etag: question.GetEtag()})
				return err
			},
			invalid: func() error {
				_, err := e.svc.UpdateQuestion(ctx, &participationv1.UpdateQuestionRequest{UpdateMask: mask("text"),
					Question: &participationv1.Question{Name: question.GetName(), Text: " ", Etag: question.GetEtag()}})
				return err
			},
			field: "question.text",
		},
	}
	before, events := snapshot(t, e.pool), len(e.auditEvents(t, ""))
	for _, k := range kinds {
		t.Run(k.noun, func(t *testing.T) {
			missing := prog.GetName() + "/" + k.collection + "/gone"
			want := fmt.Sprintf("%s %q not found", k.noun, missing)
			for method, call := range map[string]func(string) error{"get": k.get, "delete": k.remove} {
				err := call(missing)
				if status.Code(err) != codes.NotFound || status.Convert(err).Message() != want {
					t.Errorf("%s of a missing %s: %v, want NOT_FOUND %q", method, k.noun, err, want)
				}
			}
			err := k.invalid()
			if status.Code(err) != codes.InvalidArgument || !cmp.Equal(violated(err), []string{k.field}) {
				t.Errorf("an invalid update: %v (fields %v), want INVALID_ARGUMENT naming %s", err, violated(err), k.field)
			}
		})
	}
	if snapshot(t, e.pool) != before || len(e.auditEvents(t, "")) != events {
		t.Error("a refused call wrote something")
	}
}

// A question answered already refuses any change as such, before what the
// change would write is looked at.
func TestAnsweredQuestionRefusesBeforeChecking(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(t, districtAdmin)
	open := &participationv1.Window{OpenTime: at(now.Add(-time.Hour)), CloseTime: at(now.Add(time.Hour))}
	prog := must(e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_SURVEY, Title: "주민 설문", ResponseWindow: open}}))(t)
	question := must(e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: prog.GetName(), Question: &participationv1.Question{
		Text: "하고 싶은 말", Kind: participationv1.QuestionKind_QUESTION_KIND_FREE_TEXT}}))(t)
	must(e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: prog.GetName(), Response: &participationv1.Response{
		Answers: []*participationv1.Answer{{Question: question.GetName(), Text: "좋아요"}}}}))(t)
	_, err := e.svc.UpdateQuestion(ctx, &participationv1.UpdateQuestionRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}},
		Question: &participationv1.Question{Name: question.GetName(), Text: " ", Etag: question.GetEtag()}})
	want := question.GetName() + " has answers already and cannot change"
	if status.Code(err) != codes.FailedPrecondition || status.Convert(err).Message() != want {
		t.Errorf("changing an answered question: %v, want FAILED_PRECONDITION %q", err, want)
	}
}
