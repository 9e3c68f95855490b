package scalegen

import (
	"math/big"
	"time"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// Expected is what the services must report of a plan's data for one
// term, counted by the generator from what it made: per district, in the
// plan's order, and in total.
type Expected struct {
	Term                int32
	StartDate, AsOfDate time.Time
	// CurrentYear decides which indicator years have passed.
	CurrentYear int
	Districts   []Figures
	Total       Figures
}

// Figures are one district's figures, or every district's together
// (District empty).
type Figures struct {
	District, DisplayName, MetropolitanGovernment string
	// Pledges are the term's pledges that are not deleted.
	Pledges int
	// Statuses are theirs as they stood on AsOfDate (미지정, status 0,
	// for a pledge without a change by then); Now as they are stored.
	Statuses, Now Statuses
	// CompletionRate is (완료 + 이행 후 계속추진) ÷ Pledges, as of AsOfDate.
	CompletionRate string
	// The same without the pledges completed after the term (임기후).
	PledgesWithinTerm        int
	StatusesWithinTerm       Statuses
	CompletionRateWithinTerm string
	// StatusChanges counts the pledges whose status changed from
	// StartDate to AsOfDate.
	StatusChanges int
	Money         map[typev1.FundingSource]Money
	MoneyTotal    Money
	Indicators    IndicatorFigures
	Participation ParticipationFigures
}

// Statuses count pledges by status.
type Statuses map[pledgev1.PledgeStatus]int

// Money sums plan lines: how many pledges have any, the amounts, and the
// securing (secured ÷ planned) and execution (executed ÷ secured) rates.
type Money struct {
	Pledges                     int
	Planned, Secured, Executed  int64
	SecuringRate, ExecutionRate string
}

// IndicatorFigures count the yearly entries of indicators by state, with
// the mean achievement of the measured ones and how many indicators lack
// an actual for a year that has passed.
type IndicatorFigures struct {
	Measured, NoData, NotYetDue, Overdue int
	MeanAchievement                      string
	sum                                  *big.Rat
}

// ParticipationFigures sum programs and their records.
type ParticipationFigures struct {
	Programs, DeclaredParticipants, DeclaredApplications, DeclaredSelected int
	Members, Submissions, Selected, Ballots, Responses                     int
	SelectionRate, DeclaredSelectionRate                                   string
}

// Expect counts what the services must report of the plan's data for
// term, as of the plan's AsOfDate.
func (p *Plan) Expect(term int32) Expected {
	e := Expected{Term: term, StartDate: p.cfg.StartDate, AsOfDate: p.cfg.AsOfDate, CurrentYear: p.cfg.Today.Year()}
	e.Total = newFigures()
	e.Total.Indicators.sum = new(big.Rat)
	for i := range p.cfg.Districts {
		d := p.District(i)
		f := p.figures(d, term)
		e.Districts = append(e.Districts, f)
		e.Total.add(f)
	}
	e.Total.rates()
	return e
}

func newFigures() Figures {
	return Figures{Statuses: Statuses{}, Now: Statuses{}, StatusesWithinTerm: Statuses{}, Money: map[typev1.FundingSource]Money{},
		Indicators: IndicatorFigures{sum: new(big.Rat)}}
}

// figures counts one district.
func (p *Plan) figures(d District, term int32) Figures {
	f := newFigures()
	f.District, f.DisplayName, f.MetropolitanGovernment = d.Name(), d.District.GetDisplayName(), d.District.GetMetropolitanGovernment()
	for _, pl := range d.Pledges {
		if pl.Deleted || pl.Pledge.GetTerm() != term {
			continue
		}
		f.Pledges++
		asOf, changed := pledgev1.PledgeStatus_PLEDGE_STATUS_UNSPECIFIED, false
		for _, s := range pl.History {
			if !s.Effective.After(p.cfg.AsOfDate) {
				asOf = s.Status
				changed = changed || !s.Effective.Before(p.cfg.StartDate)
			}
		}
		f.Statuses[asOf]++
		f.Now[pl.History[len(pl.History)-1].Status]++
		if pl.Pledge.GetCompletionTiming() != pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM {
			f.PledgesWithinTerm++
			f.StatusesWithinTerm[asOf]++
		}
		if changed {
			f.StatusChanges++
		}
		sources := map[typev1.FundingSource]bool{}
		for _, l := range pl.Budget.GetLines() {
			m := f.Money[l.GetSource()]
			if !sources[l.GetSource()] {
				m.Pledges++
			}
			sources[l.GetSource()] = true
			m.Planned, m.Secured, m.Executed = m.Planned+l.GetPlannedWon(), m.Secured+l.GetSecuredWon(), m.Executed+l.GetExecutedWon()
			f.Money[l.GetSource()] = m
			f.MoneyTotal.Planned, f.MoneyTotal.Secured, f.MoneyTotal.Executed = f.MoneyTotal.Planned+l.GetPlannedWon(),
				f.MoneyTotal.Secured+l.GetSecuredWon(), f.MoneyTotal.Executed+l.GetExecutedWon()
		}
		if len(sources) > 0 {
			f.MoneyTotal.Pledges++
		}
		for _, i := range pl.Indicators {
			f.Indicators.count(i.Value, p.cfg.Today.Year())
		}
	}
	for _, prog := range d.Programs {
		if !servesTerm(d, prog, term) {
			continue
		}
		c, pf := prog.Program.GetDeclared(), &f.Participation
		pf.Programs++
		pf.DeclaredParticipants += int(c.GetParticipants())
		pf.DeclaredApplications += int(c.GetApplications())
		pf.DeclaredSelected += int(c.GetSelected())
		pf.Members += len(prog.Members)
		pf.Submissions += len(prog.Submissions)
		for _, s := range prog.Submissions {
			if s.Value.GetSelected() {
				pf.Selected++
			}
		}
		pf.Ballots += len(prog.Ballots)
	}
	f.rates()
	return f
}

// servesTerm reports whether a program's pledges are of term: a program
// takes its pledges' term.
func servesTerm(d District, prog Program, term int32) bool {
	for _, name := range prog.Program.GetPledges() {
		for _, pl := range d.Pledges {
			if resourcename.Pledge.Format(d.ID, pl.ID) == name {
				return pl.Pledge.GetTerm() == term
			}
		}
	}
	return false
}

// count adds an indicator's entries, as the indicator service's
// entry_state and entry_achievement judge them.
func (f *IndicatorFigures) count(i *indicatorv1.Indicator, currentYear int) {
	overdue := false
	for _, e := range i.GetEntries() {
		year := int(e.GetYear())
		var achievement *big.Rat
		switch i.GetKind() {
		case indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE:
			target, actual := e.GetTarget().GetNumber(), e.GetActual().GetNumber()
			if actual == "" && year < currentYear {
				overdue = true
			}
			if target != "" && actual != "" {
				achievement = ratio(i.GetDirection(), target, actual)
			}
		default:
			if e.GetActual().GetText() == "" && year < currentYear {
				overdue = true
			}
			switch e.GetAssessment() {
			case indicatorv1.Assessment_ASSESSMENT_ACHIEVED:
				achievement = big.NewRat(100, 1)
			case indicatorv1.Assessment_ASSESSMENT_PARTLY_ACHIEVED:
				achievement = big.NewRat(50, 1)
			case indicatorv1.Assessment_ASSESSMENT_NOT_ACHIEVED:
				achievement = new(big.Rat)
			case indicatorv1.Assessment_ASSESSMENT_NOT_YET_DUE:
				f.NotYetDue++
				continue
			}
		}
		switch {
		case achievement != nil:
			f.Measured++
			f.sum.Add(f.sum, achievement)
		case year < currentYear:
			f.NoData++
		default:
			f.NotYetDue++
		}
	}
	if overdue {
		f.Overdue++
	}
}

// ratio is a quantitative year's achievement: min(actual ÷ target, 1) ×
// 100, or for lower-is-better min(target ÷ actual, 1) × 100; 100 when the
// divisor is 0.
func ratio(d indicatorv1.Direction, target, actual string) *big.Rat {
	t, _ := new(big.Rat).SetString(target)
	a, _ := new(big.Rat).SetString(actual)
	num, den := a, t
	if d == indicatorv1.Direction_DIRECTION_LOWER_IS_BETTER {
		num, den = t, a
	}
	hundred := big.NewRat(100, 1)
	if den.Sign() == 0 {
		return hundred
	}
	r := new(big.Rat).Mul(new(big.Rat).Quo(num, den), hundred)
	if r.Cmp(hundred) > 0 {
		return hundred
	}
	return r
}

// add adds a district's counts to the total.
func (f *Figures) add(d Figures) {
	f.Pledges += d.Pledges
	f.PledgesWithinTerm += d.PledgesWithinTerm
	f.StatusChanges += d.StatusChanges
	for s, n := range d.Statuses {
		f.Statuses[s] += n
	}
	for s, n := range d.Now {
		f.Now[s] += n
	}
	for s, n := range d.StatusesWithinTerm {
		f.StatusesWithinTerm[s] += n
	}
	addMoney := func(a, b Money) Money {
		return Money{Pledges: a.Pledges + b.Pledges, Planned: a.Planned + b.Planned, Secured: a.Secured + b.Secured, Executed: a.Executed + b.Executed}
	}
	for s, m := range d.Money {
		f.Money[s] = addMoney(f.Money[s], m)
	}
	f.MoneyTotal = addMoney(f.MoneyTotal, d.MoneyTotal)
	fi, di := &f.Indicators, d.Indicators
	fi.Measured, fi.NoData, fi.NotYetDue, fi.Overdue = fi.Measured+di.Measured, fi.NoData+di.NoData, fi.NotYetDue+di.NotYetDue, fi.Overdue+di.Overdue
	fi.sum.Add(fi.sum, di.sum)
	fp, dp := &f.Participation, d.Participation
	fp.Programs += dp.Programs
	fp.DeclaredParticipants += dp.DeclaredParticipants
	fp.DeclaredApplications += dp.DeclaredApplications
	fp.DeclaredSelected += dp.DeclaredSelected
	fp.Members += dp.Members
	fp.Submissions += dp.Submissions
	fp.Selected += dp.Selected
	fp.Ballots += dp.Ballots
	fp.Responses += dp.Responses
}

// rates computes every rate and mean from the counts.
func (f *Figures) rates() {
	done := func(s Statuses) int64 {
		return int64(s[pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED] + s[pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING])
	}
	f.CompletionRate = Percent(done(f.Statuses), int64(f.Pledges))
	f.CompletionRateWithinTerm = Percent(done(f.StatusesWithinTerm), int64(f.PledgesWithinTerm))
	for s, m := range f.Money {
		m.SecuringRate, m.ExecutionRate = Percent(m.Secured, m.Planned), Percent(m.Executed, m.Secured)
		f.Money[s] = m
	}
	f.MoneyTotal.SecuringRate, f.MoneyTotal.ExecutionRate = Percent(f.MoneyTotal.Secured, f.MoneyTotal.Planned), Percent(f.MoneyTotal.Executed, f.MoneyTotal.Secured)
	f.Indicators.MeanAchievement = ""
	if f.Indicators.Measured > 0 {
		f.Indicators.MeanAchievement = twoDecimals(new(big.Rat).Quo(f.Indicators.sum, big.NewRat(int64(f.Indicators.Measured), 1)))
	}
	p := &f.Participation
	p.SelectionRate = Percent(int64(p.Selected), int64(p.Submissions))
	p.DeclaredSelectionRate = Percent(int64(p.DeclaredSelected), int64(p.DeclaredApplications))
}

// Percent is 100 × part ÷ whole with two decimals, rounded half up, as
// the services write rates; "" when whole is 0.
func Percent(part, whole int64) string {
	if whole == 0 {
		return ""
	}
	return twoDecimals(new(big.Rat).SetFrac(big.NewInt(100*part), big.NewInt(whole)))
}

// twoDecimals writes a non-negative r with two decimals, rounded half up.
func twoDecimals(r *big.Rat) string {
	scaled := new(big.Rat).Mul(r, big.NewRat(100, 1))
	scaled.Add(scaled, big.NewRat(1, 2))
	cents := new(big.Int).Quo(scaled.Num(), scaled.Denom())
	s := cents.String()
	for len(s) < 3 {
		s = "0" + s
	}
	return s[:len(s)-2] + "." + s[len(s)-2:]
}
