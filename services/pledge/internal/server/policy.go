package server

import (
	"context"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// Policy says who may call each of the pledge service's methods. Reads
// need the district's read permission, except what is published (a public
// term's pledges, and their districts), which anyone may read; writes need
// write permission, a department editor's only for pledges its department
// owns; the district itself, its departments and imports need a district
// admin; keys need a key manager; the audit log its reader; reports those
// who read the district's summaries (every district's, cross-district
// callers).
func Policy(store PolicyStore) auth.Policy {
	r := rules{store: store}
	const (
		districts = "/gongyak.pledge.v1.DistrictService/"
		pledges   = "/gongyak.pledge.v1.PledgeService/"
		keys      = "/gongyak.pledge.v1.ApiKeyService/"
		audits    = "/gongyak.pledge.v1.AuditService/"
		reports   = "/gongyak.pledge.v1.ReportService/"
	)
	return auth.Policy{
		districts + "GetDistrict":      r.readDistrict,
		districts + "ListDistricts":    r.listDistricts,
		districts + "CreateDistrict":   auth.Need(auth.CreateDistrict, newDistrict),
		districts + "UpdateDistrict":   auth.InDistrict(auth.WriteDistrict, func(req any) string { return req.(*pledgev1.UpdateDistrictRequest).GetDistrict().GetName() }),
		districts + "GetDepartment":    auth.InDistrict(auth.ReadData, auth.Name),
		districts + "ListDepartments":  auth.InDistrict(auth.ReadData, auth.Parent),
		districts + "CreateDepartment": auth.InDistrict(auth.WriteDistrict, auth.Parent),
		districts + "UpdateDepartment": auth.InDistrict(auth.WriteDistrict, func(req any) string { return req.(*pledgev1.UpdateDepartmentRequest).GetDepartment().GetName() }),
		// A district's bulk export and import stream: a stream's rule sees
		// no request, so the handler checks the district once it has read
		// it (readers export, masked without personal-data; those who
		// create districts import).
		districts + "ExportDistrictData": auth.Signed,
		districts + "ImportDistrictData": auth.Signed,

		pledges + "GetPledge":          r.readPledge(auth.Name),
		pledges + "ListPledges":        r.listPledges,
		pledges + "CreatePledge":       r.createPledge,
		pledges + "UpdatePledge":       r.updatePledge,
		pledges + "DeletePledge":       r.writePledge(auth.Name),
		pledges + "ChangePledgeStatus": r.changeStatus,
		pledges + "GetPledgeCard":      r.readPledge(auth.Name),
		pledges + "RenderPledgeCard":   r.readPledge(auth.Name),
		pledges + "ImportPledgeCard":   auth.InDistrict(auth.WriteDistrict, auth.Parent),
		pledges + "UploadPhoto":        r.writePledge(photoPledge),
		pledges + "GetPhotoContent":    r.readPledge(photoPledge),
		pledges + "ListStatusChanges":  auth.InDistrict(auth.ReadData, auth.Parent),
		// One district's readers, or with districts/- those who read every
		// district's summaries (the ministry, system admins).
		pledges + "SummarizePledges": auth.InDistrict(auth.ReadSummaries, auth.Parent),
		// A batch is a bulk load: it needs write permission over the whole
		// district (a department editor writes its pledges one at a time).
		pledges + "BatchCreatePledges": auth.InDistrict(auth.WriteData, auth.Parent),

		keys + "CreateApiKey": auth.InDistrict(auth.ManageKeys, auth.Parent),
		keys + "GetApiKey":    auth.InDistrict(auth.ManageKeys, auth.Name),
		keys + "ListApiKeys":  auth.InDistrict(auth.ManageKeys, auth.Parent),
		keys + "RevokeApiKey": auth.InDistrict(auth.ManageKeys, auth.Name),
		// A key's own description, to the key itself: how the other
		// services check the keys they are shown.
		keys + "VerifyApiKey": auth.Signed,

		audits + "ListAuditEvents": auth.InDistrict(auth.ReadAudit, func(req any) string { return req.(*typev1.ListAuditEventsRequest).GetParent() }),

		reports + "DisclosePledges": r.disclose,
		// A district's report, to those who read its summaries; every
		// district's (districts/-), to cross-district callers alone.
		reports + "GetImplementationReport":    auth.InDistrict(auth.ReadSummaries, auth.Name),
		reports + "ExportImplementationReport": auth.InDistrict(auth.ReadSummaries, auth.Name),
	}
}

type rules struct {
	store PolicyStore
}

func newDistrict(_ context.Context, req any) (auth.Target, error) {
	return auth.In(req.(*pledgev1.CreateDistrictRequest).GetDistrictId()), nil
}

// photoPledge is the pledge of `districts/d/pledges/p/photos/n`.
func photoPledge(req any) string { return resourcename.Parent(auth.Name(req)) }

// readDistrict lets those who read a district's data read it, and anyone
// read a district that publishes a term.
func (r rules) readDistrict(ctx context.Context, req any) (context.Context, error) {
	district := auth.DistrictOf(auth.Name(req))
	if auth.FromContext(ctx).Can(auth.ReadData, auth.In(district)) {
		return ctx, nil
	}
	published, err := r.store.DistrictPublished(ctx, district)
	if err != nil {
		return nil, err // the database is away, say: not the caller's fault
	}
	if !published {
		return nil, auth.Deny(ctx, auth.ReadData, auth.In(district))
	}
	return auth.WithPublishedOnly(ctx), nil
}

// listDistricts lets anyone list; the list holds what the caller may
// read (ListDistricts filters).
func (r rules) listDistricts(ctx context.Context, _ any) (context.Context, error) {
	if auth.FromContext(ctx).Can(auth.ReadData, auth.In(auth.AllDistricts)) {
		return ctx, nil
	}
	return auth.WithPublishedOnly(ctx), nil
}

// readPledge lets those who read the district read the pledge, and anyone
// read a published one.
func (r rules) readPledge(name func(any) string) auth.Rule {
	return func(ctx context.Context, req any) (context.Context, error) {
		district, id := splitPledge(name(req))
		t := auth.In(district)
		if auth.FromContext(ctx).Can(auth.ReadData, t) {
			return ctx, nil
		}
		a, err := r.store.PledgeAccess(ctx, district, id)
		if err != nil {
			return nil, err // the database is away, say: not the caller's fault
		}
		if !a.Published {
			return nil, auth.Deny(ctx, auth.ReadData, t)
		}
		return auth.WithPublishedOnly(ctx), nil
	}
}

// listPledges lets those who read the district list everything, and
// anyone list what is published. Across districts (`districts/-`), those
// who read every district list everything; anyone else lists what is
// published and, whole, the districts it reads (ListPledges narrows).
func (r rules) listPledges(ctx context.Context, req any) (context.Context, error) {
	if auth.FromContext(ctx).Can(auth.ReadData, auth.In(auth.DistrictOf(auth.Parent(req)))) {
		return ctx, nil
	}
	return auth.WithPublishedOnly(ctx), nil
}

// disclose lets those who read the district read its disclosure page of
// any term, and anyone the page of a public term. (A ministry reporter
// reads the published ones: the cards' other sections would not be
// gathered for it from an unpublished term.)
func (r rules) disclose(ctx context.Context, req any) (context.Context, error) {
	d := req.(*pledgev1.DisclosePledgesRequest)
	t := auth.In(auth.DistrictOf(d.GetName()))
	if auth.FromContext(ctx).Can(auth.ReadData, t) {
		return ctx, nil
	}
	published, err := r.store.TermPublished(ctx, t.District, int(d.GetTerm()))
	if err != nil {
		return nil, err // the database is away, say: not the caller's fault
	}
	if !published {
		return nil, auth.Deny(ctx, auth.ReadData, t)
	}
	return auth.WithPublishedOnly(ctx), nil
}

// changeStatus needs write permission for the pledge, as other writes
// do; a change dated in the past (effective_date) records the past instead,
// which district admins, registrars and system admins do.
func (r rules) changeStatus(ctx context.Context, req any) (context.Context, error) {
	c := req.(*pledgev1.ChangePledgeStatusRequest)
	if d := c.GetEffectiveDate(); d.GetYear() == 0 && d.GetMonth() == 0 && d.GetDay() == 0 {
		return r.writePledge(auth.Name)(ctx, req)
	}
	t := auth.In(auth.DistrictOf(c.GetName()))
	p := auth.FromContext(ctx)
	if p.Can(auth.RecordPast, t) {
		return ctx, nil
	}
	if p.Kind == auth.Anonymous {
		return nil, auth.Deny(ctx, auth.RecordPast, t)
	}
	return nil, apierr.PermissionDenied("%s may not date a status change (effective_date) in districts/%s: district admins, registrars and system admins record the past", p.Actor(), t.District)
}

// writePledge needs write permission for what the pledge's owning
// department owns.
func (r rules) writePledge(name func(any) string) auth.Rule {
	return auth.Need(auth.WriteData, func(ctx context.Context, req any) (auth.Target, error) {
		district, id := splitPledge(name(req))
		return r.pledgeTarget(ctx, district, id)
	})
}

func (r rules) pledgeTarget(ctx context.Context, district, id string) (auth.Target, error) {
	t := auth.In(district)
	if auth.FromContext(ctx).Can(auth.WriteData, t) {
		return t, nil // no need to look: it may write the whole district
	}
	a, err := r.store.PledgeAccess(ctx, district, id)
	if err != nil {
		return t, err
	}
	if a.OwningDepartment != "" {
		t.Departments = []string{a.OwningDepartment}
	}
	return t, nil
}

// createPledge needs write permission for the new pledge's owning
// department.
func (r rules) createPledge(ctx context.Context, req any) (context.Context, error) {
	c := req.(*pledgev1.CreatePledgeRequest)
	t := auth.In(auth.DistrictOf(c.GetParent()))
	if d := pledgeref.DepartmentID(c.GetPledge().GetOwningDepartment()); d != "" {
		t.Departments = []string{d}
	}
	if !auth.FromContext(ctx).Can(auth.WriteData, t) {
		return nil, auth.Deny(ctx, auth.WriteData, t)
	}
	return ctx, nil
}

// updatePledge needs write permission for the pledge's owning department
// and, when the update moves it, for the new one too.
func (r rules) updatePledge(ctx context.Context, req any) (context.Context, error) {
	u := req.(*pledgev1.UpdatePledgeRequest)
	district, id := splitPledge(u.GetPledge().GetName())
	t, err := r.pledgeTarget(ctx, district, id)
	if err != nil {
		return nil, err
	}
	moves := len(u.GetUpdateMask().GetPaths()) == 0 && u.GetPledge().GetOwningDepartment() != ""
	for _, p := range u.GetUpdateMask().GetPaths() {
		moves = moves || p == "owning_department" || p == "*"
	}
	if d := pledgeref.DepartmentID(u.GetPledge().GetOwningDepartment()); moves && len(t.Departments) > 0 && d != t.Departments[0] {
		t.Departments = append(t.Departments, d)
	}
	if !auth.FromContext(ctx).Can(auth.WriteData, t) {
		return nil, auth.Deny(ctx, auth.WriteData, t)
	}
	return ctx, nil
}

// splitPledge reads `districts/{district}/pledges/{pledge}`; id is ""
// for a name of another shape.
func splitPledge(name string) (district, id string) {
	if ids, ok := resourcename.Pledge.Match(name); ok {
		return ids[0], ids[1]
	}
	return auth.DistrictOf(name), ""
}
