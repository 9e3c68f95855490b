package importflow

import (
	"slices"
	"sort"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/internal/cardtext"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// keepers put back, field by field (by proto name), a stored pledge's
// value that a card does not carry.
var keepers = map[string]func(prev pledge.Pledge, next *pledge.Pledge){
	"code":                    func(prev pledge.Pledge, next *pledge.Pledge) { next.Code = prev.Code },
	"project_type":            func(prev pledge.Pledge, next *pledge.Pledge) { next.ProjectType = prev.ProjectType },
	"implementing_levels":     func(prev pledge.Pledge, next *pledge.Pledge) { next.ImplementingLevels = prev.ImplementingLevels },
	"completion_timing":       func(prev pledge.Pledge, next *pledge.Pledge) { next.CompletionTiming = prev.CompletionTiming },
	"owning_department":       func(prev pledge.Pledge, next *pledge.Pledge) { next.OwningDepartment = prev.OwningDepartment },
	"owning_team":             func(prev pledge.Pledge, next *pledge.Pledge) { next.OwningTeam = prev.OwningTeam },
	"related_departments":     func(prev pledge.Pledge, next *pledge.Pledge) { next.RelatedDepartments = prev.RelatedDepartments },
	"all_departments_related": func(prev pledge.Pledge, next *pledge.Pledge) { next.AllDepartmentsRelated = prev.AllDepartmentsRelated },
	"contacts":                func(prev pledge.Pledge, next *pledge.Pledge) { next.Contacts = prev.Contacts },
	"required_budget":         func(prev pledge.Pledge, next *pledge.Pledge) { next.RequiredBudget = prev.RequiredBudget },
	"status":                  func(prev pledge.Pledge, next *pledge.Pledge) { next.Status = prev.Status },
	"background":              func(prev pledge.Pledge, next *pledge.Pledge) { next.Background = prev.Background },
	"overview":                func(prev pledge.Pledge, next *pledge.Pledge) { next.Overview = prev.Overview },
	"final_goal":              func(prev pledge.Pledge, next *pledge.Pledge) { next.FinalGoal = prev.FinalGoal },
	"yearly_goals":            func(prev pledge.Pledge, next *pledge.Pledge) { next.YearlyGoals = prev.YearlyGoals },
	"progress_log":            func(prev pledge.Pledge, next *pledge.Pledge) { next.ProgressLog = prev.ProgressLog },
	"future_plans":            func(prev pledge.Pledge, next *pledge.Pledge) { next.FuturePlans = prev.FuturePlans },
	"risks":                   func(prev pledge.Pledge, next *pledge.Pledge) { next.Risks = prev.Risks },
	"photos":                  func(prev pledge.Pledge, next *pledge.Pledge) { next.Photos = prev.Photos },
}

// otherParts are what a card carries for the other services; the plan
// leaves them as they are when the card does not carry them.
var otherParts = []string{"budget", "indicators"}

// keeper returns what keeps, when a card updates a stored pledge, each of
// the stored pledge's fields the card does not carry. (A status the card
// lacks stays as it was: the import records a change only to a status the
// card gives.)
func keeper(card *cardtext.Card) func(prev pledge.Pledge, next *pledge.Pledge) {
	return func(prev pledge.Pledge, next *pledge.Pledge) {
		for field := range card.Unread {
			if keep := keepers[field]; keep != nil {
				keep(prev, next)
			}
		}
	}
}

// keptFields lists what an update from card kept, with why: pledge.<field>
// for the pledge's fields, budget and indicators for the other parts.
func keptFields(card *cardtext.Card) []*pledgev1.KeptField {
	var out []*pledgev1.KeptField
	for field, why := range card.Unread {
		switch {
		case keepers[field] != nil:
			out = append(out, &pledgev1.KeptField{Field: "pledge." + field, Reason: why})
		case slices.Contains(otherParts, field):
			out = append(out, &pledgev1.KeptField{Field: field, Reason: why})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}
