package server

import (
	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/pledgeref"
)

// Policy says who may call each of the budget service's methods. A plan
// is read by those who read its pledge's district, and by anyone when its
// pledge is published (the pledge service, asked with the caller's own
// credential, shows it to them); it is written by those who write the
// district, a department editor only for a pledge its department owns;
// summaries need the district's summaries (every district's for
// `districts/-`); the audit log needs its reader.
func Policy(pledges *pledgeref.Client) auth.Policy {
	plan := func(req any) string { return auth.PledgeOf(auth.Name(req)) }
	return auth.Policy{
		budgetv1.BudgetService_GetBudget_FullMethodName: auth.ReadPledgeData(pledges.Readable(), plan),
		budgetv1.BudgetService_UpdateBudget_FullMethodName: pledges.WriteRule(func(req any) string {
			return auth.PledgeOf(req.(*budgetv1.UpdateBudgetRequest).GetBudget().GetName())
		}),
		budgetv1.BudgetService_DeleteBudget_FullMethodName: pledges.WriteRule(plan),
		// A district's plans, published or not, are its readers' alone.
		budgetv1.BudgetService_ListBudgets_FullMethodName: auth.InDistrict(auth.ReadData, auth.Parent),
		// A batch is a bulk load: it needs write permission over the whole
		// district (a department editor writes its plans one at a time).
		budgetv1.BudgetService_BatchUpdateBudgets_FullMethodName: auth.InDistrict(auth.WriteData, auth.Parent),
		budgetv1.BudgetService_SummarizeBudgets_FullMethodName:   auth.InDistrict(auth.ReadSummaries, auth.Parent),
		budgetv1.BudgetService_ListAuditEvents_FullMethodName:    auth.InDistrict(auth.ReadAudit, auth.Parent),
		// A district's bulk export and import (pkg/bulk), for the pledge
		// service's: a stream's rule sees no request, so the handler checks
		// the district once it has read it (readers export, those who
		// create districts import).
		budgetv1.BudgetService_ExportDistrictData_FullMethodName: auth.Signed,
		budgetv1.BudgetService_ImportDistrictData_FullMethodName: auth.Signed,
	}
}
