// Package budget holds the budget service's domain: a pledge's investment
// plan (연도별 투자계획) of funding source × year lines with planned,
// secured and executed money, the totals and shares that follow from it,
// and the rules a plan obeys. It knows nothing of gRPC or SQL.
package budget

import (
	"cmp"
	"math/big"
	"slices"
	"time"

	"github.com/gongyak/gongyak/pkg/money"
)

// Source is 재원, numbered as gongyak.type.v1.FundingSource.
type Source int16

// Funding sources.
const (
	SourceUnspecified Source = iota
	SourceNational
	SourceMetropolitan
	SourceLocal
	SourcePrivateOther
)

// Date is a calendar date; the zero Date is none.
type Date struct{ Year, Month, Day int }

// IsZero reports whether d is no date.
func (d Date) IsZero() bool { return d == Date{} }

// Plan is one pledge's investment plan.
type Plan struct {
	DistrictID, PledgeID string
	// Term is the pledge's term, kept for reporting by term.
	Term  int
	Lines []Line
	AsOf  Date

	// Revision counts the plan's writes; 0 for a plan not stored yet.
	Revision               int64
	CreateTime, UpdateTime time.Time
}

// Line is what one source pays in one year.
type Line struct {
	Source      Source
	SourceLabel string
	Year        int
	Planned     int64
	Secured     int64
	Executed    int64
	CarryOver   bool
	Note        string
}

// Amounts are sums of planned, secured and executed money.
type Amounts struct {
	Planned, Secured, Executed int64
}

func (a *Amounts) add(l Line) {
	a.Planned += l.Planned
	a.Secured += l.Secured
	a.Executed += l.Executed
}

// SecuringRate is 확보율, secured / planned, as a percent with two decimals;
// "" when nothing is planned.
func (a Amounts) SecuringRate() string { return money.Rate(a.Secured, a.Planned) }

// ExecutionRate is 집행률, executed / secured; "" when nothing is secured.
func (a Amounts) ExecutionRate() string { return money.Rate(a.Executed, a.Secured) }

// SourceTotal is one source's amounts over all years.
type SourceTotal struct {
	Source Source
	Label  string
	Amounts
}

// YearTotal is one year's amounts over all sources.
type YearTotal struct {
	Year int
	Amounts
}

// Share is one source's share of the planned total, in whole percent.
type Share struct {
	Source  Source
	Label   string
	Percent int
}

// Totals are what the card's 계 column, 합계 row and corner show.
type Totals struct {
	Total   Amounts
	Sources []SourceTotal
	Years   []YearTotal
	Shares  []Share
}

// Totals adds the plan up by source, by year and overall, and derives each
// source's share of the planned total.
func (p Plan) Totals() Totals {
	var t Totals
	bySource := map[Source]*SourceTotal{}
	byYear := map[int]*YearTotal{}
	for _, l := range p.Lines {
		t.Total.add(l)
		st, ok := bySource[l.Source]
		if !ok {
			st = &SourceTotal{Source: l.Source, Label: l.SourceLabel}
			bySource[l.Source] = st
		}
		st.add(l)
		yt, ok := byYear[l.Year]
		if !ok {
			yt = &YearTotal{Year: l.Year}
			byYear[l.Year] = yt
		}
		yt.add(l)
	}
	for _, st := range bySource {
		t.Sources = append(t.Sources, *st)
	}
	slices.SortFunc(t.Sources, func(a, b SourceTotal) int { return cmp.Compare(a.Source, b.Source) })
	for _, yt := range byYear {
		t.Years = append(t.Years, *yt)
	}
	slices.SortFunc(t.Years, func(a, b YearTotal) int { return cmp.Compare(a.Year, b.Year) })
	t.Shares = shares(t.Sources, t.Total.Planned)
	return t
}

// shares splits 100 percent among the sources in proportion to what they
// plan, by largest remainder, so the shares always add up to 100.
func shares(sources []SourceTotal, total int64) []Share {
	if total <= 0 {
		return nil
	}
	type part struct {
		share Share
		rem   *big.Int
	}
	var parts []part
	sum := 0
	for _, s := range sources {
		if s.Planned == 0 {
			continue
		}
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(big.NewInt(s.Planned), big.NewInt(100)), big.NewInt(total), new(big.Int))
		parts = append(parts, part{Share{Source: s.Source, Label: s.Label, Percent: int(q.Int64())}, r})
		sum += int(q.Int64())
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return parts[b].rem.Cmp(parts[a].rem) })
	for i := 0; sum < 100 && i < len(order); i++ {
		parts[order[i]].share.Percent++
		sum++
	}
	out := make([]Share, len(parts))
	for i, p := range parts {
		out[i] = p.share
	}
	return out
}
