package server

import (
	"context"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/batch"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/indicator/internal/indicator"
)

// BatchCreateIndicators adds up to batch.Max indicators of one pledge, or
// of several pledges of one district (parent `districts/{d}/pledges/-`),
// in one transaction, each checked as CreateIndicator checks one against
// its pledge, which the pledge service confirms. Every fault of every
// request is named at once, under `requests[i].`, and nothing is written
// unless all are accepted.
func (s *Server) BatchCreateIndicators(ctx context.Context, req *indicatorv1.BatchCreateIndicatorsRequest) (*indicatorv1.BatchCreateIndicatorsResponse, error) {
	parent, err := batchParent(req.GetParent())
	if err := batch.Check(err, len(req.GetRequests())); err != nil {
		return nil, err
	}
	var v apierr.Violations
	district, anyPledge := parent[0], parent[1] == resourcename.Wildcard
	list := make([]indicator.Indicator, len(req.GetRequests()))
	checked := make([]bool, len(list))
	var names []string // each pledge once
	pledgeOf := map[string]int{}
	first := map[[2]string]int{}
	for n, r := range req.GetRequests() {
		pledge := parent[1]
		switch {
		case anyPledge:
			ids, err := resourcename.Pledge.Parse("parent", r.GetParent())
			switch {
			case batch.Merge(&v, n, err):
				continue
			case ids[0] != district:
				v.Add(batch.Field(n, "parent"), "must be a pledge of districts/%s", district)
				continue
			}
			pledge = ids[1]
		default:
			batch.Parent(&v, n, r.GetParent(), req.GetParent())
		}
		batch.NoRequestID(&v, n, r.GetRequestId())
		if r.GetValidateOnly() {
			v.Add(batch.Field(n, "validate_only"), "is not taken in a batch")
		}
		if r.GetIndicator() == nil {
			v.Add(batch.Field(n, "indicator"), "is required")
			continue
		}
		i := indicatorFromProto(r.GetIndicator())
		i.DistrictID, i.PledgeID, i.ID = district, pledge, r.GetIndicatorId()
		if i.ID == "" {
			i.ID = resourceid.New()
		} else if batch.Merge(&v, n, resourceid.Check("indicator_id", i.ID)) {
			continue
		} else if m, seen := first[[2]string{pledge, i.ID}]; seen {
			v.Add(batch.Field(n, "indicator_id"), "is requests[%d]'s too: each indicator of a pledge needs its own id", m)
		}
		first[[2]string{pledge, i.ID}] = n
		list[n], checked[n] = i, true
		name := resourcename.Pledge.Format(district, pledge)
		if _, seen := pledgeOf[name]; !seen {
			pledgeOf[name] = len(names)
			names = append(names, name)
		}
	}
	key, err := idempotency.For("BatchCreateIndicators", req.GetRequestId(), req)
	v.Merge(err)
	refs, failed, err := s.pledges.LookupAll(ctx, resourcename.District.Format(district), names)
	if err != nil {
		if failed < 0 {
			return nil, err
		}
		if !v.Empty() {
			return nil, v.Err() // the faults found so far; the missing pledge is said once they are mended
		}
		for n, i := range list {
			if checked[n] && pledgeOf[resourcename.Pledge.Format(district, i.PledgeID)] == failed {
				return nil, batch.Item(n, err)
			}
		}
		return nil, err
	}
	for n := range list {
		if !checked[n] {
			continue
		}
		i := &list[n]
		ref := refs[pledgeOf[resourcename.Pledge.Format(district, i.PledgeID)]]
		if ref.Deleted() {
			return nil, batch.Item(n, apierr.FailedPrecondition("pledge %s was deleted", ref.Name()))
		}
		i.Term = ref.Term()
		batch.Merge(&v, n, i.Check("indicator", ref))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	created, err := s.store.BatchCreate(ctx, district, list, key, s.currentYear())
	if err != nil {
		return nil, err
	}
	resp := &indicatorv1.BatchCreateIndicatorsResponse{}
	for _, i := range created {
		resp.Indicators = append(resp.Indicators, indicatorToProto(i))
	}
	return resp, nil
}

// everyPledge is the parent of a batch over several pledges of one
// district.
var everyPledge = resourcename.MustPattern("districts/{district}/pledges/" + resourcename.Wildcard)

// batchParent reads a batch's parent: one pledge's name, or a district's
// every pledge (its pledge id the wildcard).
func batchParent(parent string) ([]string, error) {
	if ids, ok := everyPledge.Match(parent); ok {
		return []string{ids[0], resourcename.Wildcard}, nil
	}
	return resourcename.Pledge.Parse("parent", parent)
}
