// Package server serves the budget service's gRPC API. Before it writes a
// plan it asks the pledge service, over gRPC, that the pledge exists and
// which years are valid for it.
package server

import (
	"context"
	"log/slog"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/fieldmask"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/gongyak/gongyak/services/budget/internal/budget"
	"github.com/gongyak/gongyak/services/budget/internal/postgres"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Server serves gongyak.budget.v1.BudgetService.
type Server struct {
	budgetv1.UnimplementedBudgetServiceServer
	store   Store
	pledges *pledgeref.Client
	log     *slog.Logger
	// summaries keeps SummarizeBudgets' answers until a plan changes.
	summaries *summary.Cache[*budgetv1.BudgetSummary]
}

// New returns the server over store, asking pledges about pledges and
// keeping summaries until changes counts a change.
func New(store Store, pledges *pledgeref.Client, log *slog.Logger, changes *pgchange.Watcher) *Server {
	return &Server{store: store, pledges: pledges, log: log,
		summaries: summary.NewCache[*budgetv1.BudgetSummary](changes, nil)}
}

// parseName reads `districts/{district}/pledges/{pledge}/budget`.
func parseName(field, name string) (district, pledge string, err error) {
	ids, err := resourcename.Budget.Parse(field, name)
	if err != nil {
		return "", "", err
	}
	return ids[0], ids[1], nil
}

// parseDistrict reads a request's parent, `districts/{district}`.
func parseDistrict(parent string) (string, error) {
	ids, err := resourcename.District.Parse("parent", parent)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// GetBudget returns a pledge's plan and its totals.
func (s *Server) GetBudget(ctx context.Context, req *budgetv1.GetBudgetRequest) (*budgetv1.Budget, error) {
	district, pledge, err := parseName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	p, err := s.store.Get(ctx, district, pledge)
	if err != nil {
		return nil, err
	}
	// The comparison with the card needs the pledge: the one the caller
	// passed along (the pledge service reading its card), or else the
	// pledge service's answer. It is display alone, so the caller's word
	// will do; the plan is served without it when neither comes.
	var ref *pledgeref.Pledge
	if r, err := s.pledges.Shown(ctx, pledgeName(district, pledge)); err == nil {
		ref = &r
	} else {
		s.log.WarnContext(ctx, "plan served without the required budget comparison", "error", apierr.ToStatus(err).Message())
	}
	return planToProto(p, ref), nil
}

func pledgeName(district, pledge string) string {
	return resourcename.Pledge.Format(district, pledge)
}

// UpdateBudget writes a pledge's plan after the pledge service has
// confirmed the pledge and its valid years. A plan that exists is written
// only with its etag; allow_missing creates one that does not, without.
func (s *Server) UpdateBudget(ctx context.Context, req *budgetv1.UpdateBudgetRequest) (*budgetv1.Budget, error) {
	if req.GetBudget() == nil {
		return nil, apierr.Invalid("budget", "is required")
	}
	districtID, pledge, err := parseName("budget.name", req.GetBudget().GetName())
	if err != nil {
		return nil, err
	}
	paths := fieldmask.Paths(req.GetUpdateMask().GetPaths(), req.GetBudget())
	paths = fieldmask.Without(fieldmask.Expand(paths, req.GetBudget(), budgetOutputOnly...), budgetOutputOnly...)
	// A bad mask is refused before anything else is asked.
	if err := fieldmask.Apply(&budgetv1.Budget{}, req.GetBudget(), paths); err != nil {
		return nil, err
	}
	ref, err := s.pledges.Known(ctx, pledgeName(districtID, pledge))
	if err != nil {
		return nil, err
	}
	if ref.Deleted() {
		return nil, apierr.FailedPrecondition("pledge %s was deleted; its plan cannot change", ref.Name())
	}
	tag := req.GetBudget().GetEtag()
	district := budget.District{Kind: int(ref.District.GetKind()), Metropolitan: ref.District.GetMetropolitanGovernment()}
	// change edits the plan as it is stored, or a new one; a plan that
	// exists needs its etag, named with whatever else is wrong.
	change := func(plan *budget.Plan) error {
		var v apierr.Violations
		if plan.Revision != 0 {
			v.Merge(etag.Require("budget.etag", tag))
		}
		edited := planToProto(*plan, nil)
		if err := fieldmask.Apply(edited, req.GetBudget(), paths); err != nil {
			return err
		}
		plan.Lines = linesFromProto(edited.GetLines())
		d := edited.GetAsOfDate()
		plan.AsOf = budget.Date{Year: int(d.GetYear()), Month: int(d.GetMonth()), Day: int(d.GetDay())}
		plan.Term = ref.Term()
		if err := plan.Check("budget", ref, district); !v.Merge(err) && err != nil {
			return err
		}
		return v.Err()
	}
	if req.GetValidateOnly() {
		plan, err := s.store.Draft(ctx, req.GetBudget().GetName(), tag, req.GetAllowMissing())
		if err != nil {
			return nil, err
		}
		if err := change(&plan); err != nil {
			return nil, err
		}
		return planToProto(plan, &ref), nil
	}
	saved, err := s.store.Update(ctx, req.GetBudget().GetName(), tag, req.GetAllowMissing(), change)
	if err != nil {
		return nil, err
	}
	return planToProto(saved, &ref), nil
}

// DeleteBudget removes a pledge's plan; it needs the plan's etag.
func (s *Server) DeleteBudget(ctx context.Context, req *budgetv1.DeleteBudgetRequest) (*emptypb.Empty, error) {
	var v apierr.Violations
	district, pledge, err := parseName("name", req.GetName())
	v.Merge(err)
	v.Merge(etag.Require("etag", req.GetEtag()))
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, s.store.Delete(ctx, district, pledge, req.GetEtag())
}

// budgetOutputOnly are the fields of a plan an update ignores: the server
// derives them.
var budgetOutputOnly = []string{"name", "etag", "total", "source_totals", "year_totals", "shares", "required_budget", "term", "create_time", "update_time"}

// SummarizeBudgets sums plans for reporting.
func (s *Server) SummarizeBudgets(ctx context.Context, req *budgetv1.SummarizeBudgetsRequest) (*budgetv1.SummarizeBudgetsResponse, error) {
	a, err := summary.Serve(ctx, req, s.summaries, s.readSummary, summaryToProto)
	if err != nil {
		return nil, err
	}
	return &budgetv1.SummarizeBudgetsResponse{Rows: a.Rows, Total: a.Total, NextPageToken: a.NextPageToken}, nil
}

// readSummary reads a page of SummarizeBudgets.
func (s *Server) readSummary(ctx context.Context, q summary.Query) ([]postgres.SummaryRow, postgres.SummaryRow, string, error) {
	return s.store.Summarize(ctx, postgres.SummaryQuery{District: q.District, GroupBy: q.GroupBy, Filter: q.Filter,
		Size: q.Size, Token: q.Token, SourceNames: sourceNames})
}

// ListAuditEvents lists the budget service's audit events of a district
// (every district's for `districts/-`), for the pledge service to merge.
func (s *Server) ListAuditEvents(ctx context.Context, req *typev1.ListAuditEventsRequest) (*typev1.ListAuditEventsResponse, error) {
	return audit.ListOne(ctx, req, s.store.AuditEvents)
}

// ListBudgets lists a district's plans, those the filter takes. Each
// comes without its comparison with the card's required budget, which
// would ask the pledge service once a plan: GetBudget has it.
func (s *Server) ListBudgets(ctx context.Context, req *budgetv1.ListBudgetsRequest) (*budgetv1.ListBudgetsResponse, error) {
	var v apierr.Violations
	district, err := parseDistrict(req.GetParent())
	v.Merge(err)
	size, err := pagetoken.Size(req.GetPageSize())
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	plans, next, err := s.store.List(ctx, district, req.GetFilter(), size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &budgetv1.ListBudgetsResponse{NextPageToken: next}
	for _, p := range plans {
		resp.Budgets = append(resp.Budgets, planToProto(p, nil))
	}
	return resp, nil
}
