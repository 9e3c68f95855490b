package server_test

import (
	"context"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/services/pledge/pledgetest"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// cardAwards are the first 2020 idea contest's awards as the card
// publishes them, proposers already masked.
var cardAwards = []struct{ award, title, proposer string }{
	{"금상", "청각장애인 등 의사소통 취약자 관공서 이용편의 개선", "정*정"},
	{"은상", "코로나 19에 대응하는 우리들의 자매(엔프카드결제기 도입)", "이*기"},
	{"은상", "관내 기업 노후화된 직원 편의시설 개선 지원사업", "정*정"},
	{"동상", "집에서 즐기는 언택트 요가, 근력 강의", "정*원"},
	{"동상", "올해의 분리수거왕 선발", "이*현"},
	{"장려상", "동 행정복지센터 어린이 행복 공유", "전*경"},
	{"장려상", "아동과 노인의 상생하는 나라", "강*경"},
}

var ranks = map[string]int32{"금상": 1, "은상": 2, "동상": 3, "장려상": 4}

func TestTheCardsParticipationIsHeldAndReadBack(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pledges := []string{e.pledges.Card}

	committee, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", ProgramId: "happiness-committee", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_COMMITTEE, Title: "시민행복위원회", StartDate: pledgetest.Day(2020, 4, 24),
		Pledges: pledges, Declared: &participationv1.Counts{Members: 15},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if committee.GetDeclared().GetMembers() != 15 || committee.GetRecorded().GetMembers() != 0 || committee.GetTerm() != 7 ||
		committee.GetStartDate().GetDay() != 24 || committee.GetPledges()[0] != e.pledges.Card {
		t.Errorf("committee = %v", committee)
	}
	clubs, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_CLUB, Title: "시민참여 행복동아리", Pledges: pledges,
		Declared: &participationv1.Counts{Applications: 50, Selected: 10},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.GetProgram(ctx, &participationv1.GetProgramRequest{Name: clubs.GetName()})
	if err != nil || got.GetDeclared().GetApplications() != 50 || got.GetDeclared().GetSelected() != 10 {
		t.Errorf("clubs read back: %v, %v", err, got.GetDeclared())
	}

	// The first 2020 idea contest took submissions 2020-01-20 to 2020-02-14;
	// a registrar records its awarded ideas as received in that window.
	contest, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", ProgramId: "idea-contest-2020-1", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_IDEA_CONTEST, Title: "시민참여형 행복정책 아이디어 공모전 (1차)", Pledges: pledges,
		SubmissionWindow: &participationv1.Window{
			OpenTime: at(time.Date(2020, 1, 20, 0, 0, 0, 0, kst)), CloseTime: at(time.Date(2020, 2, 14, 23, 59, 59, 0, kst)),
		},
		Declared: &participationv1.Counts{Selected: 7},
	}})
	if err != nil {
		t.Fatal(err)
	}
	asRegistrar := e.as(t, registrar)
	for i, a := range cardAwards {
		if _, err := e.svc.CreateSubmission(asRegistrar, &participationv1.CreateSubmissionRequest{Parent: contest.GetName(), Submission: &participationv1.Submission{
			Title: a.title, Proposer: &participationv1.Person{Name: a.proposer}, Selected: true, Award: a.award, AwardRank: ranks[a.award],
			ReceiveTime: at(time.Date(2020, 1, 21+i, 10, 0, 0, 0, kst)),
		}}); err != nil {
			t.Fatalf("award %d: %v", i, err)
		}
	}
	results, err := e.svc.GetContestResults(ctx, &participationv1.GetContestResultsRequest{Name: contest.GetName() + "/contestResults"})
	if err != nil {
		t.Fatal(err)
	}
	var published [][3]string
	for _, a := range results.GetAwards() {
		published = append(published, [3]string{a.GetAward(), a.GetTitle(), a.GetProposer()})
	}
	var want [][3]string
	for _, a := range cardAwards {
		want = append(want, [3]string{a.award, a.title, a.proposer})
	}
	if !cmp.Equal(published, want) || results.GetSelected() != 7 {
		t.Errorf("published results:\n%v\nwant\n%v", published, want)
	}
	// Two proposers published as 정*정 are two submissions, not one person.
	list, err := e.svc.ListSubmissions(ctx, &participationv1.ListSubmissionsRequest{Parent: contest.GetName(), Filter: "award_rank <= 2"})
	if err != nil || len(list.GetSubmissions()) != 3 {
		t.Fatalf("the gold and silver: %v, %d", err, len(list.GetSubmissions()))
	}
	// The window is the server's: a citizen submitting now is too late.
	_, err = e.svc.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: contest.GetName(), Submission: &participationv1.Submission{Title: "늦은 아이디어"}})
	if status.Code(err) != codes.FailedPrecondition || !cmp.Equal(violated(err), []string{"submission.receive_time"}) {
		t.Errorf("a submission after the deadline: %v", err)
	}
	// A past time needs the right to record past ones (a registrar's or a
	// district admin's), not just to write the program, and must lie in the
	// window.
	_, err = e.svc.CreateSubmission(e.as(t, legalEditor), &participationv1.CreateSubmissionRequest{Parent: contest.GetName(), Submission: &participationv1.Submission{
		Title: "소급 접수", ReceiveTime: at(time.Date(2020, 1, 25, 0, 0, 0, 0, kst))}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("a past receive time from the program's editor: %v", err)
	}
	_, err = e.svc.CreateSubmission(asRegistrar, &participationv1.CreateSubmissionRequest{Parent: contest.GetName(), Submission: &participationv1.Submission{
		Title: "기한 후 소급", ReceiveTime: at(time.Date(2020, 2, 15, 9, 0, 0, 0, kst))}})
	if !cmp.Equal(violated(err), []string{"submission.receive_time"}) {
		t.Errorf("a registrar recording after the window: %v", err)
	}
	progs, err := e.svc.ListPrograms(ctx, &participationv1.ListProgramsRequest{Parent: "districts/gwangsan", Filter: `pledges:"` + e.pledges.Card + `" AND kind != PROGRAM_KIND_CLUB`})
	if err != nil || len(progs.GetPrograms()) != 2 {
		t.Errorf("programs serving the card's pledge, not clubs: %v, %d", err, len(progs.GetPrograms()))
	}
	_ = committee
}

func TestPersonalDataIsMaskedUnlessTheCallerMaySeeIt(t *testing.T) {
	e := newEnv(t)
	tf, err := e.svc.CreateProgram(context.Background(), &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_TASK_FORCE, Title: "광산구정혁신 TF", Declared: &participationv1.Counts{Participants: 50},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if tf.GetTerm() != 8 {
		t.Errorf("a program serving no pledge takes the current term: %d", tf.GetTerm())
	}
	person := &participationv1.Person{Name: "김민수", Phone: "010-1234-5678", Email: "minsu@example.kr"}
	created, err := e.svc.CreateMember(context.Background(), &participationv1.CreateMemberRequest{Parent: tf.GetName(), Member: &participationv1.Member{
		Person: person, Role: participationv1.MemberRole_MEMBER_ROLE_CITIZEN, Affiliation: "시민행복위원회",
	}})
	if err != nil {
		t.Fatal(err)
	}
	masked := &participationv1.Person{Name: "김*수", Phone: "010-****-5678", Email: "m****@example.kr"}
	if !cmp.Equal(created.GetPerson().GetName(), masked.GetName()) || created.GetPerson().GetPhone() != masked.GetPhone() || created.GetPerson().GetEmail() != masked.GetEmail() {
		t.Errorf("created answered %v, want it masked", created.GetPerson())
	}
	got, err := e.svc.GetMember(e.as(t, viewer, personalData), &participationv1.GetMemberRequest{Name: created.GetName()})
	if err != nil || got.GetPerson().GetName() != "김민수" || got.GetPerson().GetPhone() != "010-1234-5678" {
		t.Errorf("with the personal-data role: %v, %v", err, got.GetPerson())
	}
	list, _ := e.svc.ListMembers(context.Background(), &participationv1.ListMembersRequest{Parent: tf.GetName()})
	if list.GetMembers()[0].GetPerson().GetName() != "김*수" {
		t.Errorf("listed unmasked: %v", list.GetMembers()[0].GetPerson())
	}
	// A masked value sent back cannot overwrite what is stored.
	_, err = e.svc.UpdateMember(context.Background(), &participationv1.UpdateMemberRequest{Member: &participationv1.Member{
		Name: created.GetName(), Person: masked, Role: participationv1.MemberRole_MEMBER_ROLE_CITIZEN, Etag: created.GetEtag(),
	}})
	if status.Code(err) != codes.InvalidArgument || !cmp.Equal(violated(err), []string{"member.person"}) {
		t.Errorf("overwriting personal data without the role: %v", err)
	}
	// A bad phone is named, never repeated.
	_, err = e.svc.CreateMember(context.Background(), &participationv1.CreateMemberRequest{Parent: tf.GetName(), Member: &participationv1.Member{
		Person: &participationv1.Person{Name: "박지영", Phone: "전화번호 010-9999"}, Role: participationv1.MemberRole_MEMBER_ROLE_CITIZEN,
	}})
	st := status.Convert(err)
	if !cmp.Equal(violated(err), []string{"member.person.phone"}) {
		t.Errorf("a bad phone: %v", err)
	}
	for _, d := range st.Details() {
		if s := st.Message() + " " + stringOf(d); contains(s, "박지영") || contains(s, "9999") {
			t.Errorf("the error repeats personal data: %s", s)
		}
	}
}
