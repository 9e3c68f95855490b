package scalegen

import (
	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// step is the smallest amount a plan writes: 0.1 백만원.
const step = 100_000

// budget makes a pledge's investment plan over years: the district's own
// money always, the metropolitan government's and the nation's often,
// private money now and then. Years that have passed are secured and
// partly executed; the current year is partly secured; later years are
// only planned. Executed never exceeds secured.
func (g *gen) budget(d District, pledge string, years []int) *budgetv1.Budget {
	sources := []typev1.FundingSource{typev1.FundingSource_FUNDING_SOURCE_LOCAL}
	if g.chance(0.5) {
		sources = append(sources, typev1.FundingSource_FUNDING_SOURCE_METROPOLITAN)
	}
	if g.chance(0.35) {
		sources = append(sources, typev1.FundingSource_FUNDING_SOURCE_NATIONAL)
	}
	if g.chance(0.08) {
		sources = append(sources, typev1.FundingSource_FUNDING_SOURCE_PRIVATE_OTHER)
	}
	// A yearly amount of 0.5 to 30, 200 or 1,000 백만원 by the pledge's size.
	top := pick(g, []int{300, 300, 300, 2_000, 2_000, 10_000})
	current := g.cfg.Today.Year()
	// As of the end of the last fiscal year, so the plan is the same all
	// year.
	b := &budgetv1.Budget{Name: resourcename.Budget.Format(d.ID, pledge), AsOfDate: protoDate(Day(current-1, 12, 31))}
	for _, s := range sources {
		for _, y := range years {
			if g.chance(0.15) && len(years) > 1 {
				continue // not every source pays every year
			}
			planned := int64(g.between(5, top)) * step
			var secured, executed int64
			switch {
			case y < current:
				secured = share(planned, g.between(70, 100))
				executed = share(secured, g.between(50, 100))
			case y == current:
				secured = share(planned, g.between(30, 100))
				executed = share(secured, g.between(0, 60))
			}
			b.Lines = append(b.Lines, &budgetv1.BudgetLine{Source: s, Year: int32(y), PlannedWon: planned, SecuredWon: secured, ExecutedWon: executed})
		}
	}
	if len(b.Lines) == 0 {
		b.Lines = append(b.Lines, &budgetv1.BudgetLine{Source: sources[0], Year: int32(years[0]), PlannedWon: 10 * step})
	}
	return b
}

// share is percent of won, down to a step.
func share(won int64, percent int) int64 { return won * int64(percent) / 100 / step * step }
