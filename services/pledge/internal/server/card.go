package server

import (
	"context"
	"sync"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/services/pledge/internal/cardtext"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Backends are the services whose sections a card gathers.
type Backends struct {
	Budgets       budgetv1.BudgetServiceClient
	Indicators    indicatorv1.IndicatorServiceClient
	Participation participationv1.ParticipationServiceClient
	// SectionTimeout bounds each service's part of a card; a section that
	// misses it is marked unavailable.
	SectionTimeout time.Duration
	// ImportLease is how long a card import is held by the worker running
	// it without its saying so again (importflow.Flow.Lease).
	ImportLease time.Duration
}

var available = &pledgev1.Section{State: pledgev1.SectionState_SECTION_STATE_AVAILABLE}

func unavailable(service string, err error) *pledgev1.Section {
	st := status.Convert(err)
	reason := service + " service: " + st.Code().String()
	if st.Code() == codes.DeadlineExceeded {
		reason = service + " service did not answer in time"
	}
	return &pledgev1.Section{State: pledgev1.SectionState_SECTION_STATE_UNAVAILABLE, Reason: reason}
}

// GetPledgeCard assembles a pledge's card from every service at once.
func (s *PledgeServer) GetPledgeCard(ctx context.Context, req *pledgev1.GetPledgeCardRequest) (*pledgev1.PledgeCard, error) {
	district, id, err := pledge.ParsePledgeName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	return s.assemble(ctx, district, id)
}

func (s *PledgeServer) assemble(ctx context.Context, district, id string) (*pledgev1.PledgeCard, error) {
	p, err := s.store.GetPledge(ctx, district, id)
	if err != nil {
		return nil, err
	}
	d, err := s.store.GetDistrict(ctx, district)
	if err != nil {
		return nil, err
	}
	card := &pledgev1.PledgeCard{Pledge: pledgeToProto(p), District: districtToProto(d), DepartmentNames: map[string]string{}}
	var ids []string
	for _, dep := range append([]string{p.Pledge.OwningDepartment}, p.Pledge.RelatedDepartments...) {
		if dep != "" {
			ids = append(ids, dep)
		}
	}
	if len(ids) > 0 {
		names, err := s.store.DepartmentNames(ctx, district, ids)
		if err != nil {
			return nil, err
		}
		for id, name := range names {
			card.DepartmentNames[pledge.DepartmentName(district, id)] = name
		}
	}
	if !s.backends.complete() {
		return nil, errNoBackends()
	}
	s.backends.gather(ctx, card, nil)
	return card, nil
}

// errNoBackends refuses a card when the services its sections come from
// are not known.
func errNoBackends() error {
	return apierr.Unavailable("this pledge service was started without the addresses of the budget, indicator and participation services")
}

func (b Backends) complete() bool {
	return b.Budgets != nil && b.Indicators != nil && b.Participation != nil
}

// gather fills the card's budget, indicator and participation sections
// from their services at once, each within the section timeout; a section
// whose service fails or misses it is marked unavailable, and the card
// still comes. With down, a service one card of a page found unavailable
// is not asked again for the page's other cards: their section is marked
// unavailable alike, and the page does not wait on it card after card.
func (b Backends) gather(ctx context.Context, card *pledgev1.PledgeCard, down *outages) {
	name := card.GetPledge().GetName()
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
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			if err := fn(cctx); err != nil {
				*section = unavailable(service, err)
				down.note(service, err, *section)
				return
			}
			*section = available
		}()
	}
	gather("budget", &card.BudgetSection, func(ctx context.Context) error {
		budget, err := b.Budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name + "/budget"})
		if status.Code(err) == codes.NotFound {
			return nil
		}
		card.Budget = budget
		return err
	})
	gather("indicator", &card.IndicatorSection, func(ctx context.Context) error {
		var list []*indicatorv1.Indicator
		token := ""
		for {
			resp, err := b.Indicators.ListIndicators(ctx, &indicatorv1.ListIndicatorsRequest{Parent: name, PageSize: 500, PageToken: token})
			if err != nil {
				return err
			}
			list = append(list, resp.GetIndicators()...)
			if token = resp.GetNextPageToken(); token == "" {
				break
			}
		}
		a, err := b.Indicators.GetPledgeAchievement(ctx, &indicatorv1.GetPledgeAchievementRequest{Name: name + "/achievement"})
		if err != nil {
			return err
		}
		card.Indicators, card.Achievement = list, a
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

// programsOf lists the programs serving a pledge, with contests' results.
func (b Backends) programsOf(ctx context.Context, district, pledgeName string) ([]*pledgev1.CardProgram, error) {
	var out []*pledgev1.CardProgram
	token := ""
	for {
		resp, err := b.Participation.ListPrograms(ctx, &participationv1.ListProgramsRequest{
			Parent: district, PageSize: 500, PageToken: token, Filter: `pledges:"` + pledgeName + `"`,
		})
		if err != nil {
			return nil, err
		}
		for _, p := range resp.GetPrograms() {
			cp := &pledgev1.CardProgram{Program: p}
			if p.GetRecorded().GetSelected() > 0 {
				res, err := b.Participation.GetContestResults(ctx, &participationv1.GetContestResultsRequest{Name: p.GetName() + "/contestResults"})
				if err != nil {
					return nil, err
				}
				cp.ContestResults = res
			}
			out = append(out, cp)
		}
		if token = resp.GetNextPageToken(); token == "" {
			return out, nil
		}
	}
}

// RenderPledgeCard writes a pledge's card as HTML or text.
func (s *PledgeServer) RenderPledgeCard(ctx context.Context, req *pledgev1.RenderPledgeCardRequest) (*httpbody.HttpBody, error) {
	district, id, err := pledge.ParsePledgeName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	if f := req.GetFormat(); f != "" && f != "html" && f != "text" {
		return nil, apierr.Invalid("format", "must be html or text")
	}
	card, err := s.assemble(ctx, district, id)
	if err != nil {
		return nil, err
	}
	if req.GetFormat() == "text" {
		return &httpbody.HttpBody{ContentType: "text/plain; charset=utf-8", Data: []byte(cardtext.Render(card))}, nil
	}
	page, err := cardtext.RenderHTML(card)
	if err != nil {
		return nil, err
	}
	return &httpbody.HttpBody{ContentType: "text/html; charset=utf-8", Data: page}, nil
}
