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
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
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

// summaryScope is what the other services are asked about: the parent of
// their summaries, the terms reported and which district is reported in
// which.
type summaryScope struct {
	parent string
	terms  []int
	termOf map[string]int
}

func newSummaryScope(district string, scope []postgres.ReportDistrict) summaryScope {
	sc := summaryScope{parent: pledge.DistrictName(cmp.Or(district, auth.AllDistricts)), termOf: map[string]int{}}
	for _, d := range scope {
		if !slices.Contains(sc.terms, d.Term) {
			sc.terms = append(sc.terms, d.Term)
		}
		sc.termOf[pledge.DistrictName(d.ID)] = d.Term
	}
	return sc
}

// in says whether a summary row of district in term is one of the
// report's.
func (sc summaryScope) in(district string, term int) bool {
	t, ok := sc.termOf[district]
	return ok && t == term
}

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
	sc := newSummaryScope(district, scope)
	var wg sync.WaitGroup
	section := func(service string, into **pledgev1.Section, ask func(context.Context, summaryScope) error) {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			if err := ask(cctx, sc); err != nil {
				*into = unavailable(service, err)
				return
			}
			*into = available
		})
	}
	section("budget", &f.budgetSection, func(ctx context.Context, sc summaryScope) error { return f.askBudget(ctx, s.backends.Budgets, sc) })
	section("indicator", &f.indicatorSection, func(ctx context.Context, sc summaryScope) error {
		return f.askIndicators(ctx, s.backends.Indicators, sc, len(scope))
	})
	section("participation", &f.participationSection, func(ctx context.Context, sc summaryScope) error {
		return f.askParticipation(ctx, s.backends.Participation, sc)
	})
	return func() *figures {
		wg.Wait()
		return f
	}
}

// askBudget reads money by district and source, and by district.
func (f *figures) askBudget(ctx context.Context, c budgetv1.BudgetServiceClient, sc summaryScope) error {
	money, totals := map[string][]*budgetv1.BudgetSummary{}, map[string]*budgetv1.BudgetSummary{}
	for _, term := range sc.terms {
		// Both groupings at once: each is a pass over every plan line.
		filter := "term = " + strconv.Itoa(term)
		var bySource, byDistrict []*budgetv1.BudgetSummary
		var sourceErr, districtErr error
		var both sync.WaitGroup
		both.Go(func() { bySource, _, sourceErr = budgetRows(ctx, c, sc.parent, filter, "district", "source") })
		byDistrict, _, districtErr = budgetRows(ctx, c, sc.parent, filter, "district")
		both.Wait()
		if err := cmp.Or(sourceErr, districtErr); err != nil {
			return err
		}
		for _, r := range bySource {
			if sc.in(r.GetDistrict(), term) {
				money[r.GetDistrict()] = append(money[r.GetDistrict()], r)
			}
		}
		for _, r := range byDistrict {
			if sc.in(r.GetDistrict(), term) {
				totals[r.GetDistrict()] = r
			}
		}
	}
	f.money, f.moneyTotal = money, totals
	return nil
}

// askIndicators reads the indicators' entries by district, and their mean
// achievement over every district when one call covers the report's
// districts (of n) exactly.
func (f *figures) askIndicators(ctx context.Context, c indicatorv1.IndicatorServiceClient, sc summaryScope, n int) error {
	rows, dropped := map[string]*indicatorv1.IndicatorSummary{}, false
	var mean string
	for _, term := range sc.terms {
		list, total, err := indicatorRows(ctx, c, sc.parent, "term = "+strconv.Itoa(term))
		if err != nil {
			return err
		}
		for _, r := range list {
			if sc.in(r.GetDistrict(), term) {
				rows[r.GetDistrict()] = r
			} else {
				dropped = true
			}
		}
		mean = total.GetMeanAchievement()
	}
	f.indicators = rows
	if len(sc.terms) == 1 && !dropped {
		f.meanAchievement = mean
	} else {
		f.meanLeftOut = n > 1
	}
	return nil
}

// askParticipation reads participation by district.
func (f *figures) askParticipation(ctx context.Context, c participationv1.ParticipationServiceClient, sc summaryScope) error {
	rows := map[string]*participationv1.ParticipationSummary{}
	for _, term := range sc.terms {
		list, err := participationRows(ctx, c, sc.parent, "term = "+strconv.Itoa(term))
		if err != nil {
			return err
		}
		for _, r := range list {
			if sc.in(r.GetDistrict(), term) {
				rows[r.GetDistrict()] = r
			}
		}
	}
	f.participation = rows
	return nil
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
