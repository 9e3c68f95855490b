// Package server serves the indicator service's gRPC API. Before it writes
// an indicator it asks the pledge service, over gRPC, that the pledge
// exists and which years are valid for it.
package server

import (
	"context"
	"time"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/fieldmask"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/gongyak/gongyak/services/indicator/internal/indicator"
	"github.com/gongyak/gongyak/services/indicator/internal/postgres"
	"google.golang.org/protobuf/types/known/emptypb"
)

// kst is Korea's time: a year passes at midnight in Seoul, whatever the
// server's zone.
var kst = time.FixedZone("KST", 9*60*60)

// Server serves gongyak.indicator.v1.IndicatorService.
type Server struct {
	indicatorv1.UnimplementedIndicatorServiceServer
	store   Store
	pledges *pledgeref.Client
	now     func() time.Time
	// summaries keeps SummarizeIndicators' answers until an indicator
	// changes, or the year does: a year passing makes entries overdue.
	summaries *summary.Cache[*indicatorv1.IndicatorSummary]
}

// New returns the server over store, asking pledges about pledges and
// keeping summaries until changes counts a change; now is the clock that
// decides which years have passed.
func New(store Store, pledges *pledgeref.Client, now func() time.Time, changes *pgchange.Watcher) *Server {
	s := &Server{store: store, pledges: pledges, now: now}
	s.summaries = summary.NewCache[*indicatorv1.IndicatorSummary](changes, s.currentYear)
	return s
}

func (s *Server) currentYear() int { return s.now().In(kst).Year() }

func indicatorName(field, name string) (district, pledge, id string, err error) {
	ids, err := resourcename.Indicator.Parse(field, name)
	if err != nil {
		return "", "", "", err
	}
	return ids[0], ids[1], ids[2], nil
}

// GetIndicator returns one indicator.
func (s *Server) GetIndicator(ctx context.Context, req *indicatorv1.GetIndicatorRequest) (*indicatorv1.Indicator, error) {
	district, pledge, id, err := indicatorName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	i, err := s.store.Get(ctx, district, pledge, id, s.currentYear())
	if err != nil {
		return nil, err
	}
	return indicatorToProto(i), nil
}

// ListIndicators lists a pledge's indicators.
func (s *Server) ListIndicators(ctx context.Context, req *indicatorv1.ListIndicatorsRequest) (*indicatorv1.ListIndicatorsResponse, error) {
	var v apierr.Violations
	ids, err := resourcename.Pledge.Parse("parent", req.GetParent())
	v.Merge(err)
	size, err := pagetoken.Size(req.GetPageSize())
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	list, next, err := s.store.List(ctx, ids[0], ids[1], req.GetFilter(), size, req.GetPageToken(), s.currentYear())
	if err != nil {
		return nil, err
	}
	resp := &indicatorv1.ListIndicatorsResponse{NextPageToken: next}
	for _, i := range list {
		resp.Indicators = append(resp.Indicators, indicatorToProto(i))
	}
	return resp, nil
}

// CreateIndicator adds an indicator to a pledge the pledge service knows.
func (s *Server) CreateIndicator(ctx context.Context, req *indicatorv1.CreateIndicatorRequest) (*indicatorv1.Indicator, error) {
	ids, err := resourcename.Pledge.Parse("parent", req.GetParent())
	if err != nil {
		return nil, err
	}
	if req.GetIndicator() == nil {
		return nil, apierr.Invalid("indicator", "is required")
	}
	var v apierr.Violations
	i := indicatorFromProto(req.GetIndicator())
	i.DistrictID, i.PledgeID, i.ID = ids[0], ids[1], req.GetIndicatorId()
	if i.ID == "" {
		i.ID = resourceid.New()
	} else {
		v.Merge(resourceid.Check("indicator_id", i.ID))
	}
	key, err := idempotency.For("CreateIndicator", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	ref, err := s.pledges.Known(ctx, req.GetParent())
	if err != nil {
		return nil, err
	}
	if ref.Deleted() {
		return nil, apierr.FailedPrecondition("pledge %s was deleted", ref.Name())
	}
	i.Term = ref.Term()
	if err := i.Check("indicator", ref); err != nil {
		return nil, err
	}
	if req.GetValidateOnly() {
		return indicatorToProto(i), nil
	}
	created, err := s.store.Create(ctx, i, key, s.currentYear())
	if err != nil {
		return nil, err
	}
	return indicatorToProto(created), nil
}

// indicatorOutputOnly are the fields an update ignores.
var indicatorOutputOnly = []string{"name", "etag", "achievement", "term", "create_time", "update_time", "entries.achievement"}

// UpdateIndicator changes an indicator, checked as a whole against the
// pledge's valid years; it needs the indicator's etag.
func (s *Server) UpdateIndicator(ctx context.Context, req *indicatorv1.UpdateIndicatorRequest) (*indicatorv1.Indicator, error) {
	if req.GetIndicator() == nil {
		return nil, apierr.Invalid("indicator", "is required")
	}
	var v apierr.Violations
	district, pledge, id, err := indicatorName("indicator.name", req.GetIndicator().GetName())
	v.Merge(err)
	v.Merge(etag.Require("indicator.etag", req.GetIndicator().GetEtag()))
	if err := v.Err(); err != nil {
		return nil, err
	}
	paths := fieldmask.Paths(req.GetUpdateMask().GetPaths(), req.GetIndicator())
	paths = fieldmask.Without(fieldmask.Expand(paths, req.GetIndicator(), indicatorOutputOnly...), indicatorOutputOnly...)
	if err := fieldmask.Apply(&indicatorv1.Indicator{}, req.GetIndicator(), paths); err != nil {
		return nil, err
	}
	ref, err := s.pledges.Known(ctx, resourcename.Pledge.Format(district, pledge))
	if err != nil {
		return nil, err
	}
	if ref.Deleted() {
		return nil, apierr.FailedPrecondition("pledge %s was deleted", ref.Name())
	}
	change := func(i *indicator.Indicator) error {
		cur := indicatorToProto(*i)
		if err := fieldmask.Apply(cur, req.GetIndicator(), paths); err != nil {
			return err
		}
		next := indicatorFromProto(cur)
		next.DistrictID, next.PledgeID, next.ID, next.Term = i.DistrictID, i.PledgeID, i.ID, ref.Term()
		next.Revision, next.CreateTime, next.UpdateTime = i.Revision, i.CreateTime, i.UpdateTime
		if next.Position == 0 {
			next.Position = i.Position
		}
		*i = next
		return i.Check("indicator", ref)
	}
	if req.GetValidateOnly() {
		i, err := s.store.Get(ctx, district, pledge, id, s.currentYear())
		if err != nil {
			return nil, err
		}
		if err := etag.Check(req.GetIndicator().GetEtag(), i.Name(), i.Revision); err != nil {
			return nil, err
		}
		if err := change(&i); err != nil {
			return nil, err
		}
		return indicatorToProto(i), nil
	}
	i, err := s.store.Update(ctx, req.GetIndicator().GetName(), req.GetIndicator().GetEtag(), s.currentYear(), change)
	if err != nil {
		return nil, err
	}
	return indicatorToProto(i), nil
}

// DeleteIndicator removes an indicator; it needs the indicator's etag.
func (s *Server) DeleteIndicator(ctx context.Context, req *indicatorv1.DeleteIndicatorRequest) (*emptypb.Empty, error) {
	var v apierr.Violations
	district, pledge, id, err := indicatorName("name", req.GetName())
	v.Merge(err)
	v.Merge(etag.Require("etag", req.GetEtag()))
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, s.store.Delete(ctx, district, pledge, id, req.GetEtag(), s.currentYear())
}

// GetPledgeAchievement says how far a pledge's indicators are achieved.
func (s *Server) GetPledgeAchievement(ctx context.Context, req *indicatorv1.GetPledgeAchievementRequest) (*indicatorv1.PledgeAchievement, error) {
	ids, err := resourcename.Achievement.Parse("name", req.GetName())
	if err != nil {
		return nil, err
	}
	total, parts, err := s.store.PledgeAchievement(ctx, ids[0], ids[1], s.currentYear())
	if err != nil {
		return nil, err
	}
	out := &indicatorv1.PledgeAchievement{Name: req.GetName(), Achievement: resultToProto(total)}
	for _, p := range parts {
		out.Indicators = append(out.Indicators, &indicatorv1.IndicatorAchievement{
			Indicator:   indicator.Indicator{DistrictID: ids[0], PledgeID: ids[1], ID: p.ID}.Name(),
			Title:       p.Title,
			Achievement: resultToProto(p.Result),
		})
	}
	return out, nil
}

// SummarizeIndicators reports achievement and overdue reporting.
func (s *Server) SummarizeIndicators(ctx context.Context, req *indicatorv1.SummarizeIndicatorsRequest) (*indicatorv1.SummarizeIndicatorsResponse, error) {
	a, err := summary.Serve(ctx, req, s.summaries, s.readSummary, summaryToProto)
	if err != nil {
		return nil, err
	}
	return &indicatorv1.SummarizeIndicatorsResponse{Rows: a.Rows, Total: a.Total, NextPageToken: a.NextPageToken}, nil
}

// readSummary reads a page of SummarizeIndicators in the year the cache
// read.
func (s *Server) readSummary(ctx context.Context, q summary.Query) ([]postgres.SummaryRow, postgres.SummaryRow, string, error) {
	return s.store.Summarize(ctx, postgres.SummaryQuery{District: q.District, GroupBy: q.GroupBy, Filter: q.Filter,
		Size: q.Size, Token: q.Token, CurrentYear: q.Year})
}

// ListAuditEvents lists the indicator service's audit events of a
// district (every district's for `districts/-`), for the pledge service to
// merge.
func (s *Server) ListAuditEvents(ctx context.Context, req *typev1.ListAuditEventsRequest) (*typev1.ListAuditEventsResponse, error) {
	return audit.ListOne(ctx, req, s.store.AuditEvents)
}
