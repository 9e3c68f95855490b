package server_test

import (
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/racetest"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// sixPolicies is the card's 2020 policy competition: six policies judged
// by an online citizen evaluation and an on-site panel, weighed 50/50.
// The card does not name them; these names are made up.
var sixPolicies = []struct {
	title, panel string
}{
	{"마을 돌봄 공유 부엌", "82.5"},
	{"청년 창업 공유 사무실", "76"},
	{"어르신 디지털 배움터", "90"},
	{"골목 상권 온라인 장터", "68.25"},
	{"아이 안심 등하굣길", "88"},
	{"탄소중립 실천 포인트", "71.5"},
}

func evaluation(t *testing.T, e *env) (*participationv1.Program, []string) {
	t.Helper()
	ctx := context.Background()
	prog, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", ProgramId: "policy-competition-2020", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_POLICY_COMPETITION, Title: "광산구 행복혁신정책 경진대회", Pledges: []string{e.pledges.Card},
		VotingWindow:   &participationv1.Window{OpenTime: at(now.Add(-time.Hour)), CloseTime: at(now.Add(time.Hour))},
		BallotScaleMax: 10, CitizenWeightPercent: 50, PanelWeightPercent: 50,
	}})
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for i, p := range sixPolicies {
		entry, err := e.svc.CreateEntry(ctx, &participationv1.CreateEntryRequest{Parent: prog.GetName(), EntryId: fmt.Sprintf("policy-%d", i+1), Entry: &participationv1.Entry{Title: p.title, PanelScore: p.panel}})
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, entry.GetName())
	}
	return prog, entries
}

// TestConcurrentAndDuplicateBallotsCountOnce has 60 citizens vote at once,
// each sending its ballot three times under one request_id and twice more
// under others, and checks the tally equals what one ballot each gives.
func TestConcurrentAndDuplicateBallotsCountOnce(t *testing.T) {
	e := newEnv(t)
	prog, entries := evaluation(t, e)
	ctx := context.Background()
	const citizens = 60
	score := func(c, entry int) int32 { return int32(1 + (c*7+entry*3)%10) }
	results := make([][]codes.Code, citizens)
	for c := range results {
		results[c] = make([]codes.Code, 5)
	}
	racetest.Together(citizens*5, func(k int) {
		c, attempt := k/5, k%5
		b := &participationv1.Ballot{CitizenId: fmt.Sprintf("010-5555-%04d", c)}
		for i, name := range entries {
			b.Scores = append(b.Scores, &participationv1.BallotScore{Entry: name, Score: score(c, i)})
		}
		reqID := fmt.Sprintf("ballot-%d", c)
		if attempt >= 3 {
			reqID = fmt.Sprintf("ballot-%d-again-%d", c, attempt)
		}
		_, err := e.svc.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: prog.GetName(), Ballot: b, RequestId: reqID})
		results[c][attempt] = status.Code(err)
	})
	for c, codesSeen := range results {
		ok := 0
		for attempt, code := range codesSeen {
			switch {
			case code == codes.OK:
				ok++
			case code == codes.AlreadyExists:
			default:
				t.Errorf("citizen %d attempt %d: %v", c, attempt, code)
			}
		}
		// The three retries of one request all succeed (they replay it) or
		// all are refused; at least one attempt succeeds.
		if ok == 0 || codesSeen[0] != codesSeen[1] || codesSeen[1] != codesSeen[2] {
			t.Errorf("citizen %d: %v", c, codesSeen)
		}
	}
	tally, err := e.svc.GetTally(ctx, &participationv1.GetTallyRequest{Name: prog.GetName() + "/tally"})
	if err != nil {
		t.Fatal(err)
	}
	if tally.GetBallots() != citizens {
		t.Fatalf("%d ballots counted from %d citizens", tally.GetBallots(), citizens)
	}
	// What one ballot per citizen gives, computed here exactly.
	type want struct {
		title, mean, citizen, combined string
		ballots                        int32
	}
	var wants []want
	for i, p := range sixPolicies {
		sum := 0
		for c := range citizens {
			sum += int(score(c, i))
		}
		mean := big.NewRat(int64(sum), citizens)
		citizen := new(big.Rat).Mul(mean, big.NewRat(10, 1)) // ÷ 10 × 100
		panel, _ := new(big.Rat).SetString(p.panel)
		combined := new(big.Rat).Add(new(big.Rat).Mul(citizen, big.NewRat(1, 2)), new(big.Rat).Mul(panel, big.NewRat(1, 2)))
		wants = append(wants, want{p.title, round2(mean), round2(citizen), round2(combined), citizens})
	}
	got := map[string]want{}
	var prevCombined *big.Rat
	prevRank := int32(0)
	for i, et := range tally.GetEntries() {
		got[et.GetTitle()] = want{et.GetTitle(), et.GetCitizenMean(), et.GetCitizenScore(), et.GetCombinedScore(), et.GetBallots()}
		combined, ok := new(big.Rat).SetString(et.GetCombinedScore())
		if !ok {
			t.Fatalf("entry %d: combined score %q is not a number", i, et.GetCombinedScore())
		}
		if i > 0 && combined.Cmp(prevCombined) > 0 {
			t.Errorf("entries are not in combined order at %d: %s after %s", i, combined.FloatString(2), prevCombined.FloatString(2))
		}
		if et.GetRank() < prevRank || et.GetRank() < 1 || i > 0 && combined.Cmp(prevCombined) < 0 && et.GetRank() == prevRank {
			t.Errorf("rank %d after %d", et.GetRank(), prevRank)
		}
		prevCombined, prevRank = combined, et.GetRank()
	}
	for _, w := range wants {
		if got[w.title] != w {
			t.Errorf("%s: tally %+v, want %+v", w.title, got[w.title], w)
		}
	}
	list, err := e.svc.ListBallots(ctx, &participationv1.ListBallotsRequest{Parent: prog.GetName(), PageSize: 500})
	if err != nil || len(list.GetBallots()) != citizens {
		t.Fatalf("ballots listed: %v, %d", err, len(list.GetBallots()))
	}
	for _, b := range list.GetBallots() {
		if b.GetCitizenId() != "" || len(b.GetScores()) != len(entries) {
			t.Errorf("a listed ballot: %v", b)
		}
	}
}

// round2 writes r with two decimals, rounded half up.
func round2(r *big.Rat) string {
	hundredths := new(big.Rat).Mul(r, big.NewRat(100, 1))
	n := new(big.Int).Quo(new(big.Int).Add(new(big.Int).Mul(hundredths.Num(), big.NewInt(2)), hundredths.Denom()), new(big.Int).Mul(hundredths.Denom(), big.NewInt(2)))
	whole, frac := new(big.Int).QuoRem(n, big.NewInt(100), new(big.Int))
	return fmt.Sprintf("%s.%02d", whole, frac.Int64())
}

func TestBadParticipationInputIsRefusedNamingTheField(t *testing.T) {
	e := newEnv(t)
	prog, entries := evaluation(t, e)
	ctx := context.Background()
	if _, err := e.svc.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: prog.GetName(), Ballot: &participationv1.Ballot{
		CitizenId: "010-1111-2222", Scores: []*participationv1.BallotScore{{Entry: entries[0], Score: 7}}}}); err != nil {
		t.Fatal(err)
	}
	survey, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_SURVEY, Title: "시민행복도 조사",
		ResponseWindow: &participationv1.Window{OpenTime: at(now.Add(-time.Hour)), CloseTime: at(now.Add(time.Hour))},
	}})
	if err != nil {
		t.Fatal(err)
	}
	scale, err := e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: survey.GetName(), Question: &participationv1.Question{
		Text: "지금 얼마나 행복하십니까?", Kind: participationv1.QuestionKind_QUESTION_KIND_SCALE, ScaleMin: 1, ScaleMax: 5, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	closed, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_IDEA_CONTEST, Title: "지난 공모전",
		SubmissionWindow: &participationv1.Window{OpenTime: at(now.Add(-48 * time.Hour)), CloseTime: at(now.Add(-24 * time.Hour))},
	}})
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, e.pool)
	tests := []struct {
		name   string
		call   func() error
		code   codes.Code
		fields []string
	}{
		{"a ballot for an unknown entry", func() error {
			_, err := e.svc.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: prog.GetName(), Ballot: &participationv1.Ballot{
				CitizenId: "010-3333-4444", Scores: []*participationv1.BallotScore{{Entry: prog.GetName() + "/entries/policy-9", Score: 5}}}})
			return err
		}, codes.InvalidArgument, []string{"ballot.scores[0].entry"}},
		{"a second ballot", func() error {
			_, err := e.svc.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: prog.GetName(), Ballot: &participationv1.Ballot{
				CitizenId: "010 1111 2222", Scores: []*participationv1.BallotScore{{Entry: entries[1], Score: 3}}}})
			return err
		}, codes.AlreadyExists, []string{"ballot.citizen_id"}},
		{"a score off the scale", func() error {
			_, err := e.svc.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: prog.GetName(), Ballot: &participationv1.Ballot{
				CitizenId: "010-5555-6666", Scores: []*participationv1.BallotScore{{Entry: entries[1], Score: 11}}}})
			return err
		}, codes.InvalidArgument, []string{"ballot.scores[0].score"}},
		{"a ballot without a citizen", func() error {
			_, err := e.svc.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: prog.GetName(), Ballot: &participationv1.Ballot{
				Scores: []*participationv1.BallotScore{{Entry: entries[1], Score: 3}}}})
			return err
		}, codes.InvalidArgument, []string{"ballot.citizen_id"}},
		{"a submission after the deadline", func() error {
			_, err := e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: closed.GetName(), Submission: &participationv1.Submission{Title: "늦은 제안"}})
			return err
		}, codes.FailedPrecondition, []string{"submission.receive_time"}},
		{"an empty title", func() error {
			_, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
				Kind: participationv1.ProgramKind_PROGRAM_KIND_EVENT, Title: " "}})
			return err
		}, codes.InvalidArgument, []string{"program.title"}},
		{"a survey answer outside its scale", func() error {
			_, err := e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: survey.GetName(), Response: &participationv1.Response{
				Answers: []*participationv1.Answer{{Question: scale.GetName(), ScaleValue: 6}}}})
			return err
		}, codes.InvalidArgument, []string{"response.answers[0].scale_value"}},
		{"a phone number that is not one", func() error {
			_, err := e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: prog.GetName(), Submission: &participationv1.Submission{
				Title: "제안", Proposer: &participationv1.Person{Name: "최영희", Phone: "연락주세요"}}})
			return err
		}, codes.InvalidArgument, []string{"submission.proposer.phone"}},
		{"declared selections above applications", func() error {
			_, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
				Kind: participationv1.ProgramKind_PROGRAM_KIND_CLUB, Title: "동아리", Declared: &participationv1.Counts{Applications: 10, Selected: 50}}})
			return err
		}, codes.InvalidArgument, []string{"program.declared.selected"}},
		{"a pledge that does not exist", func() error {
			_, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
				Kind: participationv1.ProgramKind_PROGRAM_KIND_EVENT, Title: "SNS 이벤트", Pledges: []string{"districts/gwangsan/pledges/nothing"}}})
			return err
		}, codes.InvalidArgument, []string{"program.pledges[0]"}},
		{"weights that do not add up", func() error {
			_, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
				Kind: participationv1.ProgramKind_PROGRAM_KIND_POLICY_COMPETITION, Title: "경진대회", CitizenWeightPercent: 70, PanelWeightPercent: 50}})
			return err
		}, codes.InvalidArgument, []string{"program.citizen_weight_percent"}},
	}
	for _, tt := range tests {
		err := tt.call()
		if status.Code(err) != tt.code || !cmp.Equal(violated(err), tt.fields) {
			t.Errorf("%s: %v (violations %v), want %v %v", tt.name, err, violated(err), tt.code, tt.fields)
		}
		if msg := status.Convert(err).Message(); contains(msg, "010") || contains(msg, "최영희") {
			t.Errorf("%s: the message repeats personal data: %s", tt.name, msg)
		}
	}
	if after := snapshot(t, e.pool); after != before {
		t.Error("refused requests changed the participation schema")
	}
}

func TestSurveyResultsAndSummaries(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	survey, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_SURVEY, Title: "시민행복도 조사", Pledges: []string{e.pledges.Card},
		ResponseWindow: &participationv1.Window{OpenTime: at(now.Add(-time.Hour))},
	}})
	if err != nil {
		t.Fatal(err)
	}
	q := func(in *participationv1.Question) string {
		got, err := e.svc.CreateQuestion(ctx, &participationv1.CreateQuestionRequest{Parent: survey.GetName(), Question: in})
		if err != nil {
			t.Fatal(err)
		}
		return got.GetName()
	}
	happy := q(&participationv1.Question{Text: "행복합니까?", Kind: participationv1.QuestionKind_QUESTION_KIND_SCALE, ScaleMin: 1, ScaleMax: 5, Required: true})
	area := q(&participationv1.Question{Text: "사는 동네", Kind: participationv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, Options: []string{"송정동", "첨단동", "수완동"}})
	wants := q(&participationv1.Question{Text: "바라는 정책", Kind: participationv1.QuestionKind_QUESTION_KIND_MULTIPLE_CHOICE, Options: []string{"돌봄", "일자리", "문화", "환경"}})
	free := q(&participationv1.Question{Text: "하고 싶은 말", Kind: participationv1.QuestionKind_QUESTION_KIND_FREE_TEXT})
	answers := [][]*participationv1.Answer{
		{{Question: happy, ScaleValue: 4}, {Question: area, Choices: []int32{2}}, {Question: wants, Choices: []int32{1, 3}}, {Question: free, Text: "고맙습니다"}},
		{{Question: happy, ScaleValue: 5}, {Question: area, Choices: []int32{2}}, {Question: wants, Choices: []int32{3}}},
		{{Question: happy, ScaleValue: 2}, {Question: area, Choices: []int32{3}}},
	}
	for i, a := range answers {
		if _, err := e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: survey.GetName(), RequestId: fmt.Sprintf("r%d", i),
			Response: &participationv1.Response{CitizenId: fmt.Sprintf("citizen-%d", i), Answers: a}}); err != nil {
			t.Fatal(err)
		}
	}
	// A retry counts once; a second response of one citizen is refused.
	if _, err := e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: survey.GetName(), RequestId: "r0",
		Response: &participationv1.Response{CitizenId: "citizen-0", Answers: answers[0]}}); err != nil {
		t.Errorf("a retried response: %v", err)
	}
	if _, err := e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: survey.GetName(),
		Response: &participationv1.Response{CitizenId: "citizen-1", Answers: answers[1]}}); status.Code(err) != codes.AlreadyExists {
		t.Errorf("a second response: %v", err)
	}
	// A required question left out.
	_, err = e.svc.CreateResponse(ctx, &participationv1.CreateResponseRequest{Parent: survey.GetName(),
		Response: &participationv1.Response{Answers: []*participationv1.Answer{{Question: area, Choices: []int32{1}}}}})
	if !cmp.Equal(violated(err), []string{"response.answers"}) {
		t.Errorf("a required question unanswered: %v", err)
	}
	res, err := e.svc.GetSurveyResults(ctx, &participationv1.GetSurveyResultsRequest{Name: survey.GetName() + "/surveyResults"})
	if err != nil {
		t.Fatal(err)
	}
	counts := func(r *participationv1.QuestionResult) []int32 {
		var out []int32
		for _, c := range r.GetCounts() {
			out = append(out, c.GetCount())
		}
		return out
	}
	qs := res.GetQuestions()
	if res.GetResponses() != 3 || qs[0].GetMean() != "3.67" || !cmp.Equal(counts(qs[0]), []int32{0, 1, 0, 1, 1}) ||
		!cmp.Equal(counts(qs[1]), []int32{0, 2, 1}) || qs[1].GetCounts()[1].GetLabel() != "첨단동" ||
		!cmp.Equal(counts(qs[2]), []int32{1, 0, 2, 0}) || qs[3].GetAnswered() != 1 || len(qs[3].GetCounts()) != 0 {
		t.Errorf("survey results: %v", res)
	}

	// Summaries: the survey and two more programs of the card's term.
	for _, p := range []*participationv1.Program{
		{Kind: participationv1.ProgramKind_PROGRAM_KIND_CLUB, Title: "행복동아리", Pledges: []string{e.pledges.Card}, Declared: &participationv1.Counts{Applications: 50, Selected: 10, Participants: 120}},
		{Kind: participationv1.ProgramKind_PROGRAM_KIND_COMMITTEE, Title: "시민행복위원회", Pledges: []string{e.pledges.Card}, Declared: &participationv1.Counts{Members: 15, Participants: 15}},
	} {
		if _, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: p}); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := e.svc.SummarizePrograms(ctx, &participationv1.SummarizeProgramsRequest{Parent: "districts/-", GroupBy: []string{"term", "kind"}})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, r := range sum.GetRows() {
		rows = append(rows, fmt.Sprintf("t%d %s p%d dp%d r%d %s", r.GetTerm(), r.GetKind(), r.GetPrograms(), r.GetDeclaredParticipants(), r.GetResponses(), r.GetDeclaredSelectionRate()))
	}
	want := []string{
		"t7 PROGRAM_KIND_COMMITTEE p1 dp15 r0 ",
		"t7 PROGRAM_KIND_CLUB p1 dp120 r0 20.00",
		"t7 PROGRAM_KIND_SURVEY p1 dp0 r3 ",
	}
	if !cmp.Equal(rows, want) {
		t.Errorf("summary by term and kind:\n%v\nwant\n%v", rows, want)
	}
	if tot := sum.GetTotal(); tot.GetPrograms() != 3 || tot.GetDeclaredParticipants() != 135 {
		t.Errorf("total: %v", tot)
	}
}
