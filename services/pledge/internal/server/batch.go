package server

import (
	"context"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/batch"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// BatchCreatePledges adds up to batch.Max pledges to one district in one
// transaction, each checked as CreatePledge checks one (against the
// district's terms and departments as read before the write); every fault
// of every request is reported at once, and nothing is written unless all
// are accepted.
func (s *PledgeServer) BatchCreatePledges(ctx context.Context, req *pledgev1.BatchCreatePledgesRequest) (*pledgev1.BatchCreatePledgesResponse, error) {
	var v apierr.Violations
	district, err := pledge.ParseDistrictName("parent", req.GetParent())
	v.Merge(err)
	batch.Size(&v, len(req.GetRequests()))
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := s.store.GetDistrict(ctx, district)
	if err != nil {
		return nil, err
	}
	// Every department of the district, once, for every pledge's check.
	known, err := s.store.DepartmentsAmong(ctx, district, nil)
	if err != nil {
		return nil, err
	}
	ps := make([]pledge.Pledge, len(req.GetRequests()))
	first := map[string]int{}
	for i, r := range req.GetRequests() {
		batch.Parent(&v, i, r.GetParent(), req.GetParent())
		batch.NoRequestID(&v, i, r.GetRequestId())
		if r.GetPledge() == nil {
			v.Add(batch.Field(i, "pledge"), "is required")
			continue
		}
		p, err := pledgeFromProto(r.GetPledge(), district)
		batch.Merge(&v, i, err)
		p.ID = r.GetPledgeId()
		if p.ID == "" {
			p.ID = pledge.NewID()
		} else if !batch.Merge(&v, i, pledge.CheckID("pledge_id", p.ID)) {
			if j, seen := first[p.ID]; seen {
				v.Add(batch.Field(i, "pledge_id"), "is requests[%d]'s too: each pledge of a batch needs its own id", j)
			}
			first[p.ID] = i
		}
		term, err := d.TermOrCurrent("pledge.term", p.Term)
		if batch.Merge(&v, i, err) {
			continue
		}
		p.Term = term.Number
		if err := p.Validate("pledge", term, known); err != nil && !batch.Merge(&v, i, err) {
			return nil, batch.Item(i, err)
		}
		ps[i] = p
	}
	key, err := idempotency.For("BatchCreatePledges", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	// The store adds what only the district's data shows: the pledges
	// there already, by id and identity.
	created, err := s.store.BatchCreatePledges(ctx, district, ps, key)
	if err != nil {
		return nil, err
	}
	resp := &pledgev1.BatchCreatePledgesResponse{}
	for _, p := range created {
		resp.Pledges = append(resp.Pledges, pledgeToProto(p))
	}
	return resp, nil
}
