package server

import (
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/budget/internal/budget"
	"github.com/gongyak/gongyak/services/budget/internal/postgres"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func amountsToProto(a budget.Amounts) *budgetv1.Amounts {
	return &budgetv1.Amounts{
		PlannedWon: a.Planned, SecuredWon: a.Secured, ExecutedWon: a.Executed,
		SecuringRate: a.SecuringRate(), ExecutionRate: a.ExecutionRate(),
	}
}

func timeToProto(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// planToProto writes a plan with everything the server derives from it.
// ref, when the pledge service answered, adds the comparison with the
// card's required budget.
func planToProto(p budget.Plan, ref *pledgeref.Pledge) *budgetv1.Budget {
	name := postgres.Name(p.DistrictID, p.PledgeID)
	t := p.Totals()
	out := &budgetv1.Budget{
		Name:       name,
		Term:       int32(p.Term),
		Total:      amountsToProto(t.Total),
		Etag:       etag.Of(name, p.Revision),
		CreateTime: timeToProto(p.CreateTime),
		UpdateTime: timeToProto(p.UpdateTime),
	}
	if !p.AsOf.IsZero() {
		out.AsOfDate = &date.Date{Year: int32(p.AsOf.Year), Month: int32(p.AsOf.Month), Day: int32(p.AsOf.Day)}
	}
	for _, l := range p.Lines {
		out.Lines = append(out.Lines, &budgetv1.BudgetLine{
			Source: typev1.FundingSource(l.Source), SourceLabel: l.SourceLabel, Year: int32(l.Year),
			PlannedWon: l.Planned, SecuredWon: l.Secured, ExecutedWon: l.Executed, CarryOver: l.CarryOver, Note: l.Note,
		})
	}
	for _, s := range t.Sources {
		out.SourceTotals = append(out.SourceTotals, &budgetv1.SourceTotal{
			Source: typev1.FundingSource(s.Source), SourceLabel: s.Label, Amounts: amountsToProto(s.Amounts),
		})
	}
	for _, y := range t.Years {
		out.YearTotals = append(out.YearTotals, &budgetv1.YearTotal{Year: int32(y.Year), Amounts: amountsToProto(y.Amounts)})
	}
	for _, s := range t.Shares {
		out.Shares = append(out.Shares, &budgetv1.SourceShare{Source: typev1.FundingSource(s.Source), SourceLabel: s.Label, Percent: int32(s.Percent)})
	}
	if ref != nil {
		rb := ref.Pledge.GetRequiredBudget()
		stated := budget.RequiredBudget{Label: rb.GetLabel(), Won: rb.GetAmountWon()}
		for _, s := range rb.GetShares() {
			stated.Shares = append(stated.Shares, budget.Share{Source: budget.Source(s.GetSource()), Label: s.GetLabel(), Percent: int(s.GetPercent())})
		}
		c := budget.Compare(stated, t)
		out.RequiredBudget = &budgetv1.RequiredBudgetComparison{
			Label: c.Label, StatedWon: c.Stated, PlannedWon: c.Planned, DifferenceWon: c.Difference,
			SharesMatch: c.SharesMatch, Consistent: c.Consistent, Explanation: c.Explanation,
		}
	}
	return out
}

// View is a plan as the API shows it, without the comparison with the
// card (another service's data): what the audit log records of a change.
func View(p budget.Plan) proto.Message { return planToProto(p, nil) }

func linesFromProto(in []*budgetv1.BudgetLine) []budget.Line {
	var out []budget.Line
	for _, l := range in {
		out = append(out, budget.Line{
			Source: budget.Source(l.GetSource()), SourceLabel: l.GetSourceLabel(), Year: int(l.GetYear()),
			Planned: l.GetPlannedWon(), Secured: l.GetSecuredWon(), Executed: l.GetExecutedWon(),
			CarryOver: l.GetCarryOver(), Note: l.GetNote(),
		})
	}
	return out
}

func summaryToProto(r postgres.SummaryRow) *budgetv1.BudgetSummary {
	out := &budgetv1.BudgetSummary{
		Term: int32(r.Term), Source: typev1.FundingSource(r.Source), Year: int32(r.Year), PledgeCount: int32(r.PledgeCount),
		Amounts: &budgetv1.Amounts{
			PlannedWon: r.Amounts.Planned, SecuredWon: r.Amounts.Secured, ExecutedWon: r.Amounts.Executed,
			SecuringRate: r.SecuringRate, ExecutionRate: r.ExecutionRate,
		},
	}
	if r.District != "" {
		out.District = resourcename.District.Format(r.District)
	}
	return out
}

// sourceNames are the names a summary filter on source compares against.
var sourceNames = typev1.FundingSource_value
