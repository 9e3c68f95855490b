package resourcename

import "testing"

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
