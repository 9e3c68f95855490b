package server

import (
	"context"
	"strings"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/pledgeref"
)

// Policy says who may call each of the indicator service's methods. A
// pledge's indicators and achievement are read by those who read its
// district, and by anyone when the pledge is published (the pledge
// service, asked with the caller's own credential, shows it to them);
// they are written by those who write the district, a department editor
// only for a pledge its department owns; summaries need the district's
// summaries (every district's for `districts/-`); the audit log needs its
// reader.
func Policy(pledges *pledgeref.Client) auth.Policy {
	underName := func(req any) string { return auth.PledgeOf(auth.Name(req)) }
	read := func(pledgeOf func(any) string) auth.Rule { return auth.ReadPledgeData(readable(pledges), pledgeOf) }
	return auth.Policy{
		indicatorv1.IndicatorService_GetIndicator_FullMethodName:         read(underName),
		indicatorv1.IndicatorService_ListIndicators_FullMethodName:       read(auth.Parent),
		indicatorv1.IndicatorService_GetPledgeAchievement_FullMethodName: read(underName),
		indicatorv1.IndicatorService_CreateIndicator_FullMethodName:      writePledgeData(pledges, auth.Parent),
		indicatorv1.IndicatorService_UpdateIndicator_FullMethodName: writePledgeData(pledges, func(req any) string {
			return auth.PledgeOf(req.(*indicatorv1.UpdateIndicatorRequest).GetIndicator().GetName())
		}),
		indicatorv1.IndicatorService_DeleteIndicator_FullMethodName:     writePledgeData(pledges, underName),
		indicatorv1.IndicatorService_SummarizeIndicators_FullMethodName: auth.InDistrict(auth.ReadSummaries, auth.Parent),
		indicatorv1.IndicatorService_ListAuditEvents_FullMethodName:     auth.InDistrict(auth.ReadAudit, auth.Parent),
	}
}

// readable asks the pledge service, with the caller's credential, whether
// the caller may read a pledge.
func readable(pledges *pledgeref.Client) auth.PledgeReadable {
	return func(ctx context.Context, pledge string) error {
		_, err := pledges.Lookup(ctx, pledge)
		return err
	}
}

// writePledgeData needs write permission for what the pledge's owning
// department owns. Only a department editor's call needs the owner, which
// the pledge service tells with the caller's credential; a pledge it does
// not show the caller is refused like one the caller may not write, so a
// refusal reveals nothing. The pledge looked up rides on in the context,
// for the handler.
func writePledgeData(pledges *pledgeref.Client, pledgeOf func(req any) string) auth.Rule {
	return func(ctx context.Context, req any) (context.Context, error) {
		name := pledgeOf(req)
		caller := auth.FromContext(ctx)
		t := auth.In(auth.DistrictOf(name))
		if caller.Can(auth.WriteData, t) {
			return ctx, nil // it may write the whole district: no need to look
		}
		if len(caller.Departments(t.District)) == 0 {
			return nil, auth.Deny(ctx, auth.WriteData, t)
		}
		p, err := pledges.Lookup(ctx, name)
		if err != nil {
			return nil, auth.Deny(ctx, auth.WriteData, t)
		}
		if d := departmentID(p.Pledge.GetOwningDepartment()); d != "" {
			t.Departments = []string{d}
		}
		if !caller.Can(auth.WriteData, t) {
			return nil, auth.Deny(ctx, auth.WriteData, t)
		}
		return withPledge(ctx, p), nil
	}
}

// departmentID is the id in `districts/{district}/departments/{id}`.
func departmentID(name string) string {
	parts := strings.Split(name, "/")
	if len(parts) == 4 && parts[0] == "districts" && parts[2] == "departments" {
		return parts[3]
	}
	return ""
}

type pledgeKey struct{}

// withPledge returns ctx carrying the pledge the policy looked up.
func withPledge(ctx context.Context, p pledgeref.Pledge) context.Context {
	return context.WithValue(ctx, pledgeKey{}, p)
}

// lookup returns the pledge called name: the one the policy looked up for
// this call, or else the pledge service's answer.
func (s *Server) lookup(ctx context.Context, name string) (pledgeref.Pledge, error) {
	if p, ok := ctx.Value(pledgeKey{}).(pledgeref.Pledge); ok && p.Name() == name {
		return p, nil
	}
	return s.pledges.Lookup(ctx, name)
}
