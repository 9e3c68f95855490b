package pledge

import (
	"slices"
	"testing"

	"github.com/gongyak/gongyak/pkg/apierr"
)

func TestValidateNamesEveryFaultAtOnce(t *testing.T) {
	term := Term{Number: 8, Start: Date{2022, 7, 1}, End: Date{2026, 6, 30}}
	known := map[string]bool{"welfare": true}
	tests := []struct {
		name string
		p    Pledge
		want []string
	}{
		{"departments the district has", Pledge{Title: "청년 일자리", OwningDepartment: "welfare", RelatedDepartments: []string{"welfare"}}, nil},
		{"an owning department it lacks", Pledge{Title: "청년 일자리", OwningDepartment: "roads"}, []string{"pledge.owning_department"}},
		{"a related department it lacks, and a bad year", Pledge{Title: "청년 일자리", RelatedDepartments: []string{"welfare", "roads"},
			YearlyGoals: []YearlyGoal{{Year: 2030, Goal: "준공"}}}, []string{"pledge.yearly_goals[0].year", "pledge.related_departments[1]"}},
		{"a blank title", Pledge{Title: "  "}, []string{"pledge.title"}},
	}
	for _, tt := range tests {
		p := tt.p
		p.DistrictID = "gwangsan"
		err := p.Validate("pledge", term, known)
		var got []string
		if e, ok := err.(*apierr.Error); ok {
			for _, v := range e.Violations {
				got = append(got, v.Field)
			}
		} else if err != nil {
			t.Fatalf("%s: %v is not a list of field violations", tt.name, err)
		}
		slices.Sort(got)
		slices.Sort(tt.want)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: refused %v, want %v", tt.name, got, tt.want)
		}
		if p.Status != StatusOnTrack {
			t.Errorf("%s: status %v after Validate, want on track (normalized)", tt.name, p.Status)
		}
	}
}

func TestTermOrCurrent(t *testing.T) {
	d := District{ID: "gwangsan", CurrentTerm: 8, Terms: []Term{{Number: 7}, {Number: 8}}}
	tests := []struct {
		name    string
		d       District
		n, want int
		refusal string
	}{
		{"no term given: the current one", d, 0, 8, ""},
		{"a term of the district", d, 7, 7, ""},
		{"a term it lacks", d, 6, 0, "district districts/gwangsan has no term 6"},
		{"none given and none current", District{ID: "new"}, 0, 0, "is required: district districts/new has no current term"},
	}
	for _, tt := range tests {
		got, err := tt.d.TermOrCurrent("pledge.term", tt.n)
		switch {
		case tt.refusal == "" && (err != nil || got.Number != tt.want):
			t.Errorf("%s: term %d, %v; want %d", tt.name, got.Number, err, tt.want)
		case tt.refusal != "":
			e, ok := err.(*apierr.Error)
			if !ok || len(e.Violations) != 1 || e.Violations[0].Field != "pledge.term" || e.Violations[0].Description != tt.refusal {
				t.Errorf("%s: %v, want pledge.term refused: %s", tt.name, err, tt.refusal)
			}
		}
	}
}
