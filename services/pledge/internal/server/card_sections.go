package server

import (
	"context"
	"sync"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// gather fills the card's budget, indicator and participation sections
// from their services at once, each within the section timeout; a section
// whose service fails or misses it is marked unavailable, and the card
// still comes. Within a section too, calls that do not need one another's
// answers go at once: the indicators beside the achievement, each
// contest's results beside the others'. With down, a service one card of
// a page found unavailable is not asked again for the page's other cards:
// their section is marked unavailable alike, and the page does not wait on
// it card after card. The pledge goes along with every call
// (pledgeref.Along), so that no service calls back for it to serve the
// card.
func (b Backends) gather(ctx context.Context, card *pledgev1.PledgeCard, down *outages) {
	ctx = pledgeref.Along(ctx, card.GetPledge())
	name := card.GetPledge().GetName()
	// The pledge's own name: assemble read it from its request.
	ids, _ := resourcename.Pledge.Match(name)
	district := card.GetDistrict().GetName()
	timeout := b.SectionTimeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	var wg sync.WaitGroup
	gather := func(service string, section **pledgev1.Section, fn func(context.Context) error) {
		if s := down.of(service); s != nil {
			*section = s
			return
		}
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			if err := fn(cctx); err != nil {
				*section = unavailable(service, err)
				down.note(service, err, *section)
				return
			}
			*section = available
		})
	}
	gather("budget", &card.BudgetSection, func(ctx context.Context) error {
		budget, err := b.Budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: resourcename.Budget.Format(ids...)})
		if status.Code(err) == codes.NotFound {
			return nil
		}
		card.Budget = budget
		return err
	})
	gather("indicator", &card.IndicatorSection, func(ctx context.Context) error {
		var achievement *indicatorv1.PledgeAchievement
		var achievementErr error
		var beside sync.WaitGroup
		beside.Go(func() {
			achievement, achievementErr = b.Indicators.GetPledgeAchievement(ctx, &indicatorv1.GetPledgeAchievementRequest{Name: resourcename.Achievement.Format(ids...)})
		})
		list, err := b.indicatorsOf(ctx, name)
		beside.Wait()
		if err != nil {
			return err
		}
		if achievementErr != nil {
			return achievementErr
		}
		card.Indicators, card.Achievement = list, achievement
		return nil
	})
	gather("participation", &card.ParticipationSection, func(ctx context.Context) error {
		programs, err := b.programsOf(ctx, district, name)
		if err != nil {
			return err
		}
		card.Programs = programs
		return nil
	})
	wg.Wait()
}

// indicatorsOf lists a pledge's indicators, every page.
func (b Backends) indicatorsOf(ctx context.Context, pledgeName string) ([]*indicatorv1.Indicator, error) {
	var list []*indicatorv1.Indicator
	token := ""
	for {
		resp, err := b.Indicators.ListIndicators(ctx, &indicatorv1.ListIndicatorsRequest{Parent: pledgeName, PageSize: 500, PageToken: token})
		if err != nil {
			return nil, err
		}
		list = append(list, resp.GetIndicators()...)
		if token = resp.GetNextPageToken(); token == "" {
			return list, nil
		}
	}
}

// contestsAtOnce bounds the contest results one card asks for at once.
const contestsAtOnce = 8

// programsOf lists the programs serving a pledge, with contests' results,
// asked for at once (up to contestsAtOnce) as each page of programs comes.
func (b Backends) programsOf(ctx context.Context, district, pledgeName string) ([]*pledgev1.CardProgram, error) {
	var out []*pledgev1.CardProgram
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	slots := make(chan struct{}, contestsAtOnce)
	token := ""
	for {
		resp, err := b.Participation.ListPrograms(ctx, &participationv1.ListProgramsRequest{
			Parent: district, PageSize: 500, PageToken: token, Filter: `pledges:"` + pledgeName + `"`,
		})
		if err != nil {
			wg.Wait()
			return nil, err
		}
		for _, p := range resp.GetPrograms() {
			cp := &pledgev1.CardProgram{Program: p}
			out = append(out, cp)
			if p.GetRecorded().GetSelected() == 0 {
				continue
			}
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots }()
				res, err := b.Participation.GetContestResults(ctx, &participationv1.GetContestResultsRequest{Name: resourcename.ContestResults.Format(resourcename.DistrictOf(p.GetName()), resourcename.ID(p.GetName()))})
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				cp.ContestResults = res
			})
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}
