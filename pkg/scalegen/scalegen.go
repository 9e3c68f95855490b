// Package scalegen makes realistic synthetic data for Gongyak at scale,
// from a seed: up to 243 districts (시·군·구) in the 17 metropolitan
// governments (광역시·도), with the terms 민선 7기 and 8기 (current) at
// their real dates, and for each district its departments, its pledges —
// each with a budget plan by source and year, indicators with yearly
// targets and actuals, a progress log and a dated status history — and a
// few participation programs with members, submissions and ballots.
//
// The same seed gives the same data, district by district: district i is
// the same whatever the number of districts, so a small run is the start
// of the full one. The generator computes its own expected totals from
// what it made (Expect), never from what the services report, so a
// report can be checked against them.
//
// Names of places, people and phone numbers are made up; the 17
// metropolitan governments are real.
package scalegen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/genproto/googleapis/type/date"
)

// KST is Korea's time, in which days and years turn.
var KST = time.FixedZone("KST", 9*60*60)

// The terms every district has: 민선 7기 and 8기, the current one.
var (
	Term7 = Term{Number: 7, Start: Day(2018, 7, 1), End: Day(2022, 6, 30)}
	Term8 = Term{Number: 8, Start: Day(2022, 7, 1), End: Day(2026, 6, 30)}
)

// Term is a term of office (민선 n기) and its days.
type Term struct {
	Number     int32
	Start, End time.Time
}

// Day is midnight of a day in Korea.
func Day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, KST) }

// Config says what to make.
type Config struct {
	// Seed chooses the data; the same seed makes the same data.
	Seed uint64
	// Districts is how many districts, at most MaxDistricts.
	Districts int
	// Pledges is how many live pledges of 민선 8기 each district has.
	// Each district also has a few of 민선 7기 (one per 50, at least one)
	// and, now and then, one created by mistake and deleted.
	Pledges int
	// Today is the day the data is made on (in Korea): the status history
	// and the money spent end before it, and indicator years before its
	// year have passed. Zero: now.
	Today time.Time
	// StartDate and AsOfDate are the report period Expect counts for:
	// statuses as they stood on AsOfDate, changes from StartDate. Zero:
	// 2024-01-01 and 2025-06-30, or the day before Today when that is
	// sooner, so that some history falls after the period.
	StartDate, AsOfDate time.Time
}

// Plan is what a Config makes, generated district by district on demand.
type Plan struct {
	cfg    Config
	places []place
}

// place is where a district is and what it is called.
type place struct {
	metro            metro
	kind             pledgev1.DistrictKind
	name, id, suffix string
}

// New returns the plan of cfg, with its defaults filled in.
func New(cfg Config) (*Plan, error) {
	if cfg.Districts < 1 || cfg.Districts > MaxDistricts {
		return nil, fmt.Errorf("scalegen: %d districts; make 1 to %d", cfg.Districts, MaxDistricts)
	}
	if cfg.Pledges < 1 || cfg.Pledges > 450 {
		return nil, fmt.Errorf("scalegen: %d pledges a district; make 1 to 450", cfg.Pledges)
	}
	if cfg.Today.IsZero() {
		cfg.Today = time.Now()
	}
	y, m, d := cfg.Today.In(KST).Date()
	cfg.Today = Day(y, int(m), d)
	if cfg.StartDate.IsZero() {
		cfg.StartDate = Day(2024, 1, 1)
	}
	if cfg.AsOfDate.IsZero() {
		cfg.AsOfDate = Day(2025, 6, 30)
		if yesterday := cfg.Today.AddDate(0, 0, -1); yesterday.Before(cfg.AsOfDate) {
			cfg.AsOfDate = yesterday
		}
	}
	if cfg.StartDate.After(cfg.AsOfDate) {
		cfg.StartDate = Term8.Start
	}
	return &Plan{cfg: cfg, places: places(cfg.Seed)}, nil
}

// Config is the plan's configuration, defaults filled in.
func (p *Plan) Config() Config { return p.cfg }

// places lays the 243 districts out: the metropolitan governments
// interleaved in proportion to their sizes (so the first few districts
// lie in different ones), each district with a kind and a made-up name.
func places(seed uint64) []place {
	type slot struct {
		metro int
		key   float64
		n     int
	}
	var slots []slot
	for m, mg := range metros {
		for n := range mg.districts {
			slots = append(slots, slot{metro: m, key: (float64(n) + 0.5) / float64(mg.districts), n: n})
		}
	}
	slices.SortStableFunc(slots, func(a, b slot) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return a.metro - b.metro
	})
	names := rand.New(rand.NewPCG(seed, 0xd15)).Perm(len(stems) * len(quarters))
	out := make([]place, len(slots))
	for i, s := range slots {
		mg := metros[s.metro]
		kind := pledgev1.DistrictKind_DISTRICT_KIND_CITY
		switch {
		case mg.city && s.n%6 == 5:
			kind = pledgev1.DistrictKind_DISTRICT_KIND_COUNTY
		case mg.city:
			kind = pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT
		case mg.districts > 1 && s.n%2 == 1:
			kind = pledgev1.DistrictKind_DISTRICT_KIND_COUNTY
		}
		stem, quarter := stems[names[i]%len(stems)], quarters[names[i]/len(stems)]
		out[i] = place{metro: mg, kind: kind, name: quarter[0] + stem[0] + kindSuffix[kind],
			id: fmt.Sprintf("%s%s-%03d", quarter[1], stem[1], i+1), suffix: kindSuffix[kind]}
	}
	return out
}

// District is one district and everything under it, as the API writes it.
type District struct {
	ID          string
	District    *pledgev1.District
	Departments []Record[*pledgev1.Department]
	Pledges     []Pledge
	Programs    []Program
}

// Name is the district's resource name.
func (d District) Name() string { return resourcename.District.Format(d.ID) }

// Record is a resource to create with the id it is given.
type Record[T any] struct {
	ID    string
	Value T
}

// Pledge is a pledge and what hangs under it.
type Pledge struct {
	ID string
	// Pledge is the pledge as it is created (its status comes from its
	// history).
	Pledge *pledgev1.Pledge
	// History is its status changes, in order of their effective dates.
	History []StatusStep
	// Deleted: created by mistake and deleted, with nothing under it.
	Deleted bool
	// Budget is its investment plan; nil when it has none.
	Budget     *budgetv1.Budget
	Indicators []Record[*indicatorv1.Indicator]
}

// StatusStep is one change of a pledge's status.
type StatusStep struct {
	Status    pledgev1.PledgeStatus
	Effective time.Time
	Reason    string
}

// Program is a participation program and its records.
type Program struct {
	ID          string
	Program     *participationv1.Program
	Members     []Record[*participationv1.Member]
	Submissions []Record[*participationv1.Submission]
	Entries     []Record[*participationv1.Entry]
	Ballots     []Record[*participationv1.Ballot]
}

// gen makes one district from its own random stream.
type gen struct {
	cfg   Config
	r     *rand.Rand
	place place
	n     int // the district's number, from 0
}

func (g *gen) chance(p float64) bool  { return g.r.Float64() < p }
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }
func pick[T any](g *gen, list []T) T  { return list[g.r.IntN(len(list))] }
func (g *gen) person() string {
	return pick(g, familyNames) + pick(g, givenParts) + pick(g, givenParts)
}
func (g *gen) phone(prefix string) string {
	return fmt.Sprintf("%s-%03d-%04d", prefix, g.between(200, 999), g.r.IntN(10000))
}

// District makes the i-th district (from 0) and everything under it.
func (p *Plan) District(i int) District {
	pl := p.places[i]
	g := &gen{cfg: p.cfg, r: rand.New(rand.NewPCG(p.cfg.Seed, uint64(i)+1)), place: pl, n: i}
	d := District{ID: pl.id, District: &pledgev1.District{
		DisplayName: pl.name, Kind: pl.kind, MetropolitanGovernment: pl.metro.name, CurrentTerm: 8,
		Terms: []*pledgev1.Term{
			{Number: 7, DisplayName: "민선 7기", StartDate: protoDate(Term7.Start), EndDate: protoDate(Term7.End), HeadOfGovernment: g.person()},
			{Number: 8, DisplayName: "민선 8기", StartDate: protoDate(Term8.Start), EndDate: protoDate(Term8.End), HeadOfGovernment: g.person()},
		},
	}}
	for _, n := range g.r.Perm(len(departments))[:g.between(8, 12)] {
		dep := departments[n]
		d.Departments = append(d.Departments, Record[*pledgev1.Department]{ID: dep[1], Value: &pledgev1.Department{
			DisplayName: dep[0], Teams: []string{pick(g, teams)}, Phone: g.phone(pl.metro.area),
		}})
	}
	d.Pledges = g.pledges(d)
	d.Programs = g.programs(d)
	return d
}

// Districts is how many districts the plan makes.
func (p *Plan) Districts() int { return p.cfg.Districts }

func protoDate(t time.Time) *date.Date {
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}
}
