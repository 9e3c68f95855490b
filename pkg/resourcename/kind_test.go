package resourcename

import (
	"slices"
	"testing"
)

func TestEveryPatternSaysItsType(t *testing.T) {
	want := map[string]string{
		"districts/{district}":                                                "district",
		"districts/{district}/departments/{department}":                       "department",
		"districts/{district}/pledges/{pledge}":                               "pledge",
		"districts/{district}/pledges/{pledge}/statusChanges/{status_change}": "statusChange",
		"districts/{district}/pledges/{pledge}/photos/{n}":                    "photo",
		"districts/{district}/implementationReport":                           "implementationReport",
		"apiKeys/{api_key}":                                                   "apiKey",
		"districts/{district}/apiKeys/{api_key}":                              "apiKey",
		"districts/{district}/auditEvents/{audit_event}":                      "auditEvent",
		"districts/{district}/pledges/{pledge}/budget":                        "budget",
		"districts/{district}/pledges/{pledge}/indicators/{indicator}":        "indicator",
		"districts/{district}/pledges/{pledge}/achievement":                   "achievement",
		"districts/{district}/programs/{program}":                             "program",
		"districts/{district}/programs/{program}/members/{member}":            "member",
		"districts/{district}/programs/{program}/submissions/{submission}":    "submission",
		"districts/{district}/programs/{program}/entries/{entry}":             "entry",
		"districts/{district}/programs/{program}/ballots/{ballot}":            "ballot",
		"districts/{district}/programs/{program}/questions/{question}":        "question",
		"districts/{district}/programs/{program}/responses/{response}":        "response",
		"districts/{district}/programs/{program}/tally":                       "tally",
		"districts/{district}/programs/{program}/contestResults":              "contestResults",
		"districts/{district}/programs/{program}/surveyResults":               "surveyResults",
		"districts/{district}/webhooks/{webhook}":                             "webhook",
		"districts/{district}/webhooks/{webhook}/deliveries/{delivery}":       "delivery",
		"districts/{district}/webhooks/{webhook}/deadLetters/{dead_letter}":   "deadLetter",
	}
	for _, p := range all {
		if w, ok := want[p.String()]; !ok {
			t.Errorf("%s is not in this test: add the type it must have", p)
		} else if p.Type() != w {
			t.Errorf("%s.Type() = %q, want %q", p, p.Type(), w)
		}
	}
	if len(all) != len(want) {
		t.Errorf("the API has %d patterns; this test names %d", len(all), len(want))
	}
}

// TestANameSaysItsTypeAndDistrict reads names of every shape, and names
// of no pattern, for their type (TypeOf) and district (DistrictOf).
func TestANameSaysItsTypeAndDistrict(t *testing.T) {
	for _, tc := range []struct{ name, typ, district string }{
		{"districts/gwangsan", "district", "gwangsan"},
		{"districts/-", "district", "-"},
		{"districts/gwangsan/pledges/p1", "pledge", "gwangsan"},
		{"districts/-/pledges/p1", "pledge", "-"},
		{"districts/gwangsan/pledges/p1/budget", "budget", "gwangsan"},
		{"districts/gwangsan/pledges/p1/photos/2", "photo", "gwangsan"},
		{"districts/gwangsan/pledges/p1/statusChanges/7", "statusChange", "gwangsan"},
		// Ids are not checked: older rows may hold one not valid today.
		{"districts/gwangsan/pledges/p1/indicators/3", "indicator", "gwangsan"},
		{"districts/gwangsan/programs/x/entries/4", "entry", "gwangsan"},
		{"districts/gwangsan/programs/budget-2026/submissions/s", "submission", "gwangsan"},
		{"districts/gwangsan/programs/x/members/m", "member", "gwangsan"},
		{"districts/gwangsan/programs/x/tally", "tally", "gwangsan"},
		{"districts/gwangsan/webhooks/w/deliveries/12", "delivery", "gwangsan"},
		{"districts/gwangsan/implementationReport", "implementationReport", "gwangsan"},
		{"districts/gwangsan/apiKeys/k1", "apiKey", "gwangsan"},
		{"apiKeys/k1", "apiKey", ""},
		// No pattern has these shapes: no type, and a collection is never
		// trimmed into one (imports → import).
		{"districts/gwangsan/imports/i1", "", "gwangsan"},
		{"districts/gwangsan/pledges/p1/entries/e", "", "gwangsan"},
		{"districts/gwangsan/pledges/p1/budget/x", "", "gwangsan"},
		{"districts/gwangsan/pledges", "", "gwangsan"},
		{"pledges/p1", "", ""},
		{"district/gwangsan", "", ""},
		{"xdistricts/gwangsan", "", ""},
		{"districts", "", ""},
		{"", "", ""},
	} {
		typ, ok := TypeOf(tc.name)
		if typ != tc.typ || ok != (tc.typ != "") {
			t.Errorf("TypeOf(%q) = %q, %v; want %q", tc.name, typ, ok, tc.typ)
		}
		if got := DistrictOf(tc.name); got != tc.district {
			t.Errorf("DistrictOf(%q) = %q, want %q", tc.name, got, tc.district)
		}
	}
}

// TestMatchPrefixReadsTheResourceANameIsUnder reads the pledge and the
// program of names of them and of what they hold, and refuses names that
// only look alike.
func TestMatchPrefixReadsTheResourceANameIsUnder(t *testing.T) {
	for _, tc := range []struct {
		pattern Pattern
		name    string
		want    []string // nil: no match
	}{
		{Pledge, "districts/g/pledges/p1", []string{"g", "p1"}},
		{Pledge, "districts/g/pledges/p1/indicators/i", []string{"g", "p1"}},
		{Pledge, "districts/g/pledges/p1/budget", []string{"g", "p1"}},
		{Program, "districts/g/programs/x/entries/4", []string{"g", "x"}},
		{Pledge, "districts/g/pledges", nil},
		{Pledge, "districts/g/programs/p1", nil},
		{Pledge, "districts/g/pledges/P1/budget", nil},
		{Pledge, "districts/g/pledges/p1x", []string{"g", "p1x"}},
		{Pledge, "districts/g", nil},
		{Pledge, "", nil},
	} {
		got, ok := tc.pattern.MatchPrefix(tc.name)
		if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
			t.Errorf("%s.MatchPrefix(%q) = %q, %v; want %q", tc.pattern, tc.name, got, ok, tc.want)
		}
	}
}

func TestParentAndIDOfAName(t *testing.T) {
	for _, tc := range []struct{ name, parent, id string }{
		{"districts/g/pledges/p1/indicators/i", "districts/g/pledges/p1", "i"},
		{"districts/g/programs/x/entries/4", "districts/g/programs/x", "4"},
		{"districts/g", "", "g"},
		{"apiKeys/k", "", "k"},
		{"g", "", "g"},
	} {
		if got := Parent(tc.name); got != tc.parent {
			t.Errorf("Parent(%q) = %q, want %q", tc.name, got, tc.parent)
		}
		if got := ID(tc.name); got != tc.id {
			t.Errorf("ID(%q) = %q, want %q", tc.name, got, tc.id)
		}
	}
}
