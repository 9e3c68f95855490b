package server

import (
	"context"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/gongyak/gongyak/services/participation/internal/postgres"
)

// GetTally counts an evaluation and weighs it with the panel's scores.
func (s *Server) GetTally(ctx context.Context, req *participationv1.GetTallyRequest) (*participationv1.Tally, error) {
	d, p, err := parseUnderProgram("name", req.GetName(), resourcename.Tally)
	if err != nil {
		return nil, err
	}
	prog, entries, err := s.store.Tally(ctx, d, p)
	if err != nil {
		return nil, err
	}
	out := &participationv1.Tally{
		Name: req.GetName(), Ballots: int32(prog.Recorded.Ballots),
		CitizenWeightPercent: int32(prog.CitizenWeight), PanelWeightPercent: int32(prog.PanelWeight),
	}
	for _, e := range entries {
		out.Entries = append(out.Entries, &participationv1.EntryTally{
			Entry: childName(d, p, "entries", e.ID), Title: e.Title, Ballots: int32(e.Ballots),
			CitizenMean: e.CitizenMean, CitizenScore: e.CitizenScore, PanelScore: e.PanelScore,
			CombinedScore: e.Combined, Rank: int32(e.Rank),
		})
	}
	return out, nil
}

// GetContestResults returns a contest's awards with proposers masked,
// whoever asks: published results never show a citizen's name.
func (s *Server) GetContestResults(ctx context.Context, req *participationv1.GetContestResultsRequest) (*participationv1.ContestResults, error) {
	d, p, err := parseUnderProgram("name", req.GetName(), resourcename.ContestResults)
	if err != nil {
		return nil, err
	}
	prog, awarded, err := s.store.ContestResults(ctx, d, p)
	if err != nil {
		return nil, err
	}
	out := &participationv1.ContestResults{Name: req.GetName(), Submissions: int32(prog.Recorded.Submissions), Selected: int32(prog.Recorded.Selected)}
	for _, sub := range awarded {
		out.Awards = append(out.Awards, &participationv1.Award{
			Submission: childName(d, p, "submissions", sub.ID), Title: sub.Title,
			Proposer: personal.MaskName(sub.Proposer.Name), Award: sub.Award, AwardRank: int32(sub.AwardRank), MeanScore: sub.MeanScore,
		})
	}
	return out, nil
}

// GetSurveyResults sums a survey's answers.
func (s *Server) GetSurveyResults(ctx context.Context, req *participationv1.GetSurveyResultsRequest) (*participationv1.SurveyResults, error) {
	d, p, err := parseUnderProgram("name", req.GetName(), resourcename.SurveyResults)
	if err != nil {
		return nil, err
	}
	prog, results, err := s.store.SurveyResults(ctx, d, p)
	if err != nil {
		return nil, err
	}
	out := &participationv1.SurveyResults{Name: req.GetName(), Responses: int32(prog.Recorded.Responses)}
	for _, r := range results {
		q := r.Question
		qr := &participationv1.QuestionResult{
			Question: childName(d, p, "questions", q.ID), Text: q.Text, Kind: participationv1.QuestionKind(q.Kind),
			Answered: int32(r.Answered), Mean: r.Mean,
		}
		switch q.Kind {
		case participation.QuestionScale:
			for v := q.ScaleMin; v <= q.ScaleMax; v++ {
				qr.Counts = append(qr.Counts, &participationv1.ValueCount{Value: int32(v), Count: int32(r.Counts[v])})
			}
		case participation.QuestionSingleChoice, participation.QuestionMultipleChoice:
			for i, o := range q.Options {
				qr.Counts = append(qr.Counts, &participationv1.ValueCount{Value: int32(i + 1), Label: o, Count: int32(r.Counts[i+1])})
			}
		}
		out.Questions = append(out.Questions, qr)
	}
	return out, nil
}

// SummarizePrograms sums programs for reporting.
func (s *Server) SummarizePrograms(ctx context.Context, req *participationv1.SummarizeProgramsRequest) (*participationv1.SummarizeProgramsResponse, error) {
	a, err := summary.Serve(ctx, req, nil, s.readSummary, summaryToProto)
	if err != nil {
		return nil, err
	}
	return &participationv1.SummarizeProgramsResponse{Rows: a.Rows, Total: a.Total, NextPageToken: a.NextPageToken}, nil
}

// readSummary reads a page of SummarizePrograms.
func (s *Server) readSummary(ctx context.Context, q summary.Query) ([]postgres.SummaryRow, postgres.SummaryRow, string, error) {
	return s.store.Summarize(ctx, postgres.SummaryQuery{Query: q, Kinds: participationv1.ProgramKind_value})
}

func summaryToProto(r postgres.SummaryRow) *participationv1.ParticipationSummary {
	out := &participationv1.ParticipationSummary{
		Term: int32(r.Term), Kind: participationv1.ProgramKind(r.Kind), Programs: int32(r.Programs),
		DeclaredParticipants: int32(r.DeclaredParticipants), DeclaredApplications: int32(r.DeclaredApplications),
		DeclaredSelected: int32(r.DeclaredSelected), Members: int32(r.Members), Submissions: int32(r.Submissions),
		Selected: int32(r.Selected), Ballots: int32(r.Ballots), Responses: int32(r.Responses),
		SelectionRate: r.SelectionRate, DeclaredSelectionRate: r.DeclaredSelectionRate,
	}
	if r.District != "" {
		out.District = resourcename.District.Format(r.District)
	}
	return out
}
