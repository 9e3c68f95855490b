package pledge

import (
	"cmp"

	"github.com/gongyak/gongyak/pkg/apierr"
)

// CheckStatusDate checks the day a status change took effect (its
// effective date, given when a change is recorded late): a whole day, not
// after today in Korea, not before the pledge's term began, and not before
// the pledge's last recorded change took effect (last, zero without one).
// The history then stays in order of effective date, so its last change is
// the pledge's current status and a report reading the status on a day
// reads the right one.
func CheckStatusDate(field string, d, today Date, term Term, last Date) error {
	var v apierr.Violations
	if !checkFullDate(&v, field, d) {
		return v.Err()
	}
	switch {
	case compareDates(d, today) > 0:
		v.Add(field, "is %s, after today (%s in Korea): a status cannot change in the future", d, today)
	case compareDates(d, term.Start) < 0:
		v.Add(field, "is %s, before %s began (%s)", d, termName(term), term.Start)
	case !last.IsZero() && compareDates(d, last) < 0:
		v.Add(field, "is %s, before the pledge's last status change took effect (%s): the history must stay in order", d, last)
	}
	return v.Err()
}

// CheckWholeDate refuses a date that is not a whole calendar day.
func CheckWholeDate(field string, d Date) error {
	var v apierr.Violations
	checkFullDate(&v, field, d)
	return v.Err()
}

// compareDates orders whole dates: -1 when a comes first, 0 when they are
// the same day, +1 otherwise.
func compareDates(a, b Date) int {
	if c := cmp.Compare(a.Year, b.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Month, b.Month); c != 0 {
		return c
	}
	return cmp.Compare(a.Day, b.Day)
}

func termName(t Term) string {
	if t.DisplayName != "" {
		return t.DisplayName
	}
	return DefaultTermName(t.Number)
}
