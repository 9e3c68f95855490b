package server

import (
	"slices"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/money"
	"github.com/gongyak/gongyak/services/pledge/internal/report"
)

// total adds up the districts' rows. Money and counts add exactly; rates
// are computed again from the sums. The indicators' mean achievement
// cannot be added up: it is the service's own mean over the report's
// districts, or, for one district, that district's.
func (f *figures) total(rows []*pledgev1.DistrictImplementation) *pledgev1.DistrictImplementation {
	t := &pledgev1.DistrictImplementation{Statuses: &pledgev1.StatusCounts{}, StatusesWithinTerm: &pledgev1.StatusCounts{}}
	bySource := map[typev1.FundingSource]*budgetv1.BudgetSummary{}
	if isAvailable(f.budgetSection) {
		t.MoneyTotal = &budgetv1.BudgetSummary{Amounts: &budgetv1.Amounts{}}
	}
	if isAvailable(f.indicatorSection) {
		t.Indicators = &indicatorv1.IndicatorSummary{MeanAchievement: f.meanAchievement}
	}
	if isAvailable(f.participationSection) {
		t.Participation = &participationv1.ParticipationSummary{}
	}
	for _, r := range rows {
		t.PledgeCount += r.GetPledgeCount()
		t.PledgeCountWithinTerm += r.GetPledgeCountWithinTerm()
		t.StatusChanges += r.GetStatusChanges()
		report.AddCounts(t.Statuses, r.GetStatuses())
		report.AddCounts(t.StatusesWithinTerm, r.GetStatusesWithinTerm())
		for _, m := range r.GetMoney() {
			sum := bySource[m.GetSource()]
			if sum == nil {
				sum = &budgetv1.BudgetSummary{Source: m.GetSource(), Amounts: &budgetv1.Amounts{}}
				bySource[m.GetSource()] = sum
				t.Money = append(t.Money, sum)
			}
			addMoney(sum, m)
		}
		if t.MoneyTotal != nil {
			addMoney(t.MoneyTotal, r.GetMoneyTotal())
		}
		if i := t.Indicators; i != nil {
			ri := r.GetIndicators()
			i.MeasuredEntries += ri.GetMeasuredEntries()
			i.NoDataEntries += ri.GetNoDataEntries()
			i.NotYetDueEntries += ri.GetNotYetDueEntries()
			i.OverdueIndicators += ri.GetOverdueIndicators()
			if len(rows) == 1 {
				i.MeanAchievement = ri.GetMeanAchievement()
			}
		}
		if p := t.Participation; p != nil {
			addParticipation(p, r.GetParticipation())
		}
	}
	slices.SortFunc(t.Money, func(a, b *budgetv1.BudgetSummary) int { return int(a.GetSource() - b.GetSource()) })
	for _, m := range append(slices.Clone(t.Money), t.MoneyTotal) {
		if a := m.GetAmounts(); a != nil {
			a.SecuringRate, a.ExecutionRate = money.Rate(a.GetSecuredWon(), a.GetPlannedWon()), money.Rate(a.GetExecutedWon(), a.GetSecuredWon())
		}
	}
	if p := t.Participation; p != nil {
		p.SelectionRate = money.Rate(int64(p.GetSelected()), int64(p.GetSubmissions()))
		p.DeclaredSelectionRate = money.Rate(int64(p.GetDeclaredSelected()), int64(p.GetDeclaredApplications()))
	}
	return t
}

func addMoney(sum, m *budgetv1.BudgetSummary) {
	sum.PledgeCount += m.GetPledgeCount()
	sum.Amounts.PlannedWon += m.GetAmounts().GetPlannedWon()
	sum.Amounts.SecuredWon += m.GetAmounts().GetSecuredWon()
	sum.Amounts.ExecutedWon += m.GetAmounts().GetExecutedWon()
}

func addParticipation(sum, p *participationv1.ParticipationSummary) {
	sum.Programs += p.GetPrograms()
	sum.DeclaredParticipants += p.GetDeclaredParticipants()
	sum.DeclaredApplications += p.GetDeclaredApplications()
	sum.DeclaredSelected += p.GetDeclaredSelected()
	sum.Members += p.GetMembers()
	sum.Submissions += p.GetSubmissions()
	sum.Selected += p.GetSelected()
	sum.Ballots += p.GetBallots()
	sum.Responses += p.GetResponses()
}
