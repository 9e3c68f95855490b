package pledge

import (
	"slices"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
)

// fieldSetters copy one field of a resource from an update onto the stored
// resource; their keys are the field paths an update_mask may name.
type fieldSetters[T any] map[string]func(dst, src *T)

// apply copies the fields paths name from src onto dst. "*" names every
// field the map knows. A path the map does not know is refused, naming
// update_mask.
func (fs fieldSetters[T]) apply(dst, src *T, paths []string) error {
	if slices.Contains(paths, "*") {
		if len(paths) > 1 {
			return apierr.Invalid("update_mask", "* cannot be combined with other paths")
		}
		for _, set := range fs {
			set(dst, src)
		}
		return nil
	}
	var v apierr.Violations
	for _, p := range paths {
		if set, ok := fs[p]; ok {
			set(dst, src)
		} else {
			v.Add("update_mask", "%q is not a field that can be updated; use %s or *", p, fs.names())
		}
	}
	return v.Err()
}

func (fs fieldSetters[T]) names() string {
	names := make([]string, 0, len(fs))
	for n := range fs {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

var pledgeFields = fieldSetters[Pledge]{
	"code":                    func(d, s *Pledge) { d.Code = s.Code },
	"title":                   func(d, s *Pledge) { d.Title = s.Title },
	"project_type":            func(d, s *Pledge) { d.ProjectType = s.ProjectType },
	"implementing_levels":     func(d, s *Pledge) { d.ImplementingLevels = s.ImplementingLevels },
	"completion_timing":       func(d, s *Pledge) { d.CompletionTiming = s.CompletionTiming },
	"owning_department":       func(d, s *Pledge) { d.OwningDepartment = s.OwningDepartment },
	"owning_team":             func(d, s *Pledge) { d.OwningTeam = s.OwningTeam },
	"related_departments":     func(d, s *Pledge) { d.RelatedDepartments = s.RelatedDepartments },
	"all_departments_related": func(d, s *Pledge) { d.AllDepartmentsRelated = s.AllDepartmentsRelated },
	"contacts":                func(d, s *Pledge) { d.Contacts = s.Contacts },
	"required_budget":         func(d, s *Pledge) { d.RequiredBudget = s.RequiredBudget },
	"background":              func(d, s *Pledge) { d.Background = s.Background },
	"overview":                func(d, s *Pledge) { d.Overview = s.Overview },
	"overview.period":         func(d, s *Pledge) { d.Overview.Period = s.Overview.Period },
	"overview.methods":        func(d, s *Pledge) { d.Overview.Methods = s.Overview.Methods },
	"overview.contents":       func(d, s *Pledge) { d.Overview.Contents = s.Overview.Contents },
	"final_goal":              func(d, s *Pledge) { d.FinalGoal = s.FinalGoal },
	"yearly_goals":            func(d, s *Pledge) { d.YearlyGoals = s.YearlyGoals },
	"progress_log":            func(d, s *Pledge) { d.ProgressLog = s.ProgressLog },
	"future_plans":            func(d, s *Pledge) { d.FuturePlans = s.FuturePlans },
	"risks":                   func(d, s *Pledge) { d.Risks = s.Risks },
	"photos":                  func(d, s *Pledge) { d.Photos = s.Photos },
}

// ApplyUpdate copies the fields paths name from patch onto p. The status is
// refused (it changes through ChangePledgeStatus) and so is a different
// term (a pledge belongs to the term it was made in); `*` leaves both
// alone. Output-only paths (etag, times, valid_years) are ignored, as
// AIP-203 asks.
func (p *Pledge) ApplyUpdate(patch Pledge, paths []string) error {
	var v apierr.Violations
	var rest []string
	for _, path := range paths {
		switch path {
		case "status":
			if patch.Status != p.Status {
				v.Add("update_mask", "status changes only through ChangePledgeStatus (POST …:changeStatus), which records why")
			}
		case "term":
			if patch.Term != p.Term {
				v.Add("pledge.term", "cannot change: a pledge belongs to the term it was made in")
			}
		case "name", "etag", "create_time", "update_time", "delete_time", "status_change_time", "valid_years":
		default:
			rest = append(rest, path)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return pledgeFields.apply(p, &patch, rest)
}

var districtFields = fieldSetters[District]{
	"display_name":            func(d, s *District) { d.DisplayName = s.DisplayName },
	"kind":                    func(d, s *District) { d.Kind = s.Kind },
	"metropolitan_government": func(d, s *District) { d.MetropolitanGovernment = s.MetropolitanGovernment },
	"region_code":             func(d, s *District) { d.RegionCode = s.RegionCode },
	"terms":                   func(d, s *District) { d.Terms = s.Terms },
	"current_term":            func(d, s *District) { d.CurrentTerm = s.CurrentTerm },
}

// ApplyUpdate copies the fields paths name from patch onto d.
func (d *District) ApplyUpdate(patch District, paths []string) error {
	return districtFields.apply(d, &patch, withoutOutputOnly(paths))
}

var departmentFields = fieldSetters[Department]{
	"display_name": func(d, s *Department) { d.DisplayName = s.DisplayName },
	"teams":        func(d, s *Department) { d.Teams = s.Teams },
	"phone":        func(d, s *Department) { d.Phone = s.Phone },
}

// ApplyUpdate copies the fields paths name from patch onto d.
func (d *Department) ApplyUpdate(patch Department, paths []string) error {
	return departmentFields.apply(d, &patch, withoutOutputOnly(paths))
}

func withoutOutputOnly(paths []string) []string {
	return slices.DeleteFunc(slices.Clone(paths), func(p string) bool {
		return p == "name" || p == "etag" || p == "create_time" || p == "update_time"
	})
}
