package server

import (
	"context"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/fieldmask"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
)

// filterEnums are the enum names pledge filters compare against.
var filterEnums = map[string]map[string]int32{
	"status":              pledgev1.PledgeStatus_value,
	"project_type":        pledgev1.ProjectType_value,
	"completion_timing":   pledgev1.CompletionTiming_value,
	"implementing_levels": pledgev1.ImplementingLevel_value,
}

// GetPledge returns one pledge.
func (s *PledgeServer) GetPledge(ctx context.Context, req *pledgev1.GetPledgeRequest) (*pledgev1.Pledge, error) {
	district, id, err := pledge.ParsePledgeName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	return shown(pledgeToProto)(s.store.GetPledge(ctx, district, id))
}

// ListPledges lists a district's pledges, or every district's with
// `districts/-`. A caller who may not read every district reads there what
// is published, and whole the districts it reads district by district.
func (s *PledgeServer) ListPledges(ctx context.Context, req *pledgev1.ListPledgesRequest) (*pledgev1.ListPledgesResponse, error) {
	var v apierr.Violations
	district, err := parentOrAll(req.GetParent())
	v.Merge(err)
	size, err := pagetoken.Size(req.GetPageSize())
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var whole []string
	if district == auth.AllDistricts && auth.PublishedOnly(ctx) {
		whole = readable(auth.FromContext(ctx))
	}
	page, err := s.store.ListPledges(ctx, postgres.PledgeQuery{
		District:    district,
		Size:        size,
		Token:       req.GetPageToken(),
		Filter:      req.GetFilter(),
		OrderBy:     req.GetOrderBy(),
		Query:       req.GetQuery(),
		ShowDeleted: req.GetShowDeleted(),
		// Set by the policy for callers who may read published pledges
		// alone.
		PublishedOnly: auth.PublishedOnly(ctx),
		Readable:      whole,
		Enums:         filterEnums,
	})
	if err != nil {
		return nil, err
	}
	return &pledgev1.ListPledgesResponse{Pledges: each(page.Pledges, pledgeToProto), NextPageToken: page.NextToken, TotalSize: int32(page.Total)}, nil
}

// CreatePledge adds a pledge.
func (s *PledgeServer) CreatePledge(ctx context.Context, req *pledgev1.CreatePledgeRequest) (*pledgev1.Pledge, error) {
	var v apierr.Violations
	district, err := pledge.ParseDistrictName("parent", req.GetParent())
	v.Merge(err)
	if req.GetPledge() == nil {
		v.Add("pledge", "is required")
		return nil, v.Err()
	}
	p, err := pledgeFromProto(req.GetPledge(), district)
	v.Merge(err)
	p.ID = chosenID(&v, "pledge_id", req.GetPledgeId())
	key, err := idempotency.For("CreatePledge", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := s.store.GetDistrict(ctx, district)
	if err != nil {
		return nil, err
	}
	term, err := d.TermOrCurrent("pledge.term", p.Term)
	if err != nil {
		return nil, err
	}
	p.Term = term.Number
	if err := s.validate(ctx, &p, "pledge", term); err != nil {
		return nil, err
	}
	return shown(pledgeToProto)(s.store.CreatePledge(ctx, p, key))
}

// pledgeOutputOnly are the fields of a pledge an update ignores.
var pledgeOutputOnly = []string{"name", "etag", "create_time", "update_time", "delete_time", "status_change_time", "valid_years"}

// UpdatePledge changes a pledge: the fields the mask names, at any depth,
// are copied onto the stored pledge, which is then checked as a whole.
func (s *PledgeServer) UpdatePledge(ctx context.Context, req *pledgev1.UpdatePledgeRequest) (*pledgev1.Pledge, error) {
	in := req.GetPledge()
	if in == nil {
		return nil, apierr.Invalid("pledge", "is required")
	}
	var v apierr.Violations
	ids := target(&v, resourcename.Pledge, "pledge.name", in.GetName(), "pledge.etag", in.GetEtag())
	if err := v.Err(); err != nil {
		return nil, err
	}
	paths := updatePaths(req.GetUpdateMask().GetPaths(), in, pledgeOutputOnly, "status", "term")
	// The change is made and checked on the pledge as read here; the
	// store writes it only while the pledge is still that one (the etag
	// it is written at is the one read).
	cur, err := s.store.GetPledge(ctx, ids[0], ids[1])
	if err != nil {
		return nil, err
	}
	stored := cur.Pledge
	if err := etag.Check(in.GetEtag(), stored.Name(), stored.Revision); err != nil {
		return nil, err
	}
	if err := stored.CheckLive(); err != nil {
		return nil, err
	}
	next, err := changed(stored, in, paths)
	if err != nil {
		return nil, err
	}
	if err := s.validate(ctx, &next, "pledge", cur.Term); err != nil {
		return nil, err
	}
	return shown(pledgeToProto)(s.store.UpdatePledge(ctx, stored.Name(), in.GetEtag(), func(p *pledge.Pledge) error {
		if p.Revision != stored.Revision {
			return apierr.EtagMismatch(p.Name())
		}
		*p = next
		return nil
	}))
}

// changed is the stored pledge p with the fields paths name copied from
// in; a change of its status or term is refused.
func changed(p pledge.Pledge, in *pledgev1.Pledge, paths []string) (pledge.Pledge, error) {
	cur := pledgeToProto(postgres.PledgeWithTerm{Pledge: p})
	if err := fieldmask.Apply(cur, in, paths); err != nil {
		return p, err
	}
	var v apierr.Violations
	if cur.GetStatus() != pledgev1.PledgeStatus(p.Status) {
		v.Add("pledge.status", "changes only through ChangePledgeStatus (POST …:changeStatus), which records why")
	}
	if cur.GetTerm() != int32(p.Term) {
		v.Add("pledge.term", "cannot change: a pledge belongs to the term it was made in")
	}
	if err := v.Err(); err != nil {
		return p, err
	}
	next, err := pledgeFromProto(cur, p.DistrictID)
	if err != nil {
		return p, err
	}
	next.ID, next.Status, next.StatusChangeTime = p.ID, p.Status, p.StatusChangeTime
	for i := range next.Photos {
		if i < len(p.Photos) {
			next.Photos[i].URI = p.Photos[i].URI
		}
	}
	next.Revision, next.CreateTime, next.UpdateTime, next.DeleteTime = p.Revision, p.CreateTime, p.UpdateTime, p.DeleteTime
	return next, nil
}

// validate checks p, a pledge of term about to be written, as a whole
// (pledge.Pledge.Validate), asking the store which of the departments it
// names its district has; fields are named under prefix.
func (s *PledgeServer) validate(ctx context.Context, p *pledge.Pledge, prefix string, term pledge.Term) error {
	known, err := s.store.DepartmentsAmong(ctx, p.DistrictID, append([]string{p.OwningDepartment}, p.RelatedDepartments...))
	if err != nil {
		return err
	}
	return p.Validate(prefix, term, known)
}

// DeletePledge marks a pledge deleted.
func (s *PledgeServer) DeletePledge(ctx context.Context, req *pledgev1.DeletePledgeRequest) (*pledgev1.Pledge, error) {
	var v apierr.Violations
	ids := target(&v, resourcename.Pledge, "name", req.GetName(), "etag", req.GetEtag())
	if err := v.Err(); err != nil {
		return nil, err
	}
	return shown(pledgeToProto)(s.store.DeletePledge(ctx, ids[0], ids[1], req.GetEtag()))
}

// ChangePledgeStatus sets a pledge's status and records why, in effect
// today or on the past day effective_date gives (the policy lets only those
// who record the past give one).
func (s *PledgeServer) ChangePledgeStatus(ctx context.Context, req *pledgev1.ChangePledgeStatusRequest) (*pledgev1.Pledge, error) {
	var v apierr.Violations
	ids := target(&v, resourcename.Pledge, "name", req.GetName(), "etag", req.GetEtag())
	v.Merge(pledge.CheckStatus("status", pledge.Status(req.GetStatus())))
	v.Merge(pledge.CheckReason("reason", req.GetReason()))
	effective := dateFromProto(req.GetEffectiveDate())
	if !effective.IsZero() {
		v.Merge(pledge.CheckWholeDate("effective_date", effective))
	}
	key, err := idempotency.For("ChangePledgeStatus", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return shown(pledgeToProto)(s.store.ChangeStatus(ctx, ids[0], ids[1], req.GetEtag(), pledge.Status(req.GetStatus()), req.GetReason(), effective, key))
}

// ListStatusChanges lists a pledge's status history.
func (s *PledgeServer) ListStatusChanges(ctx context.Context, req *pledgev1.ListStatusChangesRequest) (*pledgev1.ListStatusChangesResponse, error) {
	var v apierr.Violations
	district, id, err := pledge.ParsePledgeName("parent", req.GetParent())
	v.Merge(err)
	size, err := pagetoken.Size(req.GetPageSize())
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	list, next, err := s.store.ListStatusChanges(ctx, district, id, req.GetFilter(), size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &pledgev1.ListStatusChangesResponse{StatusChanges: each(list, statusChangeToProto), NextPageToken: next}, nil
}

// parentOrAll reads a parent that names a district, or every district
// (`districts/-`, AIP-159), which it returns as auth.AllDistricts.
func parentOrAll(parent string) (string, error) {
	if parent == resourcename.District.Format(auth.AllDistricts) {
		return auth.AllDistricts, nil
	}
	return pledge.ParseDistrictName("parent", parent)
}
