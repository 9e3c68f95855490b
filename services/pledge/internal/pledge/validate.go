package pledge

import (
	"strconv"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/fieldtext"
	"github.com/gongyak/gongyak/pkg/personal"
)

// Limits on what one pledge may hold. They are far above any real card and
// keep one request from filling the database.
const (
	MaxTitle      = 300
	maxLine       = 300
	maxShortText  = 100
	maxProse      = 4000
	maxListItems  = 200
	maxBulletTree = 4
	maxContacts   = 30
	minYear       = 1990
	maxYear       = 2100
)

// checkLine checks a one-line text field: valid UTF-8 (checked earlier on
// the wire, again here for other callers), no control characters, at most
// max characters (code points, not bytes).
func checkLine(v *apierr.Violations, field, s string, max int, required bool) {
	fieldtext.Check(v, field, s, max, required, "")
}

// checkProse checks a text field that may hold line breaks and tabs.
func checkProse(v *apierr.Violations, field, s string, max int, required bool) {
	fieldtext.Check(v, field, s, max, required, "\n\t\r")
}

// ValidYears returns the calendar years in which the pledge's yearly goals,
// budget lines and indicator entries may fall (DESIGN.md): the years its
// term overlaps, widened to its overview period when it completes after the
// term. last is 0 when there is no limit (an open period).
func (p *Pledge) ValidYears(t Term) (first, last int) {
	first, last = t.Years()
	if p.CompletionTiming != CompletionTimingAfterTerm || p.Overview.Period.StartYear == 0 {
		return first, last
	}
	first = min(first, p.Overview.Period.StartYear)
	switch {
	case p.Overview.Period.OpenEnded || p.Overview.Period.EndYear == 0:
		last = 0
	default:
		last = max(last, p.Overview.Period.EndYear)
	}
	return first, last
}

// YearValid reports whether year lies in [first, last], last 0 meaning
// no limit.
func YearValid(year, first, last int) bool {
	return year >= first && (last == 0 || year <= last)
}

// Normalize trims the title and code and reads every date label, so the
// stored pledge holds the server's reading beside what was written. Labels
// that cannot be read are left for Check to report.
func (p *Pledge) Normalize() {
	p.Title = strings.TrimSpace(p.Title)
	p.Code = strings.TrimSpace(p.Code)
	for _, log := range [][]DatedEntry{p.ProgressLog, p.FuturePlans} {
		for i := range log {
			if d, err := ParseDateLabel(log[i].Date.Label); err == nil {
				log[i].Date = d
			}
		}
	}
	if p.Status == StatusUnspecified {
		p.Status = StatusOnTrack
	}
}

// Check reports every rule p breaks, naming fields under prefix (such as
// "pledge"), for a pledge of term t. Department references are checked
// against the database by the store.
func (p *Pledge) Check(prefix string, t Term) error {
	var v apierr.Violations
	f := func(parts ...any) string { return apierr.Path(append([]any{prefix}, parts...)...) }

	checkLine(&v, f("title"), p.Title, MaxTitle, true)
	checkLine(&v, f("code"), p.Code, 50, false)
	if p.ProjectType < ProjectTypeUnspecified || p.ProjectType > ProjectTypeContinuing {
		v.Add(f("project_type"), "has no value %d", p.ProjectType)
	}
	seen := map[ImplementingLevel]bool{}
	for i, l := range p.ImplementingLevels {
		switch {
		case l <= ImplementingLevelUnspecified || l > ImplementingLevelLocal:
			v.Add(f("implementing_levels", i), "has no value %d", l)
		case seen[l]:
			v.Add(f("implementing_levels", i), "is listed twice")
		}
		seen[l] = true
	}
	if p.CompletionTiming < CompletionTimingUnspecified || p.CompletionTiming > CompletionTimingAfterTerm {
		v.Add(f("completion_timing"), "has no value %d", p.CompletionTiming)
	}
	if p.Status < StatusUnspecified || p.Status > StatusAbandoned {
		v.Add(f("status"), "has no value %d", p.Status)
	}
	checkLine(&v, f("owning_team"), p.OwningTeam, maxShortText, false)
	if p.AllDepartmentsRelated && len(p.RelatedDepartments) > 0 {
		v.Add(f("related_departments"), "must be empty when all_departments_related is set")
	}
	if len(p.Contacts) > maxContacts {
		v.Add(f("contacts"), "has %d entries; at most %d are allowed", len(p.Contacts), maxContacts)
	}
	for i, c := range p.Contacts {
		checkLine(&v, f("contacts", i, "name"), c.Name, 50, false)
		checkLine(&v, f("contacts", i, "position"), c.Position, 50, false)
		if c.Phone != "" && !ValidPhone(c.Phone) {
			v.Add(f("contacts", i, "phone"), "is not a phone number; write it like 062) 960-8891 or 062-960-8891")
		}
		if c.Name == "" && c.Position == "" && c.Phone == "" {
			v.Add(f("contacts", i), "is empty")
		}
	}
	p.checkBudget(&v, f)
	checkList(&v, f("background"), len(p.Background))
	for i, b := range p.Background {
		checkLine(&v, f("background", i, "label"), b.Label, maxShortText, false)
		checkProse(&v, f("background", i, "text"), b.Text, maxProse, true)
	}
	p.checkOverview(&v, f)
	checkProse(&v, f("final_goal"), p.FinalGoal, maxProse, false)

	first, last := p.ValidYears(t)
	years := map[int]bool{}
	checkList(&v, f("yearly_goals"), len(p.YearlyGoals))
	for i, g := range p.YearlyGoals {
		switch {
		case g.Year == 0:
			v.Add(f("yearly_goals", i, "year"), "is required")
		case !YearValid(g.Year, first, last):
			v.Add(f("yearly_goals", i, "year"), "%d is outside the years this pledge runs (%s)", g.Year, yearRange(first, last))
		case years[g.Year]:
			v.Add(f("yearly_goals", i, "year"), "%d has a goal already", g.Year)
		}
		years[g.Year] = true
		checkProse(&v, f("yearly_goals", i, "goal"), g.Goal, maxProse, true)
	}
	checkLog(&v, f("progress_log"), p.ProgressLog)
	checkLog(&v, f("future_plans"), p.FuturePlans)
	checkList(&v, f("risks"), len(p.Risks))
	for i, r := range p.Risks {
		checkProse(&v, f("risks", i, "problem"), r.Problem, maxProse, false)
		checkProse(&v, f("risks", i, "countermeasure"), r.Countermeasure, maxProse, false)
		if strings.TrimSpace(r.Problem) == "" && strings.TrimSpace(r.Countermeasure) == "" {
			v.Add(f("risks", i), "needs a problem or a countermeasure")
		}
	}
	checkList(&v, f("photos"), len(p.Photos))
	for i, ph := range p.Photos {
		checkLine(&v, f("photos", i, "caption"), ph.Caption, maxLine, false)
		checkProse(&v, f("photos", i, "text"), ph.Text, maxProse, false)
	}
	return v.Err()
}

func (p *Pledge) checkBudget(v *apierr.Violations, f func(...any) string) {
	b := p.RequiredBudget
	checkLine(v, f("required_budget", "label"), b.Label, maxShortText, false)
	if b.AmountWon < 0 {
		v.Add(f("required_budget", "amount_won"), "must not be negative")
	}
	sum := 0
	sources := map[FundingSource]bool{}
	for i, s := range b.Shares {
		switch {
		case s.Source <= FundingSourceUnspecified || s.Source > FundingSourcePrivateOther:
			v.Add(f("required_budget", "shares", i, "source"), "must be one of FUNDING_SOURCE_NATIONAL, _METROPOLITAN, _LOCAL, _PRIVATE_OTHER")
		case sources[s.Source]:
			v.Add(f("required_budget", "shares", i, "source"), "is listed twice")
		}
		sources[s.Source] = true
		checkLine(v, f("required_budget", "shares", i, "label"), s.Label, 20, false)
		if s.Percent < 0 || s.Percent > 100 {
			v.Add(f("required_budget", "shares", i, "percent"), "must be between 0 and 100")
		}
		sum += s.Percent
	}
	if len(b.Shares) > 0 && sum != 100 {
		v.Add(f("required_budget", "shares"), "add up to %d%%; they must add up to 100%%", sum)
	}
}

func (p *Pledge) checkOverview(v *apierr.Violations, f func(...any) string) {
	per := p.Overview.Period
	checkLine(v, f("overview", "period", "label"), per.Label, maxShortText, false)
	if per.StartYear != 0 && (per.StartYear < minYear || per.StartYear > maxYear) {
		v.Add(f("overview", "period", "start_year"), "must be between %d and %d", minYear, maxYear)
	}
	switch {
	case per.EndYear != 0 && per.OpenEnded:
		v.Add(f("overview", "period", "end_year"), "must be 0 when the period is open-ended")
	case per.EndYear != 0 && (per.EndYear < minYear || per.EndYear > maxYear):
		v.Add(f("overview", "period", "end_year"), "must be between %d and %d", minYear, maxYear)
	case per.EndYear != 0 && per.EndYear < per.StartYear:
		v.Add(f("overview", "period", "end_year"), "comes before start_year")
	case per.EndYear != 0 && per.StartYear == 0:
		v.Add(f("overview", "period", "start_year"), "is required when end_year is given")
	}
	checkBullets(v, f("overview", "methods"), p.Overview.Methods, 1)
	checkBullets(v, f("overview", "contents"), p.Overview.Contents, 1)
}

func checkLog(v *apierr.Violations, field string, log []DatedEntry) {
	checkList(v, field, len(log))
	for i, e := range log {
		label := apierr.Path(field, i, "date", "label")
		checkLine(v, label, e.Date.Label, maxShortText, true)
		if strings.TrimSpace(e.Date.Label) != "" && e.Date.Precision == PrecisionUnspecified {
			if _, err := ParseDateLabel(e.Date.Label); err != nil {
				v.Add(label, "%s", err.Error())
			}
		}
		checkBullets(v, apierr.Path(field, i, "items"), e.Items, 1)
	}
}

func checkBullets(v *apierr.Violations, field string, bs []Bullet, depth int) {
	if depth > maxBulletTree && len(bs) > 0 {
		v.Add(field, "nests deeper than %d levels", maxBulletTree)
		return
	}
	checkList(v, field, len(bs))
	for i, b := range bs {
		checkProse(v, apierr.Path(field, i, "text"), b.Text, maxProse, true)
		checkBullets(v, apierr.Path(field, i, "children"), b.Children, depth+1)
	}
}

func checkList(v *apierr.Violations, field string, n int) {
	if n > maxListItems {
		v.Add(field, "has %d entries; at most %d are allowed", n, maxListItems)
	}
}

func yearRange(first, last int) string {
	if last == 0 {
		return itoa(first) + " onwards"
	}
	return itoa(first) + "–" + itoa(last)
}

// ValidPhone reports whether s reads as a phone number as offices write
// them (062) 960-8891).
func ValidPhone(s string) bool { return personal.ValidPhone(s) }

// CheckStatus refuses a status that is not one of the six.
func CheckStatus(field string, s Status) error {
	if s <= StatusUnspecified || s > StatusAbandoned {
		return apierr.Invalid(field, "must be one of PLEDGE_STATUS_COMPLETED, _COMPLETED_CONTINUING, _ON_TRACK, _PARTIAL, _ON_HOLD, _ABANDONED")
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// CheckReason refuses a missing or overlong reason for a status change.
func CheckReason(field, reason string) error {
	var v apierr.Violations
	checkProse(&v, field, reason, 2000, true)
	return v.Err()
}

// Validate normalizes p (Normalize) and reports every rule it breaks as a
// pledge of term t in a district whose departments, by id, are known:
// its own rules (Check), and that the departments it names are the
// district's. Fields are named under prefix.
func (p *Pledge) Validate(prefix string, t Term, known map[string]bool) error {
	var v apierr.Violations
	p.Normalize()
	if err := p.Check(prefix, t); err != nil && !v.Merge(err) {
		return err
	}
	if p.OwningDepartment != "" && !known[p.OwningDepartment] {
		v.Add(apierr.Path(prefix, "owning_department"), "%s does not exist", DepartmentName(p.DistrictID, p.OwningDepartment))
	}
	for i, id := range p.RelatedDepartments {
		if !known[id] {
			v.Add(apierr.Path(prefix, "related_departments", i), "%s does not exist", DepartmentName(p.DistrictID, id))
		}
	}
	return v.Err()
}
