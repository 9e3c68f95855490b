package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// people holds a program whose members, proposer and survey answer carry
// personal data.
type people struct {
	program, survey   string
	members           []string
	submission, reply string
}

func withPeople(t *testing.T, e *env) people {
	t.Helper()
	ctx := context.Background()
	var out people
	tf, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_TASK_FORCE, Title: "광산구정혁신 TF"}})
	if err != nil {
		t.Fatal(err)
	}
	out.program = tf.GetName()
	for _, p := range []*participationv1.Person{
		{Name: "김민수", Phone: "010-1234-5678", Email: "minsu@example.kr"},
		{Name: "박지영", Phone: "010-2222-3333"},
	} {
		m, err := e.svc.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: tf.GetName(), Member: &participationv1.Member{
			Person: p, Role: participationv1.MemberRole_MEMBER_ROLE_CITIZEN}})
		if err != nil {
			t.Fatal(err)
		}
		out.members = append(out.members, m.GetName())
	}
	sub, err := e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: tf.GetName(), Submission: &participationv1.Submission{
		Title: "골목 정원", Proposer: &participationv1.Person{Name: "이영희", Email: "yh@example.kr"}}})
	if err != nil {
		t.Fatal(err)
	}
	out.submission = sub.GetName()
	survey, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_SURVEY, Title: "시민행복도 조사"}})
	if err != nil {
		t.Fatal(err)
	}
	out.survey = survey.GetName()
	q, err := e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: survey.GetName(), Question: &participationv1.Question{
		Text: "하고 싶은 말", Kind: participationv1.QuestionKind_QUESTION_KIND_FREE_TEXT}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: survey.GetName(), Response: &participationv1.Response{
		Answers: []*participationv1.Answer{{Question: q.GetName(), Text: "제 번호는 010-7777-6666입니다"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.GetAnswers()[0].GetText() != "***" {
		t.Errorf("a response's answer to its writer: %q, want it masked", r.GetAnswers()[0].GetText())
	}
	out.reply = r.GetName()
	return out
}

// readEverything reads every member, the submission and the responses, and
// returns what it was shown of the people behind them.
func readEverything(t *testing.T, e *env, ctx context.Context, p people) []string {
	t.Helper()
	var seen []string
	m, err := e.svc.GetMember(ctx, &participationv1.GetMemberRequest{Name: p.members[0]})
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, m.GetPerson().GetName(), m.GetPerson().GetPhone(), m.GetPerson().GetEmail())
	ms, err := e.svc.ListMembers(ctx, &participationv1.ListMembersRequest{Parent: p.program})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms.GetMembers() {
		seen = append(seen, m.GetPerson().GetName())
	}
	s, err := e.svc.GetSubmission(ctx, &participationv1.GetSubmissionRequest{Name: p.submission})
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, s.GetProposer().GetName())
	ss, err := e.svc.ListSubmissions(ctx, &participationv1.ListSubmissionsRequest{Parent: p.program})
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, ss.GetSubmissions()[0].GetProposer().GetEmail())
	rs, err := e.svc.ListResponses(ctx, &participationv1.ListResponsesRequest{Parent: p.survey})
	if err != nil {
		t.Fatal(err)
	}
	return append(seen, rs.GetResponses()[0].GetAnswers()[0].GetText())
}

var (
	unmaskedView = []string{"김민수", "010-1234-5678", "minsu@example.kr", "김민수", "박지영", "이영희", "yh@example.kr", "제 번호는 010-7777-6666입니다"}
	maskedView   = []string{"김*수", "010-****-5678", "m****@example.kr", "김*수", "박*영", "이*희", "y*@example.kr", "***"}
)

// readsOf lists the read_personal_data events as "actor resource fields".
func readsOf(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	for _, ev := range e.auditEvents(t, `action = "read_personal_data"`) {
		var fields []string
		for _, f := range ev.GetAfter().GetFields()["fields"].GetListValue().GetValues() {
			fields = append(fields, f.GetStringValue())
		}
		actor, _, _ := strings.Cut(ev.GetActor(), "@")
		out = append(out, actor+" "+ev.GetResource()+" "+strings.Join(fields, ","))
	}
	return out
}

func TestPersonalDataIsShownOnlyInItsDistrictAndEachShowingIsRecorded(t *testing.T) {
	e := newEnv(t)
	p := withPeople(t, e)
	for _, tc := range []struct {
		who  string
		ctx  context.Context
		want []string
	}{
		{"a system admin", context.Background(), maskedView},
		{"a gwangsan viewer", e.as(t, viewer), maskedView},
		{"a gwangsan viewer with another district's personal-data grant", e.as(t, viewer, "personal-data@districts/buk"), maskedView},
		{"a gwangsan district admin", e.as(t, districtAdmin), maskedView},
	} {
		if got := readEverything(t, e, tc.ctx, p); !cmp.Equal(got, tc.want) {
			t.Errorf("%s was shown %v, want %v", tc.who, got, tc.want)
		}
	}
	if reads := readsOf(t, e); len(reads) != 0 {
		t.Errorf("masked reads were recorded as reads of personal data: %v", reads)
	}

	if got := readEverything(t, e, e.as(t, viewer, personalData), p); !cmp.Equal(got, unmaskedView) {
		t.Errorf("a gwangsan viewer with the personal-data grant was shown %v, want %v", got, unmaskedView)
	}
	// One event per resource shown unmasked: a list records each of its
	// members.
	want := []string{
		"user:official " + p.members[0] + " person.name,person.phone,person.email",
		"user:official " + p.members[0] + " person.name,person.phone,person.email",
		"user:official " + p.members[1] + " person.name,person.phone",
		"user:official " + p.submission + " proposer.name,proposer.email",
		"user:official " + p.submission + " proposer.name,proposer.email",
		"user:official " + p.reply + " answers.text",
	}
	if got := readsOf(t, e); !cmp.Equal(got, want) {
		t.Errorf("recorded reads:\n%v\nwant\n%v", got, want)
	}

	// A system with the personal-data scope is recorded by its key's name.
	key, err := e.pledges.Keys.CreateApiKey(context.Background(), &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKey: &pledgev1.ApiKey{
		DisplayName: "위원회 관리 시스템", Scopes: []string{"read", "personal-data"}}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.svc.GetMember(authtest.As(context.Background(), key.GetSecret()), &participationv1.GetMemberRequest{Name: p.members[1]})
	if err != nil || m.GetPerson().GetName() != "박지영" {
		t.Fatalf("a key with the personal-data scope: %v, %v", err, m.GetPerson())
	}
	got := readsOf(t, e)
	if want := "apikey:" + key.GetApiKey().GetName() + " " + p.members[1] + " person.name,person.phone"; len(got) == 0 || got[len(got)-1] != want {
		t.Errorf("the key's read was recorded as %q, want it last in %q", want, got)
	}
}

// rolesHeader is the header callers once stated their roles in.
const rolesHeader = "x-gongyak-roles"

func TestTheRolesHeaderGivesNoRole(t *testing.T) {
	e := newEnv(t)
	p := withPeople(t, e)
	ctx := metadata.AppendToOutgoingContext(e.as(t, viewer), rolesHeader, "personal-data")
	if got := readEverything(t, e, ctx, p); !cmp.Equal(got, maskedView) {
		t.Errorf("a viewer claiming personal-data in the header was shown %v", got)
	}
	if reads := readsOf(t, e); len(reads) != 0 {
		t.Errorf("reads recorded: %v", reads)
	}

	// A past contest and a past evaluation: recording what happened then
	// is the registrar's (or a district admin's), never a header's.
	past := &participationv1.Window{OpenTime: at(time.Date(2020, 1, 20, 0, 0, 0, 0, kst)), CloseTime: at(time.Date(2020, 2, 14, 0, 0, 0, 0, kst))}
	contest, err := e.svc.CreateProgram(context.Background(), &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_POLICY_COMPETITION, Title: "지난 경진대회", SubmissionWindow: past, VotingWindow: past}})
	if err != nil {
		t.Fatal(err)
	}
	entry, err := e.svc.CreateEntry(context.Background(), &participationv1.CreateEntryRequest{Parent: contest.GetName(), Entry: &participationv1.Entry{Title: "마을 부엌"}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := e.pledges.Keys.CreateApiKey(context.Background(), &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKey: &pledgev1.ApiKey{
		DisplayName: "시민 참여 포털", Scopes: []string{"participate"}}})
	if err != nil {
		t.Fatal(err)
	}
	received := at(time.Date(2020, 2, 1, 10, 0, 0, 0, kst))
	submission := func(ctx context.Context) error {
		_, err := e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: contest.GetName(), Submission: &participationv1.Submission{
			Title: "소급 접수", ReceiveTime: received}})
		return err
	}
	ballot := func(ctx context.Context) error {
		_, err := e.svc.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: contest.GetName(), Ballot: &participationv1.Ballot{
			CitizenId: "010-4444-5555", CastTime: received, Scores: []*participationv1.BallotScore{{Entry: entry.GetName(), Score: 7}}}})
		return err
	}
	before := snapshot(t, e.pool)
	for who, ctx := range map[string]context.Context{
		"the program's department editor": e.as(t, legalEditor),
		"a participate key":               authtest.As(context.Background(), key.GetSecret()),
		"a viewer":                        e.as(t, viewer),
	} {
		ctx = metadata.AppendToOutgoingContext(ctx, rolesHeader, "registrar")
		if err := submission(ctx); err == nil {
			t.Errorf("%s claiming registrar in the header backdated a submission", who)
		} else if code := status.Code(err); code == codes.InvalidArgument && !slices.Equal(violated(err), []string{"submission.receive_time"}) {
			t.Errorf("%s backdating a submission: %v", who, err)
		}
		if err := ballot(ctx); err == nil {
			t.Errorf("%s claiming registrar in the header backdated a ballot", who)
		} else if code := status.Code(err); code == codes.InvalidArgument && !slices.Equal(violated(err), []string{"ballot.cast_time"}) {
			t.Errorf("%s backdating a ballot: %v", who, err)
		}
	}
	if snapshot(t, e.pool) != before {
		t.Error("a backdated submission or ballot was written")
	}
	// The registrar records both, within the window and not ahead of now.
	if err := submission(e.as(t, registrar)); err != nil {
		t.Errorf("the registrar recording a past submission: %v", err)
	}
	if err := ballot(e.as(t, registrar)); err != nil {
		t.Errorf("the registrar recording a past ballot: %v", err)
	}
	_, err = e.svc.CreateSubmission(e.as(t, registrar), &participationv1.CreateSubmissionRequest{Parent: contest.GetName(), Submission: &participationv1.Submission{
		Title: "미래 접수", ReceiveTime: at(now.Add(time.Hour))}})
	if !slices.Equal(violated(err), []string{"submission.receive_time"}) {
		t.Errorf("the registrar recording a submission ahead of the clock: %v", err)
	}
}

func TestAPublishedProgramIsReadByAnyoneMaskedButNotItsRecords(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	window := &participationv1.Window{OpenTime: at(time.Date(2020, 1, 20, 0, 0, 0, 0, kst)), CloseTime: at(time.Date(2020, 2, 14, 0, 0, 0, 0, kst))}
	create := func(p *participationv1.Program) *participationv1.Program {
		t.Helper()
		out, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: p})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	contest := create(&participationv1.Program{Kind: participationv1.ProgramKind_PROGRAM_KIND_IDEA_CONTEST, Title: "아이디어 공모전",
		Pledges: []string{e.pledges.Card}, SubmissionWindow: window})
	clubs := create(&participationv1.Program{Kind: participationv1.ProgramKind_PROGRAM_KIND_CLUB, Title: "행복동아리", Pledges: []string{e.pledges.Card}})
	create(&participationv1.Program{Kind: participationv1.ProgramKind_PROGRAM_KIND_EVENT, Title: "SNS 이벤트"})
	park := create(&participationv1.Program{Kind: participationv1.ProgramKind_PROGRAM_KIND_IDEA_CONTEST, Title: "수변공원 아이디어",
		Pledges: []string{e.pledges.AfterTerm}})
	for i, name := range []string{"정민정", "이순기"} {
		if _, err := e.svc.CreateSubmission(e.as(t, registrar), &participationv1.CreateSubmissionRequest{Parent: contest.GetName(), Submission: &participationv1.Submission{
			Title: "아이디어", Proposer: &participationv1.Person{Name: name, Phone: "010-1111-2222"}, Selected: true, Award: "금상", AwardRank: 1,
			ReceiveTime: at(time.Date(2020, 1, 21+i, 10, 0, 0, 0, kst))}}); err != nil {
			t.Fatal(err)
		}
	}
	anyone := e.anonymous()
	results := func(c context.Context, program string) (*participationv1.ContestResults, error) {
		return anyone.GetContestResults(c, &participationv1.GetContestResultsRequest{Name: program + "/contestResults"})
	}
	if _, err := results(ctx, contest.GetName()); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("before its term is public, anyone read the contest's results: %v", err)
	}

	e.publishTerm(t, 7)
	outsider := e.as(t, otherViewer, "personal-data@districts/buk")
	for who, c := range map[string]context.Context{"anyone": ctx, "another district's viewer": outsider, "the ministry": e.as(t, "ministry-reporter")} {
		res, err := results(c, contest.GetName())
		if err != nil {
			t.Fatalf("%s reading the published contest's results: %v", who, err)
		}
		var proposers []string
		for _, a := range res.GetAwards() {
			proposers = append(proposers, a.GetProposer())
		}
		if !cmp.Equal(proposers, []string{"정*정", "이*기"}) || res.GetSelected() != 2 {
			t.Errorf("%s read the results %v", who, res)
		}
		list, err := anyone.ListPrograms(c, &participationv1.ListProgramsRequest{Parent: "districts/gwangsan", Filter: `pledges:"` + e.pledges.Card + `"`})
		if err != nil {
			t.Fatalf("%s listing the published pledge's programs: %v", who, err)
		}
		var names []string
		for _, p := range list.GetPrograms() {
			names = append(names, p.GetName())
		}
		slices.Sort(names)
		want := []string{contest.GetName(), clubs.GetName()}
		slices.Sort(want)
		if !cmp.Equal(names, want) {
			t.Errorf("%s listed %v, want the card's programs %v", who, names, want)
		}
		// The filter cannot reach past the published pledge.
		list, err = anyone.ListPrograms(c, &participationv1.ListProgramsRequest{Parent: "districts/gwangsan",
			Filter: `pledges:"` + e.pledges.Card + `" OR term = 8 OR kind = PROGRAM_KIND_EVENT`})
		if err != nil || len(list.GetPrograms()) != 2 {
			t.Errorf("%s widening the filter: %v, %d programs", who, err, len(list.GetPrograms()))
		}
		if _, err := anyone.GetProgram(c, &participationv1.GetProgramRequest{Name: contest.GetName()}); err != nil {
			t.Errorf("%s reading the published program: %v", who, err)
		}
	}

	refused := func(who string, c context.Context, code codes.Code) {
		t.Helper()
		for what, call := range map[string]func() error{
			"the contest's members": func() error {
				_, err := anyone.ListMembers(c, &participationv1.ListMembersRequest{Parent: contest.GetName()})
				return err
			},
			"the contest's submissions": func() error {
				_, err := anyone.ListSubmissions(c, &participationv1.ListSubmissionsRequest{Parent: contest.GetName()})
				return err
			},
			"the contest's ballots": func() error {
				_, err := anyone.ListBallots(c, &participationv1.ListBallotsRequest{Parent: contest.GetName()})
				return err
			},
			"an unpublished pledge's program": func() error {
				_, err := anyone.GetProgram(c, &participationv1.GetProgramRequest{Name: park.GetName()})
				return err
			},
			"an unpublished pledge's contest results": func() error {
				_, err := results(c, park.GetName())
				return err
			},
			"an unpublished pledge's programs": func() error {
				_, err := anyone.ListPrograms(c, &participationv1.ListProgramsRequest{Parent: "districts/gwangsan", Filter: `pledges:"` + e.pledges.AfterTerm + `"`})
				return err
			},
			"every program": func() error {
				_, err := anyone.ListPrograms(c, &participationv1.ListProgramsRequest{Parent: "districts/gwangsan"})
				return err
			},
			"a program that does not exist": func() error {
				_, err := anyone.GetProgram(c, &participationv1.GetProgramRequest{Name: "districts/gwangsan/programs/nothing"})
				return err
			},
		} {
			if err := call(); status.Code(err) != code {
				t.Errorf("%s reading %s: %v, want %v", who, what, err, code)
			}
		}
	}
	refused("anyone", ctx, codes.Unauthenticated)
	refused("another district's viewer", outsider, codes.PermissionDenied)
	if reads := readsOf(t, e); len(reads) != 0 {
		t.Errorf("published reads were recorded as reads of personal data: %v", reads)
	}
}
