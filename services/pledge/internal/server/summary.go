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
	district, size, err := summary.Request(req.GetParent(), req.GetPageSize())
	if err != nil {
		return nil, err
	}
	rows, total, next, err := s.store.SummarizePledges(ctx, postgres.SummaryQuery{
		District: district, GroupBy: req.GetGroupBy(), Filter: req.GetFilter(), Size: size, Token: req.GetPageToken(),
		Enums: filterEnums,
	})
	if err != nil {
		return nil, err
	}
	resp := &pledgev1.SummarizePledgesResponse{Total: pledgeSummaryToProto(total), NextPageToken: next}
	for _, r := range rows {
		resp.Rows = append(resp.Rows, pledgeSummaryToProto(r))
	}
	return resp, nil
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
