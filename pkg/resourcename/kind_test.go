package resourcename

import "testing"

func TestEveryPatternSaysItsType(t *testing.T) {
	for _, tc := range []struct {
		p    Pattern
		want string
	}{
		{District, "district"},
		{Department, "department"},
		{Pledge, "pledge"},
		{StatusChange, "statusChange"},
		{Photo, "photo"},
		{ImplementationReport, "implementationReport"},
		{APIKey, "apiKey"},
		{DistrictAPIKey, "apiKey"},
		{AuditEvent, "auditEvent"},
		{Budget, "budget"},
		{Indicator, "indicator"},
		{Achievement, "achievement"},
		{Program, "program"},
		{Member, "member"},
		{Submission, "submission"},
		{Entry, "entry"},
		{Ballot, "ballot"},
		{Question, "question"},
		{Response, "response"},
		{Tally, "tally"},
		{ContestResults, "contestResults"},
		{SurveyResults, "surveyResults"},
		{Webhook, "webhook"},
		{Delivery, "delivery"},
		{DeadLetter, "deadLetter"},
	} {
		if got := tc.p.Type(); got != tc.want {
			t.Errorf("%s.Type() = %q, want %q", tc.p, got, tc.want)
		}
	}
	if len(all) != 25 {
		t.Errorf("the API has %d patterns; this test names 25: add the new one's type above", len(all))
	}
}

func TestTypeOfReadsANamesShapeWhateverItsIDs(t *testing.T) {
	for name, want := range map[string]string{
		"districts/gwangsan":                                    "district",
		"districts/-":                                           "district",
		"districts/gwangsan/pledges/p1":                         "pledge",
		"districts/gwangsan/pledges/p1/budget":                  "budget",
		"districts/gwangsan/pledges/p1/photos/2":                "photo",
		"districts/gwangsan/pledges/p1/statusChanges/7":         "statusChange",
		"districts/gwangsan/pledges/p1/indicators/3":            "indicator", // an id not valid today, as older rows may hold
		"districts/gwangsan/programs/x/entries/4":               "entry",
		"districts/gwangsan/programs/x/tally":                   "tally",
		"districts/gwangsan/webhooks/w/deliveries/12":           "delivery",
		"districts/gwangsan/apiKeys/k1":                         "apiKey",
		"apiKeys/k1":                                            "apiKey",
		"districts/gwangsan/implementationReport":               "implementationReport",
		"districts/gwangsan/programs/budget-2026/submissions/s": "submission",
	} {
		if got, ok := TypeOf(name); !ok || got != want {
			t.Errorf("TypeOf(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{
		"",
		"districts",
		"districts/gwangsan/pledges",
		"districts/gwangsan/imports/i1", // no such collection: not trimmed to "import"
		"districts/gwangsan/pledges/p1/entries/e", // entries are a program's
		"pledges/p1",
		"districts/gwangsan/pledges/p1/budget/x",
	} {
		if got, ok := TypeOf(name); ok {
			t.Errorf("TypeOf(%q) = %q; want none: no pattern has its shape", name, got)
		}
	}
}

func TestDistrictOfReadsTheDistrictOfAnyName(t *testing.T) {
	for name, want := range map[string]string{
		"districts/gwangsan":                      "gwangsan",
		"districts/gwangsan/pledges/p1":           "gwangsan",
		"districts/gwangsan/programs/x/members/m": "gwangsan",
		"districts/-":                             "-",
		"districts/-/pledges/p1":                  "-",
		"apiKeys/k1":                              "",
		"":                                        "",
		"districts":                               "",
		"district/gwangsan":                       "",
		"xdistricts/gwangsan":                     "",
	} {
		if got := DistrictOf(name); got != want {
			t.Errorf("DistrictOf(%q) = %q, want %q", name, got, want)
		}
	}
}
