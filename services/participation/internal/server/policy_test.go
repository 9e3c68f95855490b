package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// The callers the policy table is written for.
const (
	anonymous      = "anonymous"
	systemAdmin    = "system admin"
	reporter       = "ministry reporter"
	admin          = "gwangsan district admin"
	editor         = "editor of legal-support (owns the card)"
	otherEditor    = "editor of welfare"
	reader         = "gwangsan viewer"
	readerPersonal = "gwangsan viewer with personal data"
	recorder       = "gwangsan registrar"
	outsider       = "viewer of another district"
	participateKey = "gwangsan key with the participate scope"
)

// Who may do what, written out by hand from the rules (DESIGN.md, "Who is
// calling"), not from the policy's code.
var (
	everyone = []string{anonymous, systemAdmin, reporter, admin, editor, otherEditor, reader, readerPersonal, recorder, outsider, participateKey}
	// readers read gwangsan's data.
	readers = []string{systemAdmin, admin, editor, otherEditor, reader, readerPersonal, recorder}
	// cardWriters write what legal-support owns: programs serving the card.
	cardWriters = []string{systemAdmin, admin, editor}
	// districtWriters write what no department owns.
	districtWriters = []string{systemAdmin, admin}
	// takers cast ballots and answer surveys.
	takers = []string{systemAdmin, admin, recorder, participateKey}
	// filers file submissions to a program serving the card.
	filers = []string{systemAdmin, admin, editor, recorder, participateKey}
	// summarizers read gwangsan's summaries.
	summarizers = []string{systemAdmin, reporter, admin, editor, otherEditor, reader, readerPersonal, recorder}
	// auditors read gwangsan's audit log.
	auditors = []string{systemAdmin, admin}
)

// stale is an etag no resource has: a write allowed by the policy is
// refused as stale and changes nothing.
const stale = "00000000000000000000"

type policyCase struct {
	method  string
	what    string
	allowed []string
	call    func(ctx context.Context, c participationv1.ParticipationServiceClient) error
}

// TestEveryMethodLetsInExactlyWhoItShould calls every method as every kind
// of caller and checks who is let in: refused callers get UNAUTHENTICATED
// (without a credential) or PERMISSION_DENIED; any other answer means the
// policy let the call through. The requests change nothing when let in
// (stale etags, bodies that fail validation after the policy). A method
// the server registers without a row here fails the test.
func TestEveryMethodLetsInExactlyWhoItShould(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.publishTerm(t, 7)
	open := &participationv1.Window{OpenTime: at(now.Add(-time.Hour)), CloseTime: at(now.Add(time.Hour))}
	card, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_IDEA_CONTEST, Title: "아이디어 공모전", Pledges: []string{e.pledges.Card},
		SubmissionWindow: open, VotingWindow: open, ResponseWindow: open,
	}})
	if err != nil {
		t.Fatal(err)
	}
	after, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_EVENT, Title: "수변공원 시민 행사", Pledges: []string{e.pledges.AfterTerm},
	}})
	if err != nil {
		t.Fatal(err)
	}
	member, err := e.svc.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: card.GetName(), Member: &participationv1.Member{
		Person: &participationv1.Person{Name: "김민수", Phone: "010-1234-5678"}, Role: participationv1.MemberRole_MEMBER_ROLE_CITIZEN}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: card.GetName(), Submission: &participationv1.Submission{
		Title: "골목 정원", Proposer: &participationv1.Person{Name: "이영희"}}})
	if err != nil {
		t.Fatal(err)
	}
	entry, err := e.svc.CreateEntry(ctx, &participationv1.CreateEntryRequest{Parent: card.GetName(), Entry: &participationv1.Entry{Title: "골목 정원"}})
	if err != nil {
		t.Fatal(err)
	}
	question, err := e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: card.GetName(), Question: &participationv1.Question{
		Text: "만족하십니까?", Kind: participationv1.QuestionKind_QUESTION_KIND_SCALE, ScaleMin: 1, ScaleMax: 5}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := e.pledges.Keys.CreateApiKey(ctx, &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKey: &pledgev1.ApiKey{
		DisplayName: "시민 참여 포털", Scopes: []string{"participate"}}})
	if err != nil {
		t.Fatal(err)
	}
	callers := map[string]context.Context{
		anonymous:      ctx,
		systemAdmin:    authtest.As(ctx, e.pledges.AdminToken),
		reporter:       e.as(t, "ministry-reporter"),
		admin:          e.as(t, districtAdmin),
		editor:         e.as(t, legalEditor),
		otherEditor:    e.as(t, welfareEditor),
		reader:         e.as(t, viewer),
		readerPersonal: e.as(t, viewer, personalData),
		recorder:       e.as(t, registrar),
		outsider:       e.as(t, otherViewer),
		participateKey: authtest.As(ctx, key.GetSecret()),
	}

	title := &fieldmaskpb.FieldMask{Paths: []string{"title"}}
	cases := []policyCase{
		{"GetProgram", "a program serving a published pledge", everyone, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetProgram(ctx, &participationv1.GetProgramRequest{Name: card.GetName()})
			return err
		}},
		{"GetProgram", "a program serving an unpublished pledge", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetProgram(ctx, &participationv1.GetProgramRequest{Name: after.GetName()})
			return err
		}},
		{"ListPrograms", "the programs of a published pledge", everyone, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListPrograms(ctx, &participationv1.ListProgramsRequest{Parent: "districts/gwangsan", Filter: `pledges:"` + e.pledges.Card + `"`})
			return err
		}},
		{"ListPrograms", "the programs of an unpublished pledge", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListPrograms(ctx, &participationv1.ListProgramsRequest{Parent: "districts/gwangsan", Filter: `pledges:"` + e.pledges.AfterTerm + `"`})
			return err
		}},
		{"ListPrograms", "every program", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListPrograms(ctx, &participationv1.ListProgramsRequest{Parent: "districts/gwangsan"})
			return err
		}},
		{"CreateProgram", "serving the card (an empty title)", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
				Kind: participationv1.ProgramKind_PROGRAM_KIND_EVENT, Pledges: []string{e.pledges.Card}}})
			return err
		}},
		{"CreateProgram", "serving no pledge (an empty title)", districtWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
				Kind: participationv1.ProgramKind_PROGRAM_KIND_EVENT}})
			return err
		}},
		{"UpdateProgram", "serving the card", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: title, Program: &participationv1.Program{
				Name: card.GetName(), Title: "바뀐 제목", Etag: stale}})
			return err
		}},
		{"UpdateProgram", "serving a pledge no department owns", districtWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: title, Program: &participationv1.Program{
				Name: after.GetName(), Title: "바뀐 제목", Etag: stale}})
			return err
		}},
		{"UpdateProgram", "moving it from the card to a pledge no department owns", districtWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"pledges"}},
				Program: &participationv1.Program{Name: card.GetName(), Pledges: []string{e.pledges.AfterTerm}, Etag: stale}})
			return err
		}},
		{"DeleteProgram", "serving the card", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.DeleteProgram(ctx, &participationv1.DeleteProgramRequest{Name: card.GetName(), Etag: stale})
			return err
		}},

		{"GetMember", "", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetMember(ctx, &participationv1.GetMemberRequest{Name: member.GetName()})
			return err
		}},
		{"ListMembers", "", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListMembers(ctx, &participationv1.ListMembersRequest{Parent: card.GetName()})
			return err
		}},
		{"CreateMember", "without a role", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: card.GetName(), Member: &participationv1.Member{
				Person: &participationv1.Person{Name: "박지영"}}})
			return err
		}},
		{"UpdateMember", "", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.UpdateMember(ctx, &participationv1.UpdateMemberRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"affiliation"}},
				Member: &participationv1.Member{Name: member.GetName(), Affiliation: "위원회", Etag: stale}})
			return err
		}},
		{"DeleteMember", "", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.DeleteMember(ctx, &participationv1.DeleteMemberRequest{Name: member.GetName(), Etag: stale})
			return err
		}},

		{"GetSubmission", "", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetSubmission(ctx, &participationv1.GetSubmissionRequest{Name: sub.GetName()})
			return err
		}},
		{"ListSubmissions", "", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListSubmissions(ctx, &participationv1.ListSubmissionsRequest{Parent: card.GetName()})
			return err
		}},
		{"CreateSubmission", "without a title", filers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: card.GetName(), Submission: &participationv1.Submission{}})
			return err
		}},
		{"UpdateSubmission", "", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.UpdateSubmission(ctx, &participationv1.UpdateSubmissionRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"selected"}},
				Submission: &participationv1.Submission{Name: sub.GetName(), Selected: true, Etag: stale}})
			return err
		}},
		{"DeleteSubmission", "", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.DeleteSubmission(ctx, &participationv1.DeleteSubmissionRequest{Name: sub.GetName(), Etag: stale})
			return err
		}},

		{"GetEntry", "", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetEntry(ctx, &participationv1.GetEntryRequest{Name: entry.GetName()})
			return err
		}},
		{"ListEntries", "", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListEntries(ctx, &participationv1.ListEntriesRequest{Parent: card.GetName()})
			return err
		}},
		{"CreateEntry", "without a title", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.CreateEntry(ctx, &participationv1.CreateEntryRequest{Parent: card.GetName(), Entry: &participationv1.Entry{}})
			return err
		}},
		{"UpdateEntry", "", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.UpdateEntry(ctx, &participationv1.UpdateEntryRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"panel_score"}},
				Entry: &participationv1.Entry{Name: entry.GetName(), PanelScore: "80", Etag: stale}})
			return err
		}},
		{"DeleteEntry", "", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.DeleteEntry(ctx, &participationv1.DeleteEntryRequest{Name: entry.GetName(), Etag: stale})
			return err
		}},

		{"ListBallots", "", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListBallots(ctx, &participationv1.ListBallotsRequest{Parent: card.GetName()})
			return err
		}},
		{"CreateBallot", "without a citizen", takers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: card.GetName(), Ballot: &participationv1.Ballot{
				Scores: []*participationv1.BallotScore{{Entry: entry.GetName(), Score: 5}}}})
			return err
		}},
		// Batches are bulk loads: what the single method needs, over the
		// whole district (the card's department editor is refused).
		{"BatchCreateMembers", "without a role", districtWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.BatchCreateMembers(ctx, &participationv1.BatchCreateMembersRequest{Parent: card.GetName(), Requests: []*participationv1.CreateMemberRequest{
				{Member: &participationv1.Member{Person: &participationv1.Person{Name: "박지영"}}}}})
			return err
		}},
		{"BatchCreateSubmissions", "without a title", []string{systemAdmin, admin, recorder, participateKey}, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.BatchCreateSubmissions(ctx, &participationv1.BatchCreateSubmissionsRequest{Parent: card.GetName(), Requests: []*participationv1.CreateSubmissionRequest{
				{Submission: &participationv1.Submission{}}}})
			return err
		}},
		{"BatchCreateBallots", "without a citizen", takers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.BatchCreateBallots(ctx, &participationv1.BatchCreateBallotsRequest{Parent: card.GetName(), Requests: []*participationv1.CreateBallotRequest{
				{Ballot: &participationv1.Ballot{Scores: []*participationv1.BallotScore{{Entry: entry.GetName(), Score: 5}}}}}})
			return err
		}},

		{"GetQuestion", "", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetQuestion(ctx, &participationv1.GetQuestionRequest{Name: question.GetName()})
			return err
		}},
		{"ListQuestions", "", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListQuestions(ctx, &participationv1.ListQuestionsRequest{Parent: card.GetName()})
			return err
		}},
		{"CreateQuestion", "without a kind", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: card.GetName(), Question: &participationv1.Question{Text: "질문"}})
			return err
		}},
		{"UpdateQuestion", "", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.UpdateQuestion(ctx, &participationv1.UpdateQuestionRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}},
				Question: &participationv1.Question{Name: question.GetName(), Text: "바뀐 질문", Etag: stale}})
			return err
		}},
		{"DeleteQuestion", "", cardWriters, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.DeleteQuestion(ctx, &participationv1.DeleteQuestionRequest{Name: question.GetName(), Etag: stale})
			return err
		}},

		{"ListResponses", "", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListResponses(ctx, &participationv1.ListResponsesRequest{Parent: card.GetName()})
			return err
		}},
		{"CreateResponse", "answering an unknown question", takers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: card.GetName(), Response: &participationv1.Response{
				Answers: []*participationv1.Answer{{Question: card.GetName() + "/questions/nothing", ScaleValue: 3}}}})
			return err
		}},

		{"GetTally", "of a program serving a published pledge", everyone, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetTally(ctx, &participationv1.GetTallyRequest{Name: card.GetName() + "/tally"})
			return err
		}},
		{"GetTally", "of a program serving an unpublished pledge", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetTally(ctx, &participationv1.GetTallyRequest{Name: after.GetName() + "/tally"})
			return err
		}},
		{"GetContestResults", "of a program serving a published pledge", everyone, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetContestResults(ctx, &participationv1.GetContestResultsRequest{Name: card.GetName() + "/contestResults"})
			return err
		}},
		{"GetContestResults", "of a program serving an unpublished pledge", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetContestResults(ctx, &participationv1.GetContestResultsRequest{Name: after.GetName() + "/contestResults"})
			return err
		}},
		{"GetSurveyResults", "of a program serving a published pledge", everyone, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetSurveyResults(ctx, &participationv1.GetSurveyResultsRequest{Name: card.GetName() + "/surveyResults"})
			return err
		}},
		{"GetSurveyResults", "of a program serving an unpublished pledge", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.GetSurveyResults(ctx, &participationv1.GetSurveyResultsRequest{Name: after.GetName() + "/surveyResults"})
			return err
		}},

		{"SummarizePrograms", "of gwangsan", summarizers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.SummarizePrograms(ctx, &participationv1.SummarizeProgramsRequest{Parent: "districts/gwangsan"})
			return err
		}},
		{"SummarizePrograms", "of every district", []string{systemAdmin, reporter}, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.SummarizePrograms(ctx, &participationv1.SummarizeProgramsRequest{Parent: "districts/-"})
			return err
		}},
		{"ListAuditEvents", "of gwangsan", auditors, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListAuditEvents(ctx, &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"})
			return err
		}},
		{"ListAuditEvents", "of every district", []string{systemAdmin}, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			_, err := c.ListAuditEvents(ctx, &typev1.ListAuditEventsRequest{Parent: "districts/-"})
			return err
		}},
		// A district's bulk export, for the pledge service's: its readers,
		// masked for those without personal-data (a viewer of another
		// district reads published data only, and is refused).
		{"ExportDistrictData", "of gwangsan", readers, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			st, err := c.ExportDistrictData(ctx, &typev1.ExportDistrictDataRequest{Name: "districts/gwangsan"})
			if err == nil {
				_, err = st.Recv()
			}
			return err
		}},
		// Its import: those who create districts. Gwangsan has data here, so
		// the import let in is refused (FAILED_PRECONDITION) and writes
		// nothing; its one line is not a row either.
		{"ImportDistrictData", "into gwangsan, which has data", []string{systemAdmin}, func(ctx context.Context, c participationv1.ParticipationServiceClient) error {
			st, err := c.ImportDistrictData(ctx)
			if err != nil {
				return err
			}
			// A refused stream ends the send: CloseAndRecv says why.
			_ = st.Send(&typev1.ImportDistrictDataRequest{Name: "districts/gwangsan", ExportId: "policy-table",
				Lines: []*typev1.DataLine{{Type: "participation.nothing", Resource: []byte(`{}`), Line: 2}}})
			_, err = st.CloseAndRecv()
			return err
		}},
	}

	const service = "/gongyak.participation.v1.ParticipationService/"
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[service+tc.method] = true
	}
	for _, m := range e.srv.Methods() {
		if !strings.HasPrefix(m, "/grpc.health.v1.") && !covered[m] {
			t.Errorf("%s has no row in the policy table: say who may call it", m)
		}
	}

	before := snapshot(t, e.pool)
	changes := len(e.auditEvents(t, `action != "read_personal_data"`))
	client := e.anonymous()
	for _, tc := range cases {
		for _, who := range everyone {
			err := tc.call(callers[who], client)
			code := status.Code(err)
			refused := code == codes.PermissionDenied || code == codes.Unauthenticated
			switch allowed := slices.Contains(tc.allowed, who); {
			case allowed && refused:
				t.Errorf("%s %s: %s was refused: %v", tc.method, tc.what, who, err)
			case !allowed && !refused:
				t.Errorf("%s %s: %s was let in (%v)", tc.method, tc.what, who, code)
			case !allowed && who == anonymous && code != codes.Unauthenticated:
				t.Errorf("%s %s: anonymous got %v, want UNAUTHENTICATED", tc.method, tc.what, code)
			case !allowed && who != anonymous && code != codes.PermissionDenied:
				t.Errorf("%s %s: %s got %v, want PERMISSION_DENIED", tc.method, tc.what, who, code)
			}
		}
	}
	if snapshot(t, e.pool) != before {
		t.Error("the calls of the policy table changed the participation schema")
	}
	if n := len(e.auditEvents(t, `action != "read_personal_data"`)); n != changes {
		t.Errorf("the calls of the policy table wrote %d change events", n-changes)
	}
}
