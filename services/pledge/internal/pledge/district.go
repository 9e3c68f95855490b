// Package pledge holds the pledge service's domain: districts with their
// terms and departments, pledges with every prose and log section of their
// cards, and the rules they obey. It knows nothing of gRPC or SQL.
package pledge

import (
	"fmt"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
)

// DistrictKind is the kind of local government (기초자치단체 종류).
type DistrictKind int16

// District kinds, numbered as gongyak.pledge.v1.DistrictKind.
const (
	DistrictKindUnspecified DistrictKind = iota
	DistrictKindAutonomousDistrict
	DistrictKindCity
	DistrictKindCounty
)

// District is a local government (such as 광주광역시 광산구) whose head's
// pledges are kept here.
type District struct {
	ID                     string
	DisplayName            string
	Kind                   DistrictKind
	MetropolitanGovernment string
	RegionCode             string
	Terms                  []Term
	CurrentTerm            int
	Revision               int64
	CreateTime, UpdateTime time.Time
}

// Term is one elected term (민선 n기) of the head of government.
type Term struct {
	Number           int
	DisplayName      string
	Start, End       Date
	HeadOfGovernment string
	// Public publishes the term's pledges: readable without signing in,
	// personal data masked.
	Public bool
}

// Name returns the district's resource name.
func (d District) Name() string { return DistrictName(d.ID) }

// Term returns the term numbered n.
func (d District) Term(n int) (Term, bool) {
	for _, t := range d.Terms {
		if t.Number == n {
			return t, true
		}
	}
	return Term{}, false
}

// Years returns the calendar years the term overlaps: 민선 7기 (2018-07-01
// to 2022-06-30) overlaps 2018 to 2022.
func (t Term) Years() (first, last int) { return t.Start.Year, t.End.Year }

// DefaultTermName is how a term is written when no name is given.
func DefaultTermName(n int) string { return fmt.Sprintf("민선 %d기", n) }

// Department is a district's department (부서).
type Department struct {
	DistrictID             string
	ID                     string
	DisplayName            string
	Teams                  []string
	Phone                  string
	Revision               int64
	CreateTime, UpdateTime time.Time
}

// Name returns the department's resource name.
func (d Department) Name() string { return DepartmentName(d.DistrictID, d.ID) }

// Check reports every rule d breaks, naming fields under prefix.
func (d *District) Check(prefix string) error {
	var v apierr.Violations
	f := func(parts ...any) string { return apierr.Path(append([]any{prefix}, parts...)...) }
	d.DisplayName = strings.TrimSpace(d.DisplayName)
	checkLine(&v, f("display_name"), d.DisplayName, 50, true)
	if d.Kind <= DistrictKindUnspecified || d.Kind > DistrictKindCounty {
		v.Add(f("kind"), "must be DISTRICT_KIND_AUTONOMOUS_DISTRICT, DISTRICT_KIND_CITY or DISTRICT_KIND_COUNTY")
	}
	checkLine(&v, f("metropolitan_government"), d.MetropolitanGovernment, 50, false)
	if d.RegionCode != "" && (len(d.RegionCode) > 10 || strings.Trim(d.RegionCode, "0123456789") != "") {
		v.Add(f("region_code"), "must be the 행정표준코드: up to 10 digits")
	}
	numbers := map[int]bool{}
	for i := range d.Terms {
		t := &d.Terms[i]
		if t.DisplayName == "" && t.Number > 0 {
			t.DisplayName = DefaultTermName(t.Number)
		}
		switch {
		case t.Number < 1 || t.Number > 99:
			v.Add(f("terms", i, "number"), "must be between 1 and 99")
		case numbers[t.Number]:
			v.Add(f("terms", i, "number"), "%d is listed twice", t.Number)
		}
		numbers[t.Number] = true
		checkLine(&v, f("terms", i, "display_name"), t.DisplayName, 30, false)
		checkLine(&v, f("terms", i, "head_of_government"), t.HeadOfGovernment, 50, false)
		startOK := checkFullDate(&v, f("terms", i, "start_date"), t.Start)
		endOK := checkFullDate(&v, f("terms", i, "end_date"), t.End)
		if startOK && endOK && !before(t.Start, t.End) {
			v.Add(f("terms", i, "end_date"), "comes before start_date")
		}
	}
	if d.CurrentTerm != 0 && !numbers[d.CurrentTerm] {
		v.Add(f("current_term"), "%d is not one of the district's terms", d.CurrentTerm)
	}
	return v.Err()
}

func checkFullDate(v *apierr.Violations, field string, d Date) bool {
	if d.IsZero() {
		v.Add(field, "is required")
		return false
	}
	if d.Month == 0 || d.Day == 0 || !validDate(d) {
		v.Add(field, "must be a whole date, such as 2018-07-01")
		return false
	}
	return true
}

// Check reports every rule d breaks, naming fields under prefix.
func (d *Department) Check(prefix string) error {
	var v apierr.Violations
	f := func(parts ...any) string { return apierr.Path(append([]any{prefix}, parts...)...) }
	d.DisplayName = strings.TrimSpace(d.DisplayName)
	checkLine(&v, f("display_name"), d.DisplayName, maxShortText, true)
	seen := map[string]bool{}
	for i, team := range d.Teams {
		checkLine(&v, f("teams", i), team, maxShortText, true)
		if seen[team] {
			v.Add(f("teams", i), "is listed twice")
		}
		seen[team] = true
	}
	if d.Phone != "" && !ValidPhone(d.Phone) {
		v.Add(f("phone"), "is not a phone number; write it like 062) 960-8891 or 062-960-8891")
	}
	return v.Err()
}

// TermOrCurrent returns the term numbered n, or the current one when n is
// 0, which is how a pledge that names no term is placed; a refusal names
// field.
func (d District) TermOrCurrent(field string, n int) (Term, error) {
	if n == 0 {
		if d.CurrentTerm == 0 {
			return Term{}, apierr.Invalid(field, "is required: district %s has no current term", d.Name())
		}
		n = d.CurrentTerm
	}
	t, ok := d.Term(n)
	if !ok {
		return Term{}, apierr.Invalid(field, "district %s has no term %d", d.Name(), n)
	}
	return t, nil
}
