package server

import (
	"context"
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

// assemble reads the pledge, then gathers the other services' sections
// while it reads the district (cached) and the departments' names: one
// wait for the slowest, not one after another.
func (s *PledgeServer) assemble(ctx context.Context, district, id string) (*pledgev1.PledgeCard, error) {
	p, err := s.store.GetPledge(ctx, district, id)
	if err != nil {
		return nil, err
	}
	if !s.backends.complete() {
		return nil, errNoBackends()
	}
	card := &pledgev1.PledgeCard{Pledge: pledgeToProto(p), District: &pledgev1.District{Name: pledge.DistrictName(district)},
		DepartmentNames: map[string]string{}}
	// The sections need only the pledge's and the district's names; the
	// goroutine writes the card's section fields, this one the rest.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sections := make(chan struct{})
	go func() {
		defer close(sections)
		s.backends.gather(ctx, card, nil)
	}()
	shown, names, err := s.cardHeader(ctx, district, p.Pledge)
	if err != nil {
		cancel()
		<-sections
		return nil, err
	}
	<-sections
	card.District, card.DepartmentNames = shown, names
	return card, nil
}

// cardHeader reads what a card shows of the pledge's district and the
// names of its departments, in one query at most.
func (s *PledgeServer) cardHeader(ctx context.Context, district string, p pledge.Pledge) (*pledgev1.District, map[string]string, error) {
	d, err := s.store.GetDistrict(ctx, district)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	var ids []string
	for _, dep := range append([]string{p.OwningDepartment}, p.RelatedDepartments...) {
		if dep != "" {
			ids = append(ids, dep)
		}
	}
	if len(ids) > 0 {
		found, err := s.store.DepartmentNames(ctx, district, ids)
		if err != nil {
			return nil, nil, err
		}
		for id, name := range found {
			names[pledge.DepartmentName(district, id)] = name
		}
	}
	return districtToProto(d), names, nil
}

// errNoBackends refuses a card when the services its sections come from
// are not known.
func errNoBackends() error {
	return apierr.Unavailable("this pledge service was started without the addresses of the budget, indicator and participation services")
}

func (b Backends) complete() bool {
	return b.Budgets != nil && b.Indicators != nil && b.Participation != nil
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
	// The card dates its status as the history does, so that a rendered
	// card imported again records the change on the same day.
	date, err := s.store.StatusDate(ctx, district, id)
	if err != nil {
		return nil, err
	}
	render := cardtext.Page{Card: card, StatusDate: date}
	if req.GetFormat() == "text" {
		return &httpbody.HttpBody{ContentType: "text/plain; charset=utf-8", Data: []byte(render.Text())}, nil
	}
	page, err := render.HTML()
	if err != nil {
		return nil, err
	}
	return &httpbody.HttpBody{ContentType: "text/html; charset=utf-8", Data: page}, nil
}
