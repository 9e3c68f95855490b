package budget

import (
	"fmt"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/fieldtext"
)

// Limits of a plan: far above any real card, low enough that no sum of a
// plan's lines can overflow int64.
const (
	// MaxWon is the largest amount one line may hold: 1,000조 won, above any
	// government's whole budget.
	MaxWon   int64 = 1_000_000_000_000_000
	maxLines       = 500
	maxLabel       = 20
	maxNote        = 500
	minYear        = 1990
	maxYear        = 2100
)

// PledgeYears says which years a plan's lines may fall in; the pledge
// service decides.
type PledgeYears interface {
	YearValid(year int) bool
	// Years describes the valid years, such as "2018–2022".
	Years() string
}

// District is what default source labels depend on.
type District struct {
	// Kind is 1 for 자치구, 2 for 시, 3 for 군 (gongyak.pledge.v1.DistrictKind).
	Kind int
	// Metropolitan is the government above, such as 광주광역시 or 전라남도.
	Metropolitan string
}

// DefaultLabel is how a district usually writes a source: 국비; 시비 under a
// metropolitan city, 도비 under a province; 구비, 시비 or 군비 for the
// district's own money; 민자/기타.
func DefaultLabel(s Source, d District) string {
	switch s {
	case SourceNational:
		return "국비"
	case SourceMetropolitan:
		if strings.HasSuffix(d.Metropolitan, "도") {
			return "도비"
		}
		return "시비"
	case SourceLocal:
		switch d.Kind {
		case 2:
			return "시비"
		case 3:
			return "군비"
		}
		return "구비"
	case SourcePrivateOther:
		return "민자/기타"
	}
	return ""
}

// Check reports every rule the plan's lines break, naming each by its path
// under prefix (budget.lines[2].executed_won), and fills empty source
// labels with the district's usual words.
func (p *Plan) Check(prefix string, years PledgeYears, d District) error {
	var v apierr.Violations
	f := func(parts ...any) string { return apierr.Path(append([]any{prefix}, parts...)...) }
	if len(p.Lines) > maxLines {
		v.Add(f("lines"), "has %d lines; at most %d are allowed", len(p.Lines), maxLines)
	}
	if !p.AsOf.IsZero() && !validDate(p.AsOf) {
		v.Add(f("as_of_date"), "must be a whole date, such as 2021-12-31")
	}
	seen := map[[2]int]int{}
	for i := range p.Lines {
		l := &p.Lines[i]
		switch {
		case l.Source <= SourceUnspecified || l.Source > SourcePrivateOther:
			v.Add(f("lines", i, "source"), "must be one of FUNDING_SOURCE_NATIONAL, _METROPOLITAN, _LOCAL, _PRIVATE_OTHER")
		}
		switch {
		case l.Year == 0:
			v.Add(f("lines", i, "year"), "is required")
		case l.Year < minYear || l.Year > maxYear || !years.YearValid(l.Year):
			v.Add(f("lines", i, "year"), "%d is outside the years of the pledge (%s)", l.Year, years.Years())
		}
		key := [2]int{int(l.Source), l.Year}
		if j, dup := seen[key]; dup && l.Source > SourceUnspecified && l.Year != 0 {
			v.Add(f("lines", i), "has the same source and year as lines[%d]; a plan has one line per source and year", j)
		} else {
			seen[key] = i
		}
		for _, a := range []struct {
			field string
			won   int64
		}{{"planned_won", l.Planned}, {"secured_won", l.Secured}, {"executed_won", l.Executed}} {
			switch {
			case a.won < 0:
				v.Add(f("lines", i, a.field), "must not be negative")
			case a.won > MaxWon:
				v.Add(f("lines", i, a.field), "is more than %d won", MaxWon)
			}
		}
		if l.Executed > l.Secured && !l.CarryOver && l.Executed >= 0 && l.Secured >= 0 {
			v.Add(f("lines", i, "executed_won"), "is more than secured_won; set carry_over when money carried over (이월) from an earlier year is spent")
		}
		l.SourceLabel = strings.TrimSpace(l.SourceLabel)
		if l.SourceLabel == "" {
			l.SourceLabel = DefaultLabel(l.Source, d)
		}
		checkText(&v, f("lines", i, "source_label"), l.SourceLabel, maxLabel)
		checkText(&v, f("lines", i, "note"), l.Note, maxNote)
	}
	return v.Err()
}

func checkText(v *apierr.Violations, field, s string, max int) {
	fieldtext.Check(v, field, s, max, false, "")
}

func validDate(d Date) bool {
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Year < minYear || d.Year > maxYear {
		return false
	}
	days := [...]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[d.Month-1]
	if d.Month == 2 && !(d.Year%4 == 0 && (d.Year%100 != 0 || d.Year%400 == 0)) {
		days = 28
	}
	return d.Day <= days
}

// RequiredBudget is the 소요예산 a pledge's card states.
type RequiredBudget struct {
	Label  string
	Won    int64
	Shares []Share
}

// Comparison sets the card's required budget beside the plan.
type Comparison struct {
	Label       string
	Stated      int64
	Planned     int64
	Difference  int64
	SharesMatch bool
	Consistent  bool
	Explanation string
}

// Compare reports how the plan's totals differ from what the card states;
// a difference is reported, never hidden or corrected.
func Compare(stated RequiredBudget, t Totals) Comparison {
	c := Comparison{Label: stated.Label, Stated: stated.Won, Planned: t.Total.Planned, Difference: t.Total.Planned - stated.Won}
	c.SharesMatch = sameShares(stated.Shares, t.Shares)
	var why []string
	if stated.Won == 0 && stated.Label == "" {
		why = append(why, "the card states no required budget")
	} else if c.Difference != 0 {
		why = append(why, fmt.Sprintf("the plan adds up to %d won, the card states %d won", t.Total.Planned, stated.Won))
	}
	if !c.SharesMatch && len(stated.Shares) > 0 {
		why = append(why, fmt.Sprintf("the card's shares are %s, the plan's %s", describe(stated.Shares), describe(t.Shares)))
	}
	c.Consistent = len(why) == 0
	c.Explanation = strings.Join(why, "; ")
	return c
}

func sameShares(a, b []Share) bool {
	pa, pb := map[Source]int{}, map[Source]int{}
	for _, s := range a {
		pa[s.Source] += s.Percent
	}
	for _, s := range b {
		pb[s.Source] += s.Percent
	}
	if len(pa) != len(pb) {
		return false
	}
	for k, v := range pa {
		if pb[k] != v {
			return false
		}
	}
	return true
}

func describe(ss []Share) string {
	if len(ss) == 0 {
		return "none"
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		label := s.Label
		if label == "" {
			label = DefaultLabel(s.Source, District{})
		}
		parts[i] = fmt.Sprintf("%s %d", label, s.Percent)
	}
	return strings.Join(parts, ", ")
}
