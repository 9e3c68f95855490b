package server

import (
	"context"
	"sync"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/services/pledge/internal/cardtext"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// discloseParallel is how many cards of a disclosure page are gathered at
// once, each from three services: enough to keep them busy, few enough
// not to crowd out other callers.
const discloseParallel = 4

// DisclosePledges writes every card of a district's term that is not
// deleted on one printable HTML page: what the district shows the public.
// Personal data is masked for every caller, even one who may see it, since
// the page is made to be published. Each card's other sections are
// gathered as the card gathers them; a section whose service fails or
// misses its time is marked unavailable on the card, and the page still
// comes.
func (s *ReportServer) DisclosePledges(ctx context.Context, req *pledgev1.DisclosePledgesRequest) (*httpbody.HttpBody, error) {
	var v apierr.Violations
	district, err := pledge.ParseDistrictName("name", req.GetName())
	v.Merge(err)
	if req.GetTerm() < 0 {
		v.Add("term", "must be a term's number (민선 n기), or 0 for the district's current term")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := s.store.GetDistrict(ctx, district)
	if err != nil {
		return nil, err
	}
	number := int(req.GetTerm())
	if number == 0 {
		number = d.CurrentTerm
	}
	if _, ok := d.Term(number); !ok {
		if req.GetTerm() == 0 {
			return nil, apierr.Invalid("term", "is required: district %s has no current term", d.Name())
		}
		return nil, apierr.Invalid("term", "district %s has no term %d", d.Name(), number)
	}
	pledges, err := s.store.TermPledges(ctx, district, number)
	if err != nil {
		return nil, err
	}
	if len(pledges) > 0 && !s.backends.complete() {
		return nil, errNoBackends()
	}
	departments, err := s.store.DepartmentNames(ctx, district, nil)
	if err != nil {
		return nil, err
	}
	shown := districtToProto(d)
	cards := make([]*pledgev1.PledgeCard, len(pledges))
	for i, p := range pledges {
		cards[i] = &pledgev1.PledgeCard{Pledge: pledgeToProto(p), District: shown, DepartmentNames: map[string]string{}}
		for _, dep := range append([]string{p.Pledge.OwningDepartment}, p.Pledge.RelatedDepartments...) {
			if name, ok := departments[dep]; ok {
				cards[i].DepartmentNames[pledge.DepartmentName(district, dep)] = name
			}
		}
	}
	s.gatherAll(ctx, cards)
	for _, c := range cards {
		maskCard(c)
	}
	var term *pledgev1.Term
	for _, t := range shown.GetTerms() {
		if int(t.GetNumber()) == number {
			term = t
		}
	}
	// Each card dates its status as :render does.
	dates, err := s.store.TermStatusDates(ctx, district, number)
	if err != nil {
		return nil, err
	}
	pages := make([]cardtext.Page, len(cards))
	for i, c := range cards {
		pages[i] = cardtext.Page{Card: c, StatusDate: dates[pledges[i].Pledge.ID]}
	}
	page, err := cardtext.RenderDisclosure(cardtext.Disclosure{District: shown, Term: term, Cards: pages})
	if err != nil {
		return nil, err
	}
	return &httpbody.HttpBody{ContentType: "text/html; charset=utf-8", Data: page}, nil
}

// gatherAll gathers the cards' sections, a few cards at a time; a service
// found unavailable for one card is not asked again for the others.
func (s *ReportServer) gatherAll(ctx context.Context, cards []*pledgev1.PledgeCard) {
	var down outages
	next := make(chan *pledgev1.PledgeCard)
	var wg sync.WaitGroup
	for range min(discloseParallel, len(cards)) {
		wg.Go(func() {
			for c := range next {
				s.backends.gather(ctx, c, &down)
			}
		})
	}
	for _, c := range cards {
		next <- c
	}
	close(next)
	wg.Wait()
}

// maskCard masks what a card holds of people, as the public sees it: the
// contacts' names and phones, and the proposers of a contest's awards
// (which the participation service masks already for published results).
func maskCard(c *pledgev1.PledgeCard) {
	for _, ct := range c.GetPledge().GetContacts() {
		ct.Name, ct.Phone = personal.MaskName(ct.GetName()), personal.MaskPhone(ct.GetPhone())
	}
	for _, p := range c.GetPrograms() {
		for _, a := range p.GetContestResults().GetAwards() {
			a.Proposer = personal.MaskName(a.GetProposer())
		}
	}
}

// outages are the services a page of cards found unavailable, with the
// section each left on the card that found it.
type outages struct {
	mu       sync.Mutex
	sections map[string]*pledgev1.Section
}

// of returns the section a service found unavailable leaves, or nil.
func (o *outages) of(service string) *pledgev1.Section {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sections[service]
}

// note remembers a service that could not be reached or did not answer in
// time. A refusal of one card's part is that card's alone.
func (o *outages) note(service string, err error, section *pledgev1.Section) {
	if code := status.Code(err); o == nil || code != codes.Unavailable && code != codes.DeadlineExceeded {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sections == nil {
		o.sections = map[string]*pledgev1.Section{}
	}
	if _, ok := o.sections[service]; !ok {
		o.sections[service] = section
	}
}
