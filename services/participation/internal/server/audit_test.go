package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/racetest"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// must returns v once the test has checked err: must(call())(t) fails t
// when the call failed.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestEveryWriteIsAuditedMasked(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(t, districtAdmin)
	open := &participationv1.Window{OpenTime: at(now.Add(-time.Hour)), CloseTime: at(now.Add(time.Hour))}
	prog := must(e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_POLICY_COMPETITION, Title: "정책 경진대회", SubmissionWindow: open, VotingWindow: open, ResponseWindow: open}}))(t)
	prog = must(e.svc.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
		Program: &participationv1.Program{Name: prog.GetName(), Title: "행복정책 경진대회", Etag: prog.GetEtag()}}))(t)
	member := must(e.svc.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: prog.GetName(), Member: &participationv1.Member{
		Person: &participationv1.Person{Name: "김민수", Phone: "010-1234-5678", Email: "minsu@example.kr"}, Role: participationv1.MemberRole_MEMBER_ROLE_EXPERT}}))(t)
	member = must(e.svc.UpdateMember(ctx, &participationv1.UpdateMemberRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"affiliation"}},
		Member: &participationv1.Member{Name: member.GetName(), Affiliation: "심사위원회", Etag: member.GetEtag()}}))(t)
	sub := must(e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: prog.GetName(), Submission: &participationv1.Submission{
		Title: "마을 부엌", Proposer: &participationv1.Person{Name: "이영희", Phone: "010-2222-3333"}}}))(t)
	sub = must(e.svc.UpdateSubmission(ctx, &participationv1.UpdateSubmissionRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"selected"}},
		Submission: &participationv1.Submission{Name: sub.GetName(), Selected: true, Etag: sub.GetEtag()}}))(t)
	entry := must(e.svc.CreateEntry(ctx, &participationv1.CreateEntryRequest{Parent: prog.GetName(), Entry: &participationv1.Entry{Title: "마을 부엌"}}))(t)
	entry = must(e.svc.UpdateEntry(ctx, &participationv1.UpdateEntryRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"panel_score"}},
		Entry: &participationv1.Entry{Name: entry.GetName(), PanelScore: "82.5", Etag: entry.GetEtag()}}))(t)
	ballot := must(e.svc.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: prog.GetName(), Ballot: &participationv1.Ballot{
		CitizenId: "010-9999-8888", Scores: []*participationv1.BallotScore{{Entry: entry.GetName(), Score: 8}}}}))(t)
	question := must(e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: prog.GetName(), Question: &participationv1.Question{
		Text: "하고 싶은 말", Kind: participationv1.QuestionKind_QUESTION_KIND_FREE_TEXT}}))(t)
	question = must(e.svc.UpdateQuestion(ctx, &participationv1.UpdateQuestionRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}},
		Question: &participationv1.Question{Name: question.GetName(), Text: "바라는 점", Etag: question.GetEtag()}}))(t)
	response := must(e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: prog.GetName(), Response: &participationv1.Response{
		CitizenId: "010-9999-8888", Answers: []*participationv1.Answer{{Question: question.GetName(), Text: "제 번호는 010-7777-6666입니다"}}}}))(t)
	spare := must(e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: prog.GetName(), Question: &participationv1.Question{
		Text: "지울 질문", Kind: participationv1.QuestionKind_QUESTION_KIND_FREE_TEXT}}))(t)
	for _, err := range []error{
		func() error {
			_, err := e.svc.DeleteQuestion(ctx, &participationv1.DeleteQuestionRequest{Name: spare.GetName(), Etag: spare.GetEtag()})
			return err
		}(),
		func() error {
			_, err := e.svc.DeleteSubmission(ctx, &participationv1.DeleteSubmissionRequest{Name: sub.GetName(), Etag: sub.GetEtag()})
			return err
		}(),
		func() error {
			_, err := e.svc.DeleteMember(ctx, &participationv1.DeleteMemberRequest{Name: member.GetName(), Etag: member.GetEtag()})
			return err
		}(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	prog = must(e.svc.GetProgram(ctx, &participationv1.GetProgramRequest{Name: prog.GetName()}))(t)
	if _, err := e.svc.DeleteProgram(ctx, &participationv1.DeleteProgramRequest{Name: prog.GetName(), Etag: prog.GetEtag()}); err != nil {
		t.Fatal(err)
	}

	events := e.auditEvents(t, "")
	var got []string
	for _, ev := range events {
		got = append(got, ev.GetAction()+" "+ev.GetResource())
		if !strings.HasPrefix(ev.GetActor(), "user:official@") {
			t.Errorf("%s %s recorded as done by %q", ev.GetAction(), ev.GetResource(), ev.GetActor())
		}
	}
	want := []string{
		"create " + prog.GetName(), "update " + prog.GetName(),
		"create " + member.GetName(), "update " + member.GetName(),
		"create " + sub.GetName(), "update " + sub.GetName(),
		"create " + entry.GetName(), "update " + entry.GetName(),
		"create " + ballot.GetName(),
		"create " + question.GetName(), "update " + question.GetName(),
		"create " + response.GetName(),
		"create " + spare.GetName(), "delete " + spare.GetName(),
		"delete " + sub.GetName(), "delete " + member.GetName(),
		"delete " + prog.GetName(),
	}
	if !cmp.Equal(got, want) {
		t.Errorf("audit events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The log holds the resources as a caller without the right to
	// personal data sees them, and never who cast a ballot.
	raw, err := protojson.Marshal(&typev1.ListAuditEventsResponse{AuditEvents: events})
	if err != nil {
		t.Fatal(err)
	}
	// Digits alone would be found in times and ids: each number is looked
	// for with the dashes around its hidden part.
	for _, secret := range []string{"김민수", "-1234-", "minsu@", "이영희", "-2222-", "9999-8888", "7777-6666"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the audit log holds %q: %s", secret, raw)
		}
	}
	for _, want := range []string{`"name":"김*수"`, `"phone":"010-****-5678"`, `"title":"정책 경진대회"`, `"title":"행복정책 경진대회"`, `"panelScore":"82.5"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the audit log lacks %s: %s", want, raw)
		}
	}

	// The log is the district admin's to read, not a viewer's.
	if _, err := e.svc.ListAuditEvents(e.as(t, viewer), &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("a viewer reading the audit log: %v", err)
	}
}

func TestAnAuditEventCommitsWithItsChangeAndNeverWithout(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	prog := must(e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_SURVEY, Title: "시민행복도 조사"}}))(t)
	question := must(e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: prog.GetName(), Question: &participationv1.Question{
		Text: "행복합니까?", Kind: participationv1.QuestionKind_QUESTION_KIND_SCALE, ScaleMin: 1, ScaleMax: 5}}))(t)
	must(e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: prog.GetName(), Response: &participationv1.Response{
		Answers: []*participationv1.Answer{{Question: question.GetName(), ScaleValue: 4}}}}))(t)
	before, events := snapshot(t, e.pool), len(e.auditEvents(t, ""))

	// Refused writes leave no event.
	refusals := map[string]func() error{
		"a viewer's program": func() error {
			_, err := e.svc.CreateProgram(e.as(t, viewer), &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
				Kind: participationv1.ProgramKind_PROGRAM_KIND_EVENT, Title: "행사"}})
			return err
		},
		"a stale update": func() error {
			_, err := e.svc.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
				Program: &participationv1.Program{Name: prog.GetName(), Title: "바뀐 제목", Etag: stale}})
			return err
		},
		"an invalid update": func() error {
			_, err := e.svc.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
				Program: &participationv1.Program{Name: prog.GetName(), Title: " ", Etag: prog.GetEtag()}})
			return err
		},
		"changing an answered question": func() error {
			_, err := e.svc.UpdateQuestion(ctx, &participationv1.UpdateQuestionRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}},
				Question: &participationv1.Question{Name: question.GetName(), Text: "바뀐 질문", Etag: question.GetEtag()}})
			return err
		},
		"deleting an answered question": func() error {
			_, err := e.svc.DeleteQuestion(ctx, &participationv1.DeleteQuestionRequest{Name: question.GetName(), Etag: question.GetEtag()})
			return err
		},
	}
	for what, call := range refusals {
		if err := call(); err == nil {
			t.Errorf("%s was written", what)
		}
	}
	if snapshot(t, e.pool) != before || len(e.auditEvents(t, "")) != events {
		t.Error("refused writes changed data or left audit events")
	}

	// A change whose event cannot be written is not made.
	if _, err := e.pool.Exec(ctx, `CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'the audit log is full'; END $$;
		CREATE TRIGGER refuse_events BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_events()`); err != nil {
		t.Fatal(err)
	}
	writes := map[string]func() error{
		"an update": func() error {
			_, err := e.svc.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
				Program: &participationv1.Program{Name: prog.GetName(), Title: "바뀐 제목", Etag: prog.GetEtag()}})
			return err
		},
		"a member": func() error {
			_, err := e.svc.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: prog.GetName(), RequestId: "member-1", Member: &participationv1.Member{
				Person: &participationv1.Person{Name: "김민수"}, Role: participationv1.MemberRole_MEMBER_ROLE_CITIZEN}})
			return err
		},
		"a response": func() error {
			_, err := e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: prog.GetName(), Response: &participationv1.Response{
				Answers: []*participationv1.Answer{{Question: question.GetName(), ScaleValue: 2}}}})
			return err
		},
		"a deletion": func() error {
			_, err := e.svc.DeleteProgram(ctx, &participationv1.DeleteProgramRequest{Name: prog.GetName(), Etag: prog.GetEtag()})
			return err
		},
	}
	for what, call := range writes {
		if err := call(); err == nil {
			t.Errorf("%s was written without its audit event", what)
		}
	}
	if snapshot(t, e.pool) != before {
		t.Error("a change was made without its audit event")
	}
	if _, err := e.pool.Exec(ctx, `DROP TRIGGER refuse_events ON audit_events`); err != nil {
		t.Fatal(err)
	}
	// Nothing half-done is left behind: the retry writes change and event.
	if err := writes["a member"](); err != nil {
		t.Fatal(err)
	}
	if n := len(e.auditEvents(t, `action = "create"`)); n != 4 {
		t.Errorf("%d create events, want 4", n)
	}
}

func TestWritesWithoutTheirEtagAreRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	prog := must(e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_POLICY_COMPETITION, Title: "정책 경진대회"}}))(t)
	member := must(e.svc.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: prog.GetName(), Member: &participationv1.Member{
		Person: &participationv1.Person{Name: "김민수"}, Role: participationv1.MemberRole_MEMBER_ROLE_CITIZEN}}))(t)
	sub := must(e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: prog.GetName(), Submission: &participationv1.Submission{Title: "마을 부엌"}}))(t)
	entry := must(e.svc.CreateEntry(ctx, &participationv1.CreateEntryRequest{Parent: prog.GetName(), Entry: &participationv1.Entry{Title: "마을 부엌"}}))(t)
	question := must(e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: prog.GetName(), Question: &participationv1.Question{
		Text: "행복합니까?", Kind: participationv1.QuestionKind_QUESTION_KIND_SCALE, ScaleMin: 1, ScaleMax: 5}}))(t)
	before := snapshot(t, e.pool)
	mask := func(path string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: []string{path}} }
	tests := []struct {
		name  string
		call  func(etag string) error
		field string
	}{
		{"UpdateProgram", func(etag string) error {
			_, err := e.svc.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: mask("title"), Program: &participationv1.Program{Name: prog.GetName(), Title: "새 제목", Etag: etag}})
			return err
		}, "program.etag"},
		{"UpdateProgram validate_only", func(etag string) error {
			_, err := e.svc.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: mask("title"), ValidateOnly: true, Program: &participationv1.Program{Name: prog.GetName(), Title: "새 제목", Etag: etag}})
			return err
		}, "program.etag"},
		{"DeleteProgram", func(etag string) error {
			_, err := e.svc.DeleteProgram(ctx, &participationv1.DeleteProgramRequest{Name: prog.GetName(), Etag: etag})
			return err
		}, "etag"},
		{"UpdateMember", func(etag string) error {
			_, err := e.svc.UpdateMember(ctx, &participationv1.UpdateMemberRequest{UpdateMask: mask("affiliation"), Member: &participationv1.Member{Name: member.GetName(), Affiliation: "위원회", Etag: etag}})
			return err
		}, "member.etag"},
		{"DeleteMember", func(etag string) error {
			_, err := e.svc.DeleteMember(ctx, &participationv1.DeleteMemberRequest{Name: member.GetName(), Etag: etag})
			return err
		}, "etag"},
		{"UpdateSubmission", func(etag string) error {
			_, err := e.svc.UpdateSubmission(ctx, &participationv1.UpdateSubmissionRequest{UpdateMask: mask("selected"), Submission: &participationv1.Submission{Name: sub.GetName(), Selected: true, Etag: etag}})
			return err
		}, "submission.etag"},
		{"DeleteSubmission", func(etag string) error {
			_, err := e.svc.DeleteSubmission(ctx, &participationv1.DeleteSubmissionRequest{Name: sub.GetName(), Etag: etag})
			return err
		}, "etag"},
		{"UpdateEntry", func(etag string) error {
			_, err := e.svc.UpdateEntry(ctx, &participationv1.UpdateEntryRequest{UpdateMask: mask("panel_score"), Entry: &participationv1.Entry{Name: entry.GetName(), PanelScore: "90", Etag: etag}})
			return err
		}, "entry.etag"},
		{"DeleteEntry", func(etag string) error {
			_, err := e.svc.DeleteEntry(ctx, &participationv1.DeleteEntryRequest{Name: entry.GetName(), Etag: etag})
			return err
		}, "etag"},
		{"UpdateQuestion", func(etag string) error {
			_, err := e.svc.UpdateQuestion(ctx, &participationv1.UpdateQuestionRequest{UpdateMask: mask("text"), Question: &participationv1.Question{Name: question.GetName(), Text: "바뀐 질문", Etag: etag}})
			return err
		}, "question.etag"},
		{"DeleteQuestion", func(etag string) error {
			_, err := e.svc.DeleteQuestion(ctx, &participationv1.DeleteQuestionRequest{Name: question.GetName(), Etag: etag})
			return err
		}, "etag"},
	}
	for _, tt := range tests {
		if err := tt.call(""); status.Code(err) != codes.InvalidArgument || !cmp.Equal(violated(err), []string{tt.field}) {
			t.Errorf("%s without an etag: %v (violations %v), want INVALID_ARGUMENT naming %s", tt.name, err, violated(err), tt.field)
		}
		if err := tt.call(stale); status.Code(err) != codes.Aborted {
			t.Errorf("%s with a stale etag: %v, want ABORTED", tt.name, err)
		}
	}
	if snapshot(t, e.pool) != before {
		t.Error("writes without their etag changed data")
	}
}

// TestRacingUpdatesWithOneEtagOneWins has officials update one member and
// one program at once with the etag they read: exactly one of them wins
// each round, and the log records that one alone.
func TestRacingUpdatesWithOneEtagOneWins(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	prog := must(e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_COMMITTEE, Title: "시민행복위원회"}}))(t)
	member := must(e.svc.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: prog.GetName(), Member: &participationv1.Member{
		Person: &participationv1.Person{Name: "김민수"}, Role: participationv1.MemberRole_MEMBER_ROLE_CITIZEN}}))(t)
	const rounds, writers = 5, 4
	for round := range rounds {
		errs := make([]error, 2*writers)
		racetest.Together(2*writers, func(i int) {
			value := fmt.Sprintf("round %d writer %d", round, i)
			if i < writers {
				_, errs[i] = e.svc.UpdateMember(ctx, &participationv1.UpdateMemberRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"affiliation"}},
					Member: &participationv1.Member{Name: member.GetName(), Affiliation: value, Etag: member.GetEtag()}})
				return
			}
			_, errs[i] = e.svc.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"description"}},
				Program: &participationv1.Program{Name: prog.GetName(), Description: value, Etag: prog.GetEtag()}})
		})
		m := racetest.OneWinner(t, errs[:writers])
		p := racetest.OneWinner(t, errs[writers:])
		member = must(e.svc.GetMember(ctx, &participationv1.GetMemberRequest{Name: member.GetName()}))(t)
		prog = must(e.svc.GetProgram(ctx, &participationv1.GetProgramRequest{Name: prog.GetName()}))(t)
		if member.GetAffiliation() != fmt.Sprintf("round %d writer %d", round, m) || prog.GetDescription() != fmt.Sprintf("round %d writer %d", round, writers+p) {
			t.Fatalf("round %d: the winners wrote %q and %q", round, member.GetAffiliation(), prog.GetDescription())
		}
	}
	if n := len(e.auditEvents(t, `action = "update"`)); n != 2*rounds {
		t.Errorf("%d update events for %d winning updates", n, 2*rounds)
	}
}
