package scalegen

import (
	"fmt"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
)

// The checks below compare what the services report with the expected
// figures and say every difference, one line each; none when they agree.

// diffs collects differences.
type diffs []string

func (d *diffs) eq(what string, got, want any) {
	if fmt.Sprint(got) != fmt.Sprint(want) {
		*d = append(*d, fmt.Sprintf("%s: reported %v, expected %v", what, got, want))
	}
}

// byDistrict finds each district's expected figures by name.
func (e Expected) byDistrict() map[string]Figures {
	out := map[string]Figures{}
	for _, f := range e.Districts {
		out[f.District] = f
	}
	return out
}

// rows checks that reported holds a row for each district and no other,
// and compares each with check.
func rows[T any](d *diffs, e Expected, what string, reported []T, district func(T) string, check func(where string, got T, want Figures)) {
	want := e.byDistrict()
	seen := map[string]bool{}
	for _, r := range reported {
		name := district(r)
		f, ok := want[name]
		if !ok || seen[name] {
			*d = append(*d, fmt.Sprintf("%s: a row for %q, which is not a district of the data or came twice", what, name))
			continue
		}
		seen[name] = true
		check(what+" of "+name, r, f)
	}
	for name := range want {
		if !seen[name] {
			*d = append(*d, fmt.Sprintf("%s: no row for %s", what, name))
		}
	}
}

// CheckBudgets compares SummarizeBudgets of every district, grouped by
// district and source and filtered to the term, with the expected money.
func (e Expected) CheckBudgets(resp *budgetv1.SummarizeBudgetsResponse) []string {
	var d diffs
	byDistrict := map[string][]*budgetv1.BudgetSummary{}
	for _, r := range resp.GetRows() {
		byDistrict[r.GetDistrict()] = append(byDistrict[r.GetDistrict()], r)
	}
	var names []string
	for name := range byDistrict {
		names = append(names, name)
	}
	rows(&d, e, "budget summary", names, func(n string) string { return n }, func(where, name string, f Figures) {
		checkMoney(&d, where, byDistrict[name], f.Money)
	})
	moneyEq(&d, "budget summary total", resp.GetTotal(), e.Total.MoneyTotal)
	return d
}

// checkMoney compares money by source.
func checkMoney(d *diffs, where string, got []*budgetv1.BudgetSummary, want map[typev1.FundingSource]Money) {
	seen := map[typev1.FundingSource]bool{}
	for _, s := range got {
		seen[s.GetSource()] = true
		moneyEq(d, fmt.Sprintf("%s, %v", where, s.GetSource()), s, want[s.GetSource()])
	}
	for s := range want {
		if !seen[s] {
			*d = append(*d, fmt.Sprintf("%s: no row for %v", where, s))
		}
	}
}

func moneyEq(d *diffs, where string, got *budgetv1.BudgetSummary, want Money) {
	a := got.GetAmounts()
	d.eq(where+": pledges", got.GetPledgeCount(), want.Pledges)
	d.eq(where+": planned", a.GetPlannedWon(), want.Planned)
	d.eq(where+": secured", a.GetSecuredWon(), want.Secured)
	d.eq(where+": executed", a.GetExecutedWon(), want.Executed)
	d.eq(where+": securing rate", a.GetSecuringRate(), want.SecuringRate)
	d.eq(where+": execution rate", a.GetExecutionRate(), want.ExecutionRate)
}

// CheckIndicators compares SummarizeIndicators of every district, grouped
// by district and filtered to the term.
func (e Expected) CheckIndicators(resp *indicatorv1.SummarizeIndicatorsResponse) []string {
	var d diffs
	rows(&d, e, "indicator summary", resp.GetRows(), (*indicatorv1.IndicatorSummary).GetDistrict, func(where string, got *indicatorv1.IndicatorSummary, f Figures) {
		indicatorsEq(&d, where, got, f.Indicators)
	})
	indicatorsEq(&d, "indicator summary total", resp.GetTotal(), e.Total.Indicators)
	return d
}

func indicatorsEq(d *diffs, where string, got *indicatorv1.IndicatorSummary, want IndicatorFigures) {
	d.eq(where+": measured entries", got.GetMeasuredEntries(), want.Measured)
	d.eq(where+": entries without data", got.GetNoDataEntries(), want.NoData)
	d.eq(where+": entries not yet due", got.GetNotYetDueEntries(), want.NotYetDue)
	d.eq(where+": mean achievement", got.GetMeanAchievement(), want.MeanAchievement)
	d.eq(where+": overdue indicators", got.GetOverdueIndicators(), want.Overdue)
}

// CheckParticipation compares SummarizePrograms of every district,
// grouped by district and filtered to the term.
func (e Expected) CheckParticipation(resp *participationv1.SummarizeProgramsResponse) []string {
	var d diffs
	rows(&d, e, "program summary", resp.GetRows(), (*participationv1.ParticipationSummary).GetDistrict, func(where string, got *participationv1.ParticipationSummary, f Figures) {
		participationEq(&d, where, got, f.Participation)
	})
	participationEq(&d, "program summary total", resp.GetTotal(), e.Total.Participation)
	return d
}

func participationEq(d *diffs, where string, got *participationv1.ParticipationSummary, want ParticipationFigures) {
	d.eq(where+": programs", got.GetPrograms(), want.Programs)
	d.eq(where+": declared participants", got.GetDeclaredParticipants(), want.DeclaredParticipants)
	d.eq(where+": declared applications", got.GetDeclaredApplications(), want.DeclaredApplications)
	d.eq(where+": declared selected", got.GetDeclaredSelected(), want.DeclaredSelected)
	d.eq(where+": members", got.GetMembers(), want.Members)
	d.eq(where+": submissions", got.GetSubmissions(), want.Submissions)
	d.eq(where+": selected", got.GetSelected(), want.Selected)
	d.eq(where+": ballots", got.GetBallots(), want.Ballots)
	d.eq(where+": responses", got.GetResponses(), want.Responses)
	d.eq(where+": selection rate", got.GetSelectionRate(), want.SelectionRate)
	d.eq(where+": declared selection rate", got.GetDeclaredSelectionRate(), want.DeclaredSelectionRate)
}

// CheckPledges compares SummarizePledges of every district, grouped by
// district and filtered to the term, with the pledges' statuses now.
func (e Expected) CheckPledges(resp *pledgev1.SummarizePledgesResponse) []string {
	var d diffs
	rows(&d, e, "pledge summary", resp.GetRows(), (*pledgev1.PledgeSummary).GetDistrict, func(where string, got *pledgev1.PledgeSummary, f Figures) {
		d.eq(where+": pledges", got.GetPledgeCount(), f.Pledges)
		statusesEq(&d, where, got.GetStatuses(), f.Now)
		d.eq(where+": completion rate", got.GetCompletionRate(), completion(f.Now, f.Pledges))
	})
	t := resp.GetTotal()
	d.eq("pledge summary total: pledges", t.GetPledgeCount(), e.Total.Pledges)
	statusesEq(&d, "pledge summary total", t.GetStatuses(), e.Total.Now)
	d.eq("pledge summary total: completion rate", t.GetCompletionRate(), completion(e.Total.Now, e.Total.Pledges))
	return d
}

func completion(s Statuses, pledges int) string {
	return Percent(int64(s[pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED]+s[pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING]), int64(pledges))
}

func statusesEq(d *diffs, where string, got *pledgev1.StatusCounts, want Statuses) {
	d.eq(where+": 완료", got.GetCompleted(), want[pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED])
	d.eq(where+": 이행 후 계속추진", got.GetCompletedContinuing(), want[pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING])
	d.eq(where+": 정상추진", got.GetOnTrack(), want[pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK])
	d.eq(where+": 일부추진", got.GetPartial(), want[pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL])
	d.eq(where+": 보류", got.GetOnHold(), want[pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD])
	d.eq(where+": 폐기", got.GetAbandoned(), want[pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED])
	d.eq(where+": 미지정", got.GetUnspecified(), want[pledgev1.PledgeStatus_PLEDGE_STATUS_UNSPECIFIED])
}

// CheckReport compares the implementation report of every district
// (`districts/-/implementationReport`, for the term, from StartDate as of
// AsOfDate) with the expected figures, district by district and in total.
func (e Expected) CheckReport(r *pledgev1.ImplementationReport) []string {
	var d diffs
	d.eq("report term", r.GetTerm(), e.Term)
	d.eq("report start date", dateString(r.GetStartDate().GetYear(), r.GetStartDate().GetMonth(), r.GetStartDate().GetDay()), e.StartDate.Format("2006-01-02"))
	d.eq("report as-of date", dateString(r.GetAsOfDate().GetYear(), r.GetAsOfDate().GetMonth(), r.GetAsOfDate().GetDay()), e.AsOfDate.Format("2006-01-02"))
	for what, s := range map[string]*pledgev1.Section{"budget": r.GetBudgetSection(), "indicator": r.GetIndicatorSection(), "participation": r.GetParticipationSection()} {
		d.eq("report "+what+" section", s.GetState(), pledgev1.SectionState_SECTION_STATE_AVAILABLE)
	}
	rows(&d, e, "report", r.GetDistricts(), (*pledgev1.DistrictImplementation).GetDistrict, func(where string, got *pledgev1.DistrictImplementation, f Figures) {
		implementationEq(&d, where, got, f)
	})
	implementationEq(&d, "report total", r.GetTotal(), e.Total)
	d.eq("report: pledges whose status changed in the period", len(r.GetStatusChanges()), e.Total.StatusChanges)
	return d
}

func implementationEq(d *diffs, where string, got *pledgev1.DistrictImplementation, want Figures) {
	d.eq(where+": name", got.GetDisplayName(), want.DisplayName)
	d.eq(where+": metropolitan government", got.GetMetropolitanGovernment(), want.MetropolitanGovernment)
	d.eq(where+": pledges", got.GetPledgeCount(), want.Pledges)
	statusesEq(d, where+" as of the day", got.GetStatuses(), want.Statuses)
	d.eq(where+": completion rate", got.GetCompletionRate(), want.CompletionRate)
	d.eq(where+": pledges due within the term", got.GetPledgeCountWithinTerm(), want.PledgesWithinTerm)
	statusesEq(d, where+" within the term", got.GetStatusesWithinTerm(), want.StatusesWithinTerm)
	d.eq(where+": completion rate within the term", got.GetCompletionRateWithinTerm(), want.CompletionRateWithinTerm)
	checkMoney(d, where+" money", got.GetMoney(), want.Money)
	moneyEq(d, where+" money in total", got.GetMoneyTotal(), want.MoneyTotal)
	indicatorsEq(d, where+" indicators", got.GetIndicators(), want.Indicators)
	participationEq(d, where+" participation", got.GetParticipation(), want.Participation)
	d.eq(where+": pledges whose status changed in the period", got.GetStatusChanges(), want.StatusChanges)
}

func dateString(y, m, day int32) string { return fmt.Sprintf("%04d-%02d-%02d", y, m, day) }
