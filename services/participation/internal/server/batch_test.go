package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// evaluation is a program of gwangsan serving the card whose submission
// and voting windows closed a month before the tests' clock, with three
// entries: what a registrar records after the fact.
func (e *env) evaluation(t *testing.T) (*participationv1.Program, []string) {
	t.Helper()
	ctx := context.Background()
	past := &participationv1.Window{OpenTime: at(now.AddDate(0, -3, 0)), CloseTime: at(now.AddDate(0, -1, 0))}
	p, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_POLICY_COMPETITION, Title: "주민 정책 경연", Pledges: []string{e.pledges.Card},
		SubmissionWindow: past, VotingWindow: past,
	}})
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, title := range []string{"골목 정원", "마을 도서관", "청년 공방"} {
		entry, err := e.svc.CreateEntry(ctx, &participationv1.CreateEntryRequest{Parent: p.GetName(), Entry: &participationv1.Entry{Title: title}})
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, entry.GetName())
	}
	return p, entries
}

// TestABatchOfMembersIsWrittenWholeOrNotAtAll names every fault of a
// batch with bad members among good ones and writes nothing; the good
// batch writes every member with its audit event, masked in the answer,
// and its retry replays it.
func TestABatchOfMembersIsWrittenWholeOrNotAtAll(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, _ := e.evaluation(t)
	members := func(requestID string) *participationv1.BatchCreateMembersRequest {
		req := &participationv1.BatchCreateMembersRequest{Parent: p.GetName(), RequestId: requestID}
		for i := range 5 {
			req.Requests = append(req.Requests, &participationv1.CreateMemberRequest{MemberId: fmt.Sprintf("m%d", i), Member: &participationv1.Member{
				Person: &participationv1.Person{Name: fmt.Sprintf("김민%d", i), Phone: fmt.Sprintf("010-1234-%04d", i)}, Role: participationv1.MemberRole_MEMBER_ROLE_CITIZEN}})
		}
		return req
	}
	before := snapshot(t, e.pool)
	bad := members("")
	bad.Requests[1].Member.Person.Phone = "전화 없음"
	bad.Requests[3].Member.Person.Name = ""
	bad.Requests[3].Member.Role = 0
	bad.Requests[4].MemberId = "M4"
	_, err := e.svc.BatchCreateMembers(ctx, bad)
	want := []string{"requests[1].member.person.phone", "requests[3].member.person.name", "requests[3].member.role", "requests[4].member_id"}
	if got := violated(err); status.Code(err) != codes.InvalidArgument || !slices.Equal(got, want) {
		t.Errorf("%v: %v, want %v", err, got, want)
	}
	if snapshot(t, e.pool) != before {
		t.Error("a refused batch wrote")
	}
	resp, err := e.svc.BatchCreateMembers(ctx, members("members-1"))
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range resp.GetMembers() {
		if m.GetName() != p.GetName()+fmt.Sprintf("/members/m%d", i) || m.GetPerson().GetName() != fmt.Sprintf("김*%d", i) || m.GetEtag() == "" {
			t.Errorf("member %d: %v", i, m)
		}
	}
	if n := len(e.auditEvents(t, `action = "create" AND resource = "`+p.GetName()+`/members/*"`)); n != 5 {
		t.Errorf("%d create events, want one per member", n)
	}
	written := snapshot(t, e.pool)
	if again, err := e.svc.BatchCreateMembers(ctx, members("members-1")); err != nil || len(again.GetMembers()) != 5 {
		t.Errorf("the retry: %v %v", again, err)
	}
	if snapshot(t, e.pool) != written {
		t.Error("the retry wrote")
	}
	_, err = e.svc.BatchCreateMembers(ctx, members(""))
	if got := violated(err); status.Code(err) != codes.AlreadyExists || len(got) != 5 {
		t.Errorf("the same members again: %v %v", err, got)
	}
}

// TestABatchOfSubmissionsIsAdmittedAsEachWouldBe records a contest's
// submissions after its window closed, as a registrar does: one received
// outside the window is named and nothing is written; the batch then
// counts in the summary, selections too.
func TestABatchOfSubmissionsIsAdmittedAsEachWouldBe(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, _ := e.evaluation(t)
	req := &participationv1.BatchCreateSubmissionsRequest{Parent: p.GetName()}
	for i := range 6 {
		req.Requests = append(req.Requests, &participationv1.CreateSubmissionRequest{Submission: &participationv1.Submission{
			Title: fmt.Sprintf("제안 %d", i), Proposer: &participationv1.Person{Name: "이영희"},
			ReceiveTime: at(now.AddDate(0, -2, 0).Add(time.Duration(i) * time.Hour)), Selected: i%3 == 0,
		}})
	}
	before := snapshot(t, e.pool)
	req.Requests[2].Submission.ReceiveTime = at(now.AddDate(0, -4, 0))
	req.Requests[4].Submission.Title = ""
	_, err := e.svc.BatchCreateSubmissions(ctx, req)
	if got := violated(err); !slices.Equal(got, []string{"requests[2].submission.receive_time", "requests[4].submission.title"}) {
		t.Errorf("a submission outside the window and one without a title: %v %v", err, got)
	}
	req.Requests[4].Submission.Title = "제안 4"
	if snapshot(t, e.pool) != before {
		t.Error("a refused batch wrote")
	}
	req.Requests[2].Submission.ReceiveTime = at(now.AddDate(0, -2, 0))
	resp, err := e.svc.BatchCreateSubmissions(ctx, req)
	if err != nil || len(resp.GetSubmissions()) != 6 || resp.GetSubmissions()[0].GetProposer().GetName() != "이*희" {
		t.Fatalf("the batch: %v %v", resp, err)
	}
	// Without the right to record the past, the closed window refuses them.
	_, err = e.svc.BatchCreateSubmissions(e.as(t, "department-editor@districts/gwangsan/departments/legal-support"), req)
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("the card's department editor: %v", err)
	}
	sum, err := e.svc.SummarizePrograms(ctx, &participationv1.SummarizeProgramsRequest{Parent: "districts/gwangsan"})
	if err != nil || sum.GetTotal().GetSubmissions() != 6 || sum.GetTotal().GetSelected() != 2 || sum.GetTotal().GetSelectionRate() != "33.33" {
		t.Errorf("the summary: %v %v", sum.GetTotal(), err)
	}
}

// TestABatchOfBallotsCountsEachCitizenOnce records an evaluation's
// ballots: a citizen twice in the batch, or one who has voted, and a score
// off the scale are named and nothing is written; the good batch counts
// in the tally, and a retry counts once.
func TestABatchOfBallotsCountsEachCitizenOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, entries := e.evaluation(t)
	ballots := func(requestID string, citizens ...string) *participationv1.BatchCreateBallotsRequest {
		req := &participationv1.BatchCreateBallotsRequest{Parent: p.GetName(), RequestId: requestID}
		for i, c := range citizens {
			req.Requests = append(req.Requests, &participationv1.CreateBallotRequest{Ballot: &participationv1.Ballot{CitizenId: c,
				CastTime: at(now.AddDate(0, -2, 0).Add(time.Duration(i) * time.Minute)),
				Scores:   []*participationv1.BallotScore{{Entry: entries[i%3], Score: int32(i%10 + 1)}}}})
		}
		return req
	}
	before := snapshot(t, e.pool)
	bad := ballots("", "010-0000-0001", "010-0000-0002", "010-0000-0001", "010-0000-0003")
	bad.Requests[3].Ballot.Scores[0].Score = 11
	bad.Requests[1].BallotId = "B2"
	_, err := e.svc.BatchCreateBallots(ctx, bad)
	if got := violated(err); !slices.Equal(got, []string{"requests[1].ballot_id", "requests[3].ballot.scores[0].score"}) {
		t.Errorf("a bad id and a score off the scale: %v %v", err, got)
	}
	bad.Requests[1].BallotId = ""
	bad.Requests[3].Ballot.Scores[0].Score = 10
	_, err = e.svc.BatchCreateBallots(ctx, bad)
	if got := violated(err); status.Code(err) != codes.AlreadyExists || !slices.Equal(got, []string{"requests[2].ballot.citizen_id"}) {
		t.Errorf("a citizen twice: %v %v", err, got)
	}
	if contains(fmt.Sprint(err), "010-0000-0001") {
		t.Errorf("the refusal names the citizen: %v", err)
	}
	if snapshot(t, e.pool) != before {
		t.Error("a refused batch wrote")
	}
	var citizens []string
	for i := range 40 {
		citizens = append(citizens, fmt.Sprintf("010-1000-%04d", i))
	}
	resp, err := e.svc.BatchCreateBallots(ctx, ballots("ballots-1", citizens...))
	if err != nil || len(resp.GetBallots()) != 40 {
		t.Fatalf("the batch: %v %v", resp, err)
	}
	if again, err := e.svc.BatchCreateBallots(ctx, ballots("ballots-1", citizens...)); err != nil || len(again.GetBallots()) != 40 {
		t.Errorf("the retry: %v %v", again, err)
	}
	_, err = e.svc.BatchCreateBallots(ctx, ballots("", "010-9999-0000", citizens[7]))
	if got := violated(err); status.Code(err) != codes.AlreadyExists || !slices.Equal(got, []string{"requests[1].ballot.citizen_id"}) {
		t.Errorf("a citizen who has voted: %v %v", err, got)
	}
	sum, err := e.svc.SummarizePrograms(ctx, &participationv1.SummarizeProgramsRequest{Parent: "districts/gwangsan"})
	if err != nil || sum.GetTotal().GetBallots() != 40 {
		t.Errorf("the summary: %v %v", sum.GetTotal(), err)
	}
	if n := len(e.auditEvents(t, `action = "create" AND resource = "`+p.GetName()+`/ballots/*"`)); n != 40 {
		t.Errorf("%d create events, want one per ballot", n)
	}
	many := ballots("", make([]string, 501)...)
	_, err = e.svc.BatchCreateBallots(ctx, many)
	if got := violated(err); !slices.Equal(got, []string{"requests"}) {
		t.Errorf("501 ballots: %v %v", err, got)
	}
}
