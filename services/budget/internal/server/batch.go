package server

import (
	"context"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/batch"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/fieldmask"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/services/budget/internal/budget"
	"github.com/gongyak/gongyak/services/budget/internal/postgres"
)

// BatchUpdateBudgets writes up to batch.Max plans of one district's
// pledges in one transaction, each as UpdateBudget writes one, after the
// pledge service has confirmed every pledge and its valid years. Every
// fault of every request is named at once, under `requests[i].`, and
// nothing is written unless all are accepted.
func (s *Server) BatchUpdateBudgets(ctx context.Context, req *budgetv1.BatchUpdateBudgetsRequest) (*budgetv1.BatchUpdateBudgetsResponse, error) {
	district, err := parseDistrict(req.GetParent())
	if err := batch.Check(err, len(req.GetRequests())); err != nil {
		return nil, err
	}
	var v apierr.Violations
	items := make([]postgres.BatchItem, len(req.GetRequests()))
	paths := make([][]string, len(items))
	var names []string
	var named []int // the request of each name
	first := map[string]int{}
	for i, r := range req.GetRequests() {
		if r.GetValidateOnly() {
			v.Add(batch.Field(i, "validate_only"), "is not taken in a batch")
		}
		if r.GetBudget() == nil {
			v.Add(batch.Field(i, "budget"), "is required")
			continue
		}
		d, pledge, err := parseName("budget.name", r.GetBudget().GetName())
		if batch.Merge(&v, i, err) {
			continue
		}
		if d != district {
			v.Add(batch.Field(i, "budget.name"), "must be the plan of a pledge of %s", req.GetParent())
			continue
		}
		if j, seen := first[pledge]; seen {
			v.Add(batch.Field(i, "budget.name"), "is requests[%d]'s too: a batch writes each plan once", j)
			continue
		}
		first[pledge] = i
		p := fieldmask.Paths(r.GetUpdateMask().GetPaths(), r.GetBudget())
		paths[i] = fieldmask.Without(fieldmask.Expand(p, r.GetBudget(), budgetOutputOnly...), budgetOutputOnly...)
		if batch.Merge(&v, i, fieldmask.Apply(&budgetv1.Budget{}, r.GetBudget(), paths[i])) {
			continue
		}
		items[i] = postgres.BatchItem{Pledge: pledge, Tag: r.GetBudget().GetEtag(), AllowMissing: r.GetAllowMissing()}
		names, named = append(names, pledgeName(district, pledge)), append(named, i)
	}
	key, err := idempotency.For("BatchUpdateBudgets", req.GetRequestId(), req)
	v.Merge(err)
	refs, failed, err := s.pledges.LookupAll(ctx, req.GetParent(), names)
	switch {
	case err != nil && failed < 0:
		return nil, err // the district, or the pledge service itself
	case err != nil && v.Empty():
		return nil, batch.Item(named[failed], err)
	case err != nil:
		return nil, v.Err() // the faults found so far; the missing pledge is said once they are mended
	}
	for n, ref := range refs {
		i, r := named[n], req.GetRequests()[named[n]]
		if ref.Deleted() {
			return nil, batch.Item(i, apierr.FailedPrecondition("pledge %s was deleted; its plan cannot change", ref.Name()))
		}
		where := budget.District{Kind: int(ref.District.GetKind()), Metropolitan: ref.District.GetMetropolitanGovernment()}
		items[i].Change = func(plan *budget.Plan) error {
			var v apierr.Violations
			if plan.Revision != 0 {
				v.Merge(etag.Require("budget.etag", r.GetBudget().GetEtag()))
			}
			edited := planToProto(*plan, nil)
			if err := fieldmask.Apply(edited, r.GetBudget(), paths[i]); err != nil {
				return err
			}
			plan.Lines = linesFromProto(edited.GetLines())
			d := edited.GetAsOfDate()
			plan.AsOf = budget.Date{Year: int(d.GetYear()), Month: int(d.GetMonth()), Day: int(d.GetDay())}
			plan.Term = ref.Term()
			if err := plan.Check("budget", ref, where); !v.Merge(err) && err != nil {
				return err
			}
			return v.Err()
		}
	}
	saved, err := s.store.BatchUpdate(ctx, district, items, v, key)
	if err != nil {
		return nil, err
	}
	// Every request was named (any that was not refused the batch), so
	// refs and saved are in the order of the requests.
	resp := &budgetv1.BatchUpdateBudgetsResponse{}
	for n, p := range saved {
		resp.Budgets = append(resp.Budgets, planToProto(p, &refs[n]))
	}
	return resp, nil
}
