// Package indicator holds the indicator service's domain: performance
// indicators (성과지표) with a target (목표) and an actual (실적) per year,
// the rules they obey, and the achievement results read with them. How far
// a year is achieved is computed in one place, the database function
// entry_achievement, so that single indicators and reports agree.
package indicator

import (
	"regexp"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/fieldtext"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// Kind says what an indicator's values are.
type Kind int16

// Kinds, numbered as gongyak.indicator.v1.IndicatorKind.
const (
	KindUnspecified Kind = iota
	KindQuantitative
	KindQualitative
)

// Direction says which way a quantitative indicator improves.
type Direction int16

// Directions, numbered as gongyak.indicator.v1.Direction.
const (
	DirectionUnspecified Direction = iota
	DirectionHigher
	DirectionLower
)

// Assessment is the judgement of a qualitative year.
type Assessment int16

// Assessments, numbered as gongyak.indicator.v1.Assessment.
const (
	AssessmentNone Assessment = iota
	AssessmentAchieved
	AssessmentPartly
	AssessmentNotAchieved
	AssessmentNotYetDue
)

// State says whether an achievement could be measured.
type State int16

// States, numbered as gongyak.indicator.v1.AchievementState and as the
// database function entry_state returns them.
const (
	StateUnspecified State = iota
	StateMeasured
	StateNoData
	StateNotYetDue
)

// Measure is a number (an exact decimal, as text) or a text; at most one
// is set.
type Measure struct {
	Number string
	Text   string
	// IsNumber tells a number from text when both strings are empty.
	IsNumber bool
}

// Set reports whether the measure holds a value.
func (m Measure) Set() bool { return m.Number != "" || m.Text != "" }

// Result is how far something was achieved.
type Result struct {
	State                       State
	Percent                     string
	Measured, NoData, NotYetDue int
}

// Entry is one year of an indicator.
type Entry struct {
	Year           int
	Target, Actual Measure
	Assessment     Assessment
	Unit           string
	Note, Evidence string
	// Result is read, never written.
	Result Result
}

// Indicator is one performance indicator of a pledge.
type Indicator struct {
	DistrictID, PledgeID, ID string
	Term, Position           int
	Title                    string
	Kind                     Kind
	Direction                Direction
	Unit                     string
	Baseline                 Measure
	Entries                  []Entry
	Result                   Result

	Revision               int64
	CreateTime, UpdateTime time.Time
}

// Name is the indicator's resource name.
func (i Indicator) Name() string {
	return resourcename.Indicator.Format(i.DistrictID, i.PledgeID, i.ID)
}

// PledgeYears says which years entries may fall in; the pledge service
// decides.
type PledgeYears interface {
	YearValid(year int) bool
	Years() string
}

// decimal is an exact quantity: digits, at most four decimals, not
// negative, below 10^16.
var decimal = regexp.MustCompile(`^[0-9]{1,16}(\.[0-9]{1,4})?$`)

const (
	maxTitle   = 200
	maxUnit    = 20
	maxText    = 1000
	maxEntries = 50
)

// Check reports every rule the indicator breaks, naming fields under
// prefix, for a pledge whose valid years are years.
func (i *Indicator) Check(prefix string, years PledgeYears) error {
	var v apierr.Violations
	f := func(parts ...any) string { return apierr.Path(append([]any{prefix}, parts...)...) }
	i.Title = strings.TrimSpace(i.Title)
	text(&v, f("title"), i.Title, maxTitle, true)
	switch i.Kind {
	case KindQuantitative:
		if i.Direction < DirectionUnspecified || i.Direction > DirectionLower {
			v.Add(f("direction"), "must be DIRECTION_HIGHER_IS_BETTER or DIRECTION_LOWER_IS_BETTER")
		}
		if i.Direction == DirectionUnspecified {
			i.Direction = DirectionHigher
		}
	case KindQualitative:
		if i.Direction != DirectionUnspecified {
			v.Add(f("direction"), "applies to quantitative indicators only")
		}
		if i.Unit != "" {
			v.Add(f("unit"), "applies to quantitative indicators only")
		}
	default:
		v.Add(f("kind"), "must be INDICATOR_KIND_QUANTITATIVE or INDICATOR_KIND_QUALITATIVE")
	}
	text(&v, f("unit"), i.Unit, maxUnit, false)
	if i.Position < 0 {
		v.Add(f("position"), "must not be negative")
	}
	i.checkMeasure(&v, f("baseline"), &i.Baseline)
	if len(i.Entries) > maxEntries {
		v.Add(f("entries"), "has %d entries; at most %d are allowed", len(i.Entries), maxEntries)
	}
	seen := map[int]int{}
	for n := range i.Entries {
		e := &i.Entries[n]
		switch {
		case e.Year == 0:
			v.Add(f("entries", n, "year"), "is required")
		case !years.YearValid(e.Year):
			v.Add(f("entries", n, "year"), "%d is outside the years of the pledge (%s)", e.Year, years.Years())
		default:
			if first, dup := seen[e.Year]; dup {
				v.Add(f("entries", n, "year"), "%d has an entry already (entries[%d]); an indicator has one entry per year", e.Year, first)
			}
			seen[e.Year] = n
		}
		i.checkMeasure(&v, f("entries", n, "target"), &e.Target)
		i.checkMeasure(&v, f("entries", n, "actual"), &e.Actual)
		switch {
		case e.Assessment < AssessmentNone || e.Assessment > AssessmentNotYetDue:
			v.Add(f("entries", n, "assessment"), "has no value %d", e.Assessment)
		case e.Assessment != AssessmentNone && i.Kind == KindQuantitative:
			v.Add(f("entries", n, "assessment"), "applies to qualitative indicators; a quantitative year is judged from its numbers")
		}
		e.Unit = strings.TrimSpace(e.Unit)
		if e.Unit != "" && e.Unit != i.Unit {
			v.Add(f("entries", n, "unit"), "is %q but the indicator's unit is %q; a unit cannot change between years", e.Unit, i.Unit)
		}
		text(&v, f("entries", n, "note"), e.Note, maxText, false)
		text(&v, f("entries", n, "evidence"), e.Evidence, maxText, false)
	}
	return v.Err()
}

// checkMeasure refuses a number for a qualitative indicator, text for a
// quantitative one, and numbers that are not exact non-negative decimals.
func (i *Indicator) checkMeasure(v *apierr.Violations, field string, m *Measure) {
	m.Number = strings.TrimSpace(m.Number)
	switch {
	case i.Kind == KindQuantitative && m.Text != "":
		v.Add(field, "is text, but the indicator is quantitative: give a number")
	case i.Kind == KindQualitative && (m.Number != "" || m.IsNumber):
		v.Add(field, "is a number, but the indicator is qualitative: give text")
	case m.Number != "" && !decimal.MatchString(m.Number):
		v.Add(field, "%q is not a number this service keeps: digits with at most four decimals, not negative, such as 50 or 12.5", m.Number)
	case m.IsNumber && m.Number == "":
		v.Add(field, "is an empty number")
	default:
		text(v, field, m.Text, maxText, false)
	}
}

// text checks a text field, which may break into lines.
func text(v *apierr.Violations, field, s string, max int, required bool) {
	fieldtext.Check(v, field, s, max, required, "\n")
}
