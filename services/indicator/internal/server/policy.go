package server

import (
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
	read := func(pledgeOf func(any) string) auth.Rule { return auth.ReadPledgeData(pledges.Readable(), pledgeOf) }
	return auth.Policy{
		indicatorv1.IndicatorService_GetIndicator_FullMethodName:         read(underName),
		indicatorv1.IndicatorService_ListIndicators_FullMethodName:       read(auth.Parent),
		indicatorv1.IndicatorService_GetPledgeAchievement_FullMethodName: read(underName),
		indicatorv1.IndicatorService_CreateIndicator_FullMethodName:      pledges.WriteRule(auth.Parent),
		indicatorv1.IndicatorService_UpdateIndicator_FullMethodName: pledges.WriteRule(func(req any) string {
			return auth.PledgeOf(req.(*indicatorv1.UpdateIndicatorRequest).GetIndicator().GetName())
		}),
		indicatorv1.IndicatorService_DeleteIndicator_FullMethodName: pledges.WriteRule(underName),
		// A batch is a bulk load: it needs write permission over the whole
		// district (a department editor writes its indicators one at a time).
		indicatorv1.IndicatorService_BatchCreateIndicators_FullMethodName: auth.InDistrict(auth.WriteData, auth.Parent),
		indicatorv1.IndicatorService_SummarizeIndicators_FullMethodName:   auth.InDistrict(auth.ReadSummaries, auth.Parent),
		indicatorv1.IndicatorService_ListAuditEvents_FullMethodName:       auth.InDistrict(auth.ReadAudit, auth.Parent),
		// A district's bulk export and import (pkg/bulk), for the pledge
		// service's: a stream's rule sees no request, so the handler checks
		// the district once it has read it (readers export, those who
		// create districts import).
		indicatorv1.IndicatorService_ExportDistrictData_FullMethodName: auth.Signed,
		indicatorv1.IndicatorService_ImportDistrictData_FullMethodName: auth.Signed,
	}
}
