// Package pledgeref lets the services that keep data about pledges
// (budget, indicator, participation) ask the pledge service about one: that
// it exists, its term, the years data about it may fall in, and its
// district. They never read the pledge service's tables. To serve a read
// the pledge service makes of them (its card), they take the pledge it
// passes along instead of asking back (Along, Shown).
package pledgeref

import (
	"context"
	"strconv"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Timeout bounds one question to the pledge service.
const Timeout = 5 * time.Second

// Pledge is what the pledge service says of a pledge and its district.
type Pledge struct {
	Pledge   *pledgev1.Pledge
	District *pledgev1.District
}

// Name is the pledge's resource name.
func (p Pledge) Name() string { return p.Pledge.GetName() }

// Term is the pledge's term number.
func (p Pledge) Term() int { return int(p.Pledge.GetTerm()) }

// YearValid reports whether year may carry data of the pledge (DESIGN.md:
// the years its term overlaps, or its overview period when it completes
// after the term). The pledge service decides the range.
func (p Pledge) YearValid(year int) bool {
	r := p.Pledge.GetValidYears()
	return year >= int(r.GetFirstYear()) && (r.GetLastYear() == 0 || year <= int(r.GetLastYear()))
}

// Years describes the valid years for messages: "2018–2022".
func (p Pledge) Years() string {
	r := p.Pledge.GetValidYears()
	if r.GetLastYear() == 0 {
		return itoa(int(r.GetFirstYear())) + " onwards"
	}
	return itoa(int(r.GetFirstYear())) + "–" + itoa(int(r.GetLastYear()))
}

// Deleted reports whether the pledge was deleted.
func (p Pledge) Deleted() bool { return p.Pledge.GetDeleteTime() != nil }

// Client asks the pledge service.
type Client struct {
	pledges   pledgev1.PledgeServiceClient
	districts pledgev1.DistrictServiceClient
}

// New returns a client over a connection to the pledge service.
func New(conn grpc.ClientConnInterface) *Client {
	return &Client{pledges: pledgev1.NewPledgeServiceClient(conn), districts: pledgev1.NewDistrictServiceClient(conn)}
}

// Lookup returns the pledge called name and its district. A pledge that
// does not exist is NOT_FOUND; a pledge service that does not answer is
// UNAVAILABLE, saying nothing was written.
func (c *Client) Lookup(ctx context.Context, name string) (Pledge, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	var out Pledge
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		p, err := c.pledges.GetPledge(gctx, &pledgev1.GetPledgeRequest{Name: name})
		out.Pledge = p
		return err
	})
	g.Go(func() error {
		d, err := c.districts.GetDistrict(gctx, &pledgev1.GetDistrictRequest{Name: districtOf(name)})
		out.District = d
		return err
	})
	if err := g.Wait(); err != nil {
		return Pledge{}, translate(err, name)
	}
	return out, nil
}

// lookupsAtOnce bounds how many pledges LookupAll asks about at a time.
const lookupsAtOnce = 8

// LookupAll returns the pledges called names, all of the district called
// district, in their order, with the district asked for once: what a
// batch write needs to know of its pledges. It fails on the first pledge
// it cannot return, saying which (failed is its index; -1 when the
// district itself failed), as Lookup would.
func (c *Client) LookupAll(ctx context.Context, district string, names []string) (out []Pledge, failed int, err error) {
	d, err := c.District(ctx, district)
	if err != nil {
		return nil, -1, err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	out = make([]Pledge, len(names))
	errs := make([]error, len(names))
	var g errgroup.Group
	g.SetLimit(lookupsAtOnce)
	for i, name := range names {
		g.Go(func() error {
			p, err := c.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: name})
			if err != nil {
				errs[i] = translate(err, name)
				return nil
			}
			out[i] = Pledge{Pledge: p, District: d}
			return nil
		})
	}
	g.Wait() //nolint:errcheck // errs says which failed
	for i, err := range errs {
		if err != nil {
			return nil, i, err
		}
	}
	return out, 0, nil
}

// District returns the district called name (`districts/{district}`).
func (c *Client) District(ctx context.Context, name string) (*pledgev1.District, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	d, err := c.districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: name})
	if err != nil {
		st, _ := status.FromError(err)
		if st.Code() == codes.NotFound {
			return nil, apierr.NotFound("district", name)
		}
		return nil, apierr.Unavailable("the pledge service could not be asked about %s (%s); nothing was written", name, st.Code())
	}
	return d, nil
}

// translate turns the pledge service's answer into this service's error:
// its NOT_FOUND stays one, and anything that is not an answer about the
// pledge says the pledge service could not be asked.
func translate(err error, name string) error {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.NotFound:
		e := apierr.NotFound("pledge", name)
		e.Message = st.Message()
		return e
	case codes.InvalidArgument, codes.PermissionDenied, codes.Unauthenticated:
		// An answer about the caller, not an outage.
		return st.Err()
	}
	return apierr.Unavailable("the pledge service could not be asked about %s (%s); nothing was written", name, st.Code())
}

func itoa(n int) string { return strconv.Itoa(n) }
