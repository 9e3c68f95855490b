package server

import (
	"context"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
)

// SummarizePledges counts pledges by status for reporting, per group, with
// the completion rate (완료율).
func (s *PledgeServer) SummarizePledges(ctx context.Context, req *pledgev1.SummarizePledgesRequest) (*pledgev1.SummarizePledgesResponse, error) {
	a, err := summary.Serve(ctx, req, nil, s.readSummary, pledgeSummaryToProto)
	if err != nil {
		return nil, err
	}
	return &pledgev1.SummarizePledgesResponse{Rows: a.Rows, Total: a.Total, NextPageToken: a.NextPageToken}, nil
}

// readSummary reads a page of SummarizePledges.
func (s *PledgeServer) readSummary(ctx context.Context, q summary.Query) ([]postgres.SummaryRow, postgres.SummaryRow, string, error) {
	return s.store.SummarizePledges(ctx, postgres.SummaryQuery{Query: q, Enums: filterEnums})
}

func pledgeSummaryToProto(r postgres.SummaryRow) *pledgev1.PledgeSummary {
	c := r.Statuses
	out := &pledgev1.PledgeSummary{
		MetropolitanGovernment: r.MetropolitanGovernment,
		Term:                   int32(r.Term),
		Status:                 pledgev1.PledgeStatus(r.Status),
		ProjectType:            pledgev1.ProjectType(r.ProjectType),
		Department:             r.Department,
		PledgeCount:            int32(r.PledgeCount),
		Statuses: &pledgev1.StatusCounts{
			Completed: int32(c.Completed), CompletedContinuing: int32(c.CompletedContinuing), OnTrack: int32(c.OnTrack),
			Partial: int32(c.Partial), OnHold: int32(c.OnHold), Abandoned: int32(c.Abandoned), Unspecified: int32(c.Unspecified),
		},
		CompletionRate: r.CompletionRate,
	}
	if r.District != "" {
		out.District = resourcename.District.Format(r.District)
	}
	return out
}
