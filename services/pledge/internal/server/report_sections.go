package server

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"github.com/gongyak/gongyak/services/pledge/internal/report"
)

// figures are what the budget, indicator and participation services said
// about a report's districts, by district name, with whether each section
// could be gathered. An unavailable section has no figures.
type figures struct {
	money      map[string][]*budgetv1.BudgetSummary
	moneyTotal map[string]*budgetv1.BudgetSummary
	indicators map[string]*indicatorv1.IndicatorSummary
	// meanAchievement is the indicator service's mean over every district
	// of the report, when one call covered exactly them; meanLeftOut says
	// the total's mean is left empty because none did.
	meanAchievement string
	meanLeftOut     bool
	participation   map[string]*participationv1.ParticipationSummary

	budgetSection, indicatorSection, participationSection *pledgev1.Section
}

// summaryPageSize is the most rows a summary gives a page.
const summaryPageSize = 500

// reportMargin is what a report keeps of its call's time to write itself
// once its sections are in.
const reportMargin = 500 * time.Millisecond

// gather asks the three services for their summaries of the districts in
// scope, each in its own goroutine under the section timeout, and returns
// a function that waits for them. district is "" for every district. A
// service is asked once per term reported (the districts' current terms
// may differ), with every page read; rows of districts outside the scope,
// or of another term than theirs, are left out.
func (s *ReportServer) gather(ctx context.Context, district string, scope []postgres.ReportDistrict) func() *figures {
	f := &figures{
		money: map[string][]*budgetv1.BudgetSummary{}, moneyTotal: map[string]*budgetv1.BudgetSummary{},
		indicators: map[string]*indicatorv1.IndicatorSummary{}, participation: map[string]*participationv1.ParticipationSummary{},
	}
	parent := pledge.DistrictName(district)
	if district == "" {
		parent = pledge.DistrictName(auth.AllDistricts)
	}
	termOf := map[string]int{}
	var terms []int
	for _, d := range scope {
		if !slices.Contains(terms, d.Term) {
			terms = append(terms, d.Term)
		}
		termOf[pledge.DistrictName(d.ID)] = d.Term
	}
	// in says whether a summary row of term is one of the report's.
	in := func(district string, term int) bool { t, ok := termOf[district]; return ok && t == term }
	if s.backends.Budgets == nil || s.backends.Indicators == nil || s.backends.Participation == nil {
		missing := &pledgev1.Section{State: pledgev1.SectionState_SECTION_STATE_UNAVAILABLE,
			Reason: "this pledge service was started without the addresses of the budget, indicator and participation services"}
		f.budgetSection, f.indicatorSection, f.participationSection = missing, missing, missing
		return func() *figures { return f }
	}
	timeout := s.backends.SectionTimeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	// A report is worth waiting for more than a card: an official asks
	// for it now and then, and a section missing makes the export fail.
	// Its sections may take until shortly before the call's own deadline
	// (its method's, pkg/deadline.Report), when that leaves them longer
	// than a card's; each summary call keeps its own (a read's).
	if d, ok := ctx.Deadline(); ok {
		timeout = max(timeout, time.Until(d)-reportMargin)
	}
	var wg sync.WaitGroup
	section := func(service string, into **pledgev1.Section, ask func(context.Context) error) {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			if err := ask(cctx); err != nil {
				*into = unavailable(service, err)
				return
			}
			*into = available
		})
	}
	section("budget", &f.budgetSection, func(ctx context.Context) error {
		money, totals := map[string][]*budgetv1.BudgetSummary{}, map[string]*budgetv1.BudgetSummary{}
		for _, term := range terms {
			// Both groupings at once: each is a pass over every plan line.
			filter := "term = " + strconv.Itoa(term)
			var bySource, byDistrict []*budgetv1.BudgetSummary
			var sourceErr, districtErr error
			var both sync.WaitGroup
			both.Go(func() {
				bySource, _, sourceErr = budgetRows(ctx, s.backends.Budgets, parent, filter, "district", "source")
			})
			byDistrict, _, districtErr = budgetRows(ctx, s.backends.Budgets, parent, filter, "district")
			both.Wait()
			if err := cmp.Or(sourceErr, districtErr); err != nil {
				return err
			}
			for _, r := range bySource {
				if in(r.GetDistrict(), term) {
					money[r.GetDistrict()] = append(money[r.GetDistrict()], r)
				}
			}
			for _, r := range byDistrict {
				if in(r.GetDistrict(), term) {
					totals[r.GetDistrict()] = r
				}
			}
		}
		f.money, f.moneyTotal = money, totals
		return nil
	})
	section("indicator", &f.indicatorSection, func(ctx context.Context) error {
		rows, dropped := map[string]*indicatorv1.IndicatorSummary{}, false
		var mean string
		for _, term := range terms {
			list, total, err := indicatorRows(ctx, s.backends.Indicators, parent, "term = "+strconv.Itoa(term))
			if err != nil {
				return err
			}
			for _, r := range list {
				if in(r.GetDistrict(), term) {
					rows[r.GetDistrict()] = r
				} else {
					dropped = true
				}
			}
			mean = total.GetMeanAchievement()
		}
		f.indicators = rows
		if len(terms) == 1 && !dropped {
			f.meanAchievement = mean
		} else {
			f.meanLeftOut = len(scope) > 1
		}
		return nil
	})
	section("participation", &f.participationSection, func(ctx context.Context) error {
		rows := map[string]*participationv1.ParticipationSummary{}
		for _, term := range terms {
			list, err := participationRows(ctx, s.backends.Participation, parent, "term = "+strconv.Itoa(term))
			if err != nil {
				return err
			}
			for _, r := range list {
				if in(r.GetDistrict(), term) {
					rows[r.GetDistrict()] = r
				}
			}
		}
		f.participation = rows
		return nil
	})
	return func() *figures {
		wg.Wait()
		return f
	}
}

// fill sets a district's row's money, indicators and participation, each
// when its section is available: zeros for a district the service has
// nothing of.
func (f *figures) fill(row *pledgev1.DistrictImplementation) {
	name := row.GetDistrict()
	if isAvailable(f.budgetSection) {
		row.Money = f.money[name]
		row.MoneyTotal = f.moneyTotal[name]
		if row.MoneyTotal == nil {
			row.MoneyTotal = &budgetv1.BudgetSummary{District: name, Amounts: &budgetv1.Amounts{}}
		}
	}
	if isAvailable(f.indicatorSection) {
		row.Indicators = f.indicators[name]
		if row.Indicators == nil {
			row.Indicators = &indicatorv1.IndicatorSummary{District: name}
		}
	}
	if isAvailable(f.participationSection) {
		row.Participation = f.participation[name]
		if row.Participation == nil {
			row.Participation = &participationv1.ParticipationSummary{District: name}
		}
	}
}

func isAvailable(s *pledgev1.Section) bool {
	return s.GetState() == pledgev1.SectionState_SECTION_STATE_AVAILABLE
}

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
			a.SecuringRate, a.ExecutionRate = report.Rate(a.GetSecuredWon(), a.GetPlannedWon()), report.Rate(a.GetExecutedWon(), a.GetSecuredWon())
		}
	}
	if p := t.Participation; p != nil {
		p.SelectionRate = report.Rate(int64(p.GetSelected()), int64(p.GetSubmissions()))
		p.DeclaredSelectionRate = report.Rate(int64(p.GetDeclaredSelected()), int64(p.GetDeclaredApplications()))
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

// budgetRows reads every page of a budget summary.
func budgetRows(ctx context.Context, c budgetv1.BudgetServiceClient, parent, filter string, groupBy ...string) ([]*budgetv1.BudgetSummary, *budgetv1.BudgetSummary, error) {
	var rows []*budgetv1.BudgetSummary
	req := &budgetv1.SummarizeBudgetsRequest{Parent: parent, GroupBy: groupBy, Filter: filter, PageSize: summaryPageSize}
	for {
		resp, err := c.SummarizeBudgets(ctx, req)
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, resp.GetRows()...)
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			return rows, resp.GetTotal(), nil
		}
	}
}

// indicatorRows reads every page of an indicator summary by district.
func indicatorRows(ctx context.Context, c indicatorv1.IndicatorServiceClient, parent, filter string) ([]*indicatorv1.IndicatorSummary, *indicatorv1.IndicatorSummary, error) {
	var rows []*indicatorv1.IndicatorSummary
	req := &indicatorv1.SummarizeIndicatorsRequest{Parent: parent, GroupBy: []string{"district"}, Filter: filter, PageSize: summaryPageSize}
	for {
		resp, err := c.SummarizeIndicators(ctx, req)
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, resp.GetRows()...)
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			return rows, resp.GetTotal(), nil
		}
	}
}

// participationRows reads every page of a participation summary by
// district.
func participationRows(ctx context.Context, c participationv1.ParticipationServiceClient, parent, filter string) ([]*participationv1.ParticipationSummary, error) {
	var rows []*participationv1.ParticipationSummary
	req := &participationv1.SummarizeProgramsRequest{Parent: parent, GroupBy: []string{"district"}, Filter: filter, PageSize: summaryPageSize}
	for {
		resp, err := c.SummarizePrograms(ctx, req)
		if err != nil {
			return nil, err
		}
		rows = append(rows, resp.GetRows()...)
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			return rows, nil
		}
	}
}
