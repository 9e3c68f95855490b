package scalegen

import (
	"fmt"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// programs makes a district's participation programs, all of 민선 8기 and
// finished: a citizens' committee with members, an idea contest with
// submissions (some selected and awarded), a policy competition with
// entries and citizens' ballots, and now and then a club.
func (g *gen) programs(d District) []Program {
	var term8 []string
	for _, p := range d.Pledges {
		if !p.Deleted && p.Pledge.GetTerm() == 8 {
			term8 = append(term8, resourcename.Pledge.Format(d.ID, p.ID))
		}
	}
	serves := func(n int) []string {
		var out []string
		for _, k := range g.r.Perm(len(term8))[:min(n, len(term8))] {
			out = append(out, term8[k])
		}
		return out
	}
	year := 2024
	window := func(month, months int) *participationv1.Window {
		open := Day(year, month, 1)
		return &participationv1.Window{OpenTime: timestamppb.New(open), CloseTime: timestamppb.New(open.AddDate(0, months, 0).Add(-time.Second))}
	}
	program := func(id string, kind participationv1.ProgramKind, title string, n int) Program {
		return Program{ID: id, Program: &participationv1.Program{
			Kind: kind, Title: d.District.GetDisplayName() + " " + title, Status: participationv1.ProgramStatus_PROGRAM_STATUS_COMPLETED,
			StartDate: protoDate(Day(year, 1, 1)), EndDate: protoDate(Day(year, 12, 31)), Pledges: serves(n),
		}}
	}

	committee := program("committee", participationv1.ProgramKind_PROGRAM_KIND_COMMITTEE, "공약이행 주민참여단", 2)
	committee.Members = g.members(g.between(10, 25))
	committee.Program.Declared = &participationv1.Counts{Members: int32(len(committee.Members) + g.between(0, 5)), Participants: int32(len(committee.Members))}

	ideas := program("ideas", participationv1.ProgramKind_PROGRAM_KIND_IDEA_CONTEST, "주민 아이디어 공모", 1)
	ideas.Program.SubmissionWindow = window(3, 2)
	ideas.Submissions = g.submissions(g.between(15, 60), ideas.Program.GetSubmissionWindow())
	selected := 0
	for _, s := range ideas.Submissions {
		if s.Value.GetSelected() {
			selected++
		}
	}
	ideas.Program.Declared = &participationv1.Counts{Applications: int32(len(ideas.Submissions) + g.between(0, 20)), Selected: int32(selected)}

	vote := program("vote", participationv1.ProgramKind_PROGRAM_KIND_POLICY_COMPETITION, "주민 정책 경연", 1)
	vote.Program.VotingWindow = window(9, 1)
	for n := range g.between(3, 5) {
		vote.Entries = append(vote.Entries, Record[*participationv1.Entry]{ID: fmt.Sprintf("e%d", n+1),
			Value: &participationv1.Entry{Title: entryTitles[(g.n+n)%len(entryTitles)], Position: int32(n + 1), PanelScore: fmt.Sprintf("%d.5", g.between(60, 98))}})
	}
	vote.Ballots = g.ballots(d, g.between(30, 200), vote)
	vote.Program.Declared = &participationv1.Counts{Participants: int32(len(vote.Ballots))}

	out := []Program{committee, ideas, vote}
	if g.chance(0.5) {
		club := program("club", participationv1.ProgramKind_PROGRAM_KIND_CLUB, "주민 동아리", 1)
		club.Members = g.members(g.between(5, 15))
		apps := g.between(20, 50)
		club.Program.Declared = &participationv1.Counts{Members: int32(len(club.Members)), Applications: int32(apps), Selected: int32(g.between(5, 10))}
		out = append(out, club)
	}
	return out
}

func (g *gen) members(n int) []Record[*participationv1.Member] {
	out := make([]Record[*participationv1.Member], n)
	for k := range out {
		role := participationv1.MemberRole_MEMBER_ROLE_CITIZEN
		if k%5 == 4 {
			role = participationv1.MemberRole_MEMBER_ROLE_EXPERT
		}
		out[k] = Record[*participationv1.Member]{ID: fmt.Sprintf("m%03d", k+1), Value: &participationv1.Member{
			Person: &participationv1.Person{Name: g.person(), Phone: g.phone("010")}, Role: role,
			JoinDate: protoDate(Day(2024, 1, 15)),
		}}
	}
	return out
}

// submissions makes n submissions received in window, about one in five
// selected and the best of those awarded.
func (g *gen) submissions(n int, window *participationv1.Window) []Record[*participationv1.Submission] {
	out := make([]Record[*participationv1.Submission], n)
	open, span := window.GetOpenTime().AsTime(), window.GetCloseTime().AsTime().Sub(window.GetOpenTime().AsTime())
	awarded := 0
	for k := range out {
		s := &participationv1.Submission{
			Title:       fmt.Sprintf("%s %s 제안", pick(g, titleWho), pick(g, titleWhat)),
			Proposer:    &participationv1.Person{Name: g.person(), Phone: g.phone("010")},
			ReceiveTime: timestamppb.New(open.Add(time.Duration(g.r.Int64N(int64(span))))),
		}
		if g.chance(0.2) {
			s.Selected = true
			s.Scores = []*participationv1.JudgeScore{{Judge: "심사위원 1", Score: fmt.Sprintf("%d.5", g.between(60, 98))}}
			if awarded < len(awards) {
				s.Award, s.AwardRank = awards[awarded], int32(awarded+1)
				awarded++
			}
		}
		out[k] = Record[*participationv1.Submission]{ID: fmt.Sprintf("s%03d", k+1), Value: s}
	}
	return out
}

// ballots makes n ballots of different citizens, cast in the program's
// voting window, each scoring one to three of its entries on a scale of
// 10.
func (g *gen) ballots(d District, n int, p Program) []Record[*participationv1.Ballot] {
	w := p.Program.GetVotingWindow()
	open, span := w.GetOpenTime().AsTime(), w.GetCloseTime().AsTime().Sub(w.GetOpenTime().AsTime())
	out := make([]Record[*participationv1.Ballot], n)
	for k := range out {
		b := &participationv1.Ballot{
			// A made-up identifier, different for each citizen of each
			// district.
			CitizenId: fmt.Sprintf("010-%04d-%04d", g.n+1000, k),
			CastTime:  timestamppb.New(open.Add(time.Duration(g.r.Int64N(int64(span))))),
		}
		for _, e := range g.r.Perm(len(p.Entries))[:g.between(1, min(3, len(p.Entries)))] {
			b.Scores = append(b.Scores, &participationv1.BallotScore{Entry: resourcename.Entry.Format(d.ID, p.ID, p.Entries[e].ID), Score: int32(g.between(1, 10))})
		}
		out[k] = Record[*participationv1.Ballot]{ID: fmt.Sprintf("b%04d", k+1), Value: b}
	}
	return out
}
