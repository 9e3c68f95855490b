package server

import (
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func fromTS(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

func dateToProto(d participation.Date) *date.Date {
	if d.IsZero() {
		return nil
	}
	return &date.Date{Year: int32(d.Year), Month: int32(d.Month), Day: int32(d.Day)}
}

func dateFromProto(d *date.Date) participation.Date {
	return participation.Date{Year: int(d.GetYear()), Month: int(d.GetMonth()), Day: int(d.GetDay())}
}

func windowToProto(w participation.Window) *participationv1.Window {
	if w.IsZero() {
		return nil
	}
	return &participationv1.Window{OpenTime: ts(w.Open), CloseTime: ts(w.Close)}
}

func windowFromProto(w *participationv1.Window) participation.Window {
	return participation.Window{Open: fromTS(w.GetOpenTime()), Close: fromTS(w.GetCloseTime())}
}

// personToProto writes personal data, masked unless the caller may see it.
func personToProto(p participation.Person, mask bool) *participationv1.Person {
	if p == (participation.Person{}) {
		return nil
	}
	if mask {
		p.Name = personal.MaskName(p.Name)
		if p.Phone != "" {
			p.Phone = personal.MaskPhone(p.Phone)
		}
		if p.Email != "" {
			p.Email = personal.MaskEmail(p.Email)
		}
	}
	return &participationv1.Person{Name: p.Name, Phone: p.Phone, Email: p.Email}
}

func personFromProto(p *participationv1.Person) participation.Person {
	return participation.Person{Name: p.GetName(), Phone: p.GetPhone(), Email: p.GetEmail()}
}

func programToProto(p participation.Program) *participationv1.Program {
	out := &participationv1.Program{
		Name: p.Name(), Kind: participationv1.ProgramKind(p.Kind), Title: p.Title, Description: p.Description,
		Status: participationv1.ProgramStatus(p.Status), StartDate: dateToProto(p.Start), EndDate: dateToProto(p.End),
		Term: int32(p.Term),
		Declared: &participationv1.Counts{
			Members: int32(p.Declared.Members), Applications: int32(p.Declared.Applications),
			Selected: int32(p.Declared.Selected), Participants: int32(p.Declared.Participants),
		},
		Recorded: &participationv1.RecordedCounts{
			Members: int32(p.Recorded.Members), Submissions: int32(p.Recorded.Submissions), Selected: int32(p.Recorded.Selected),
			Entries: int32(p.Recorded.Entries), Ballots: int32(p.Recorded.Ballots), Questions: int32(p.Recorded.Questions),
			Responses: int32(p.Recorded.Responses),
		},
		SubmissionWindow: windowToProto(p.Submissions), VotingWindow: windowToProto(p.Voting), ResponseWindow: windowToProto(p.Responses),
		BallotScaleMax: int32(p.BallotScaleMax), CitizenWeightPercent: int32(p.CitizenWeight), PanelWeightPercent: int32(p.PanelWeight),
		Etag: etag.Of(p.Name(), p.Revision), CreateTime: ts(p.Created), UpdateTime: ts(p.Updated),
	}
	for _, id := range p.Pledges {
		out.Pledges = append(out.Pledges, resourcename.Pledge.Format(p.DistrictID, id))
	}
	return out
}

// programFromProto reads a program; pledge references are kept as names
// until they are checked.
func programFromProto(in *participationv1.Program) (participation.Program, []string) {
	return participation.Program{
		Kind: participation.Kind(in.GetKind()), Title: in.GetTitle(), Description: in.GetDescription(),
		Status: participation.Status(in.GetStatus()), Start: dateFromProto(in.GetStartDate()), End: dateFromProto(in.GetEndDate()),
		Declared: participation.Counts{
			Members: int(in.GetDeclared().GetMembers()), Applications: int(in.GetDeclared().GetApplications()),
			Selected: int(in.GetDeclared().GetSelected()), Participants: int(in.GetDeclared().GetParticipants()),
		},
		Submissions: windowFromProto(in.GetSubmissionWindow()), Voting: windowFromProto(in.GetVotingWindow()),
		Responses: windowFromProto(in.GetResponseWindow()), BallotScaleMax: int(in.GetBallotScaleMax()),
		CitizenWeight: int(in.GetCitizenWeightPercent()), PanelWeight: int(in.GetPanelWeightPercent()),
	}, in.GetPledges()
}

func memberToProto(district, program string, m participation.Member, mask bool) *participationv1.Member {
	name := childName(district, program, "members", m.ID)
	return &participationv1.Member{
		Name: name, Person: personToProto(m.Person, mask), Role: participationv1.MemberRole(m.Role), Affiliation: m.Affiliation,
		JoinDate: dateToProto(m.Joined), LeaveDate: dateToProto(m.Left), Etag: etag.Of(name, m.Revision),
		CreateTime: ts(m.Created), UpdateTime: ts(m.Updated),
	}
}

func memberFromProto(in *participationv1.Member) participation.Member {
	return participation.Member{
		Person: personFromProto(in.GetPerson()), Role: participation.MemberRole(in.GetRole()), Affiliation: in.GetAffiliation(),
		Joined: dateFromProto(in.GetJoinDate()), Left: dateFromProto(in.GetLeaveDate()),
	}
}

func submissionToProto(district, program string, s participation.Submission, mask bool) *participationv1.Submission {
	name := childName(district, program, "submissions", s.ID)
	out := &participationv1.Submission{
		Name: name, Title: s.Title, Description: s.Description, Proposer: personToProto(s.Proposer, mask),
		ReceiveTime: ts(s.Received), MeanScore: s.MeanScore, Selected: s.Selected, Award: s.Award, AwardRank: int32(s.AwardRank),
		Etag: etag.Of(name, s.Revision), CreateTime: ts(s.Created), UpdateTime: ts(s.Updated),
	}
	for _, sc := range s.Scores {
		out.Scores = append(out.Scores, &participationv1.JudgeScore{Judge: sc.Judge, Score: sc.Score})
	}
	return out
}

func submissionFromProto(in *participationv1.Submission) participation.Submission {
	s := participation.Submission{
		Title: in.GetTitle(), Description: in.GetDescription(), Proposer: personFromProto(in.GetProposer()),
		Received: fromTS(in.GetReceiveTime()), Selected: in.GetSelected(), Award: in.GetAward(), AwardRank: int(in.GetAwardRank()),
	}
	for _, sc := range in.GetScores() {
		s.Scores = append(s.Scores, participation.JudgeScore{Judge: sc.GetJudge(), Score: sc.GetScore()})
	}
	return s
}

func entryToProto(district, program string, e participation.Entry) *participationv1.Entry {
	name := childName(district, program, "entries", e.ID)
	return &participationv1.Entry{
		Name: name, Title: e.Title, Description: e.Description, PanelScore: e.PanelScore, Position: int32(e.Position),
		Etag: etag.Of(name, e.Revision), CreateTime: ts(e.Created), UpdateTime: ts(e.Updated),
	}
}

func entryFromProto(in *participationv1.Entry) participation.Entry {
	return participation.Entry{Title: in.GetTitle(), Description: in.GetDescription(), PanelScore: in.GetPanelScore(), Position: int(in.GetPosition())}
}

func questionToProto(district, program string, q participation.Question) *participationv1.Question {
	name := childName(district, program, "questions", q.ID)
	return &participationv1.Question{
		Name: name, Text: q.Text, Kind: participationv1.QuestionKind(q.Kind), Options: q.Options,
		ScaleMin: int32(q.ScaleMin), ScaleMax: int32(q.ScaleMax), Required: q.Required, Position: int32(q.Position),
		Etag: etag.Of(name, q.Revision), CreateTime: ts(q.Created), UpdateTime: ts(q.Updated),
	}
}

func questionFromProto(in *participationv1.Question) participation.Question {
	return participation.Question{
		Text: in.GetText(), Kind: participation.QuestionKind(in.GetKind()), Options: in.GetOptions(),
		ScaleMin: int(in.GetScaleMin()), ScaleMax: int(in.GetScaleMax()), Required: in.GetRequired(), Position: int(in.GetPosition()),
	}
}

func ballotToProto(district, program string, b participation.Ballot) *participationv1.Ballot {
	out := &participationv1.Ballot{Name: childName(district, program, "ballots", b.ID), CastTime: ts(b.Cast), UpdateTime: ts(b.Updated)}
	for _, s := range b.Scores {
		out.Scores = append(out.Scores, &participationv1.BallotScore{Entry: childName(district, program, "entries", s.EntryID), Score: int32(s.Score)})
	}
	return out
}

func responseToProto(district, program string, r participation.Response) *participationv1.Response {
	out := &participationv1.Response{Name: childName(district, program, "responses", r.ID), SubmitTime: ts(r.Submitted), UpdateTime: ts(r.Updated)}
	for _, a := range r.Answers {
		ans := &participationv1.Answer{Question: childName(district, program, "questions", a.QuestionID), ScaleValue: int32(a.Scale), Text: a.Text}
		for _, c := range a.Choices {
			ans.Choices = append(ans.Choices, int32(c))
		}
		out.Answers = append(out.Answers, ans)
	}
	return out
}
