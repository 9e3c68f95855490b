package resourcename

import (
	"slices"
	"strings"
	"testing"

	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/grpc/codes"
)

// An id of 63 characters is the longest AIP-122 allows; 64 is too long.
var (
	id63 = "a" + strings.Repeat("b", 61) + "c"
	id64 = "a" + strings.Repeat("b", 62) + "c"
)

func TestFormatBuildsEveryPattern(t *testing.T) {
	for _, tc := range []struct {
		p    Pattern
		ids  []string
		want string
	}{
		{District, []string{"gwangsan"}, "districts/gwangsan"},
		{Department, []string{"gwangsan", "road"}, "districts/gwangsan/departments/road"},
		{Pledge, []string{"gwangsan", "p1"}, "districts/gwangsan/pledges/p1"},
		{StatusChange, []string{"gwangsan", "p1", "7"}, "districts/gwangsan/pledges/p1/statusChanges/7"},
		{Photo, []string{"gwangsan", "p1", "2"}, "districts/gwangsan/pledges/p1/photos/2"},
		{ImplementationReport, []string{"gwangsan"}, "districts/gwangsan/implementationReport"},
		{APIKey, []string{"k1"}, "apiKeys/k1"},
		{DistrictAPIKey, []string{"gwangsan", "k1"}, "districts/gwangsan/apiKeys/k1"},
		{AuditEvent, []string{"gwangsan", "pledge-12"}, "districts/gwangsan/auditEvents/pledge-12"},
		{Budget, []string{"gwangsan", "p1"}, "districts/gwangsan/pledges/p1/budget"},
		{Indicator, []string{"gwangsan", "p1", "visitors"}, "districts/gwangsan/pledges/p1/indicators/visitors"},
		{Achievement, []string{"gwangsan", "p1"}, "districts/gwangsan/pledges/p1/achievement"},
		{Program, []string{"gwangsan", "budget-2026"}, "districts/gwangsan/programs/budget-2026"},
		{Member, []string{"gwangsan", "pr", "m"}, "districts/gwangsan/programs/pr/members/m"},
		{Submission, []string{"gwangsan", "pr", "s"}, "districts/gwangsan/programs/pr/submissions/s"},
		{Entry, []string{"gwangsan", "pr", "e"}, "districts/gwangsan/programs/pr/entries/e"},
		{Ballot, []string{"gwangsan", "pr", "b"}, "districts/gwangsan/programs/pr/ballots/b"},
		{Question, []string{"gwangsan", "pr", "q"}, "districts/gwangsan/programs/pr/questions/q"},
		{Response, []string{"gwangsan", "pr", "r"}, "districts/gwangsan/programs/pr/responses/r"},
		{Tally, []string{"gwangsan", "pr"}, "districts/gwangsan/programs/pr/tally"},
		{ContestResults, []string{"gwangsan", "pr"}, "districts/gwangsan/programs/pr/contestResults"},
		{SurveyResults, []string{"gwangsan", "pr"}, "districts/gwangsan/programs/pr/surveyResults"},
		{Webhook, []string{"gwangsan", "w"}, "districts/gwangsan/webhooks/w"},
		{Delivery, []string{"gwangsan", "w", "12"}, "districts/gwangsan/webhooks/w/deliveries/12"},
		{DeadLetter, []string{"gwangsan", "w", "3"}, "districts/gwangsan/webhooks/w/deadLetters/3"},
	} {
		if got := tc.p.Format(tc.ids...); got != tc.want {
			t.Errorf("%s.Format(%q) = %q, want %q", tc.p, tc.ids, got, tc.want)
		}
		// What Format builds, Parse reads back.
		if got, err := tc.p.Parse("name", tc.want); err != nil || !slices.Equal(got, tc.ids) {
			t.Errorf("%s.Parse(%q) = %q, %v; want %q", tc.p, tc.want, got, err, tc.ids)
		}
	}
}

func TestParseReadsIDsAtTheLimits(t *testing.T) {
	for _, tc := range []struct {
		p    Pattern
		name string
		want []string
	}{
		{District, "districts/a", []string{"a"}},
		{District, "districts/" + id63, []string{id63}},
		{Pledge, "districts/a-1/pledges/x9", []string{"a-1", "x9"}},
		{StatusChange, "districts/a/pledges/b/statusChanges/999999999999999999", []string{"a", "b", "999999999999999999"}},
		{DeadLetter, "districts/a/webhooks/b/deadLetters/1", []string{"a", "b", "1"}},
	} {
		got, err := tc.p.Parse("name", tc.name)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s.Parse(%q) = %q, %v; want %q", tc.p, tc.name, got, err, tc.want)
		}
	}
}

func TestParseRefusesMalformedNames(t *testing.T) {
	for _, tc := range []struct {
		p    Pattern
		name string
	}{
		{District, "districts"},
		{District, "districts/"},
		{District, "district/gwangsan"},
		{District, "districts/gwangsan/"},
		{District, "/districts/gwangsan"},
		{District, "districts/" + id64},
		{District, "districts/Gwangsan"},
		{District, "districts/1gwangsan"},
		{District, "districts/gwangsan-"},
		{District, "districts/gwang_san"},
		{District, "districts/광산구"},
		{District, "districts/-"},
		{Pledge, "districts/gwangsan"},
		{Pledge, "districts/gwangsan/pledges"},
		{Pledge, "districts/gwangsan/pledges/"},
		{Pledge, "districts/gwangsan/programs/p1"},
		{Pledge, "districts//pledges/p1"},
		{Pledge, "districts/gwangsan/pledges/p1/budget"},
		{Budget, "districts/gwangsan/pledges/p1/budgets"},
		{Budget, "districts/gwangsan/pledges/p1"},
		{APIKey, "districts/gwangsan/apiKeys/k1"},
		{StatusChange, "districts/a/pledges/b/statusChanges/x"},
		{StatusChange, "districts/a/pledges/b/statusChanges/0"},
		{StatusChange, "districts/a/pledges/b/statusChanges/07"},
		{StatusChange, "districts/a/pledges/b/statusChanges/-1"},
		{StatusChange, "districts/a/pledges/b/statusChanges/1234567890123456789"},
		{DeadLetter, "districts/a/webhooks/b/deadLetters/"},
	} {
		ids, err := tc.p.Parse("pledge.name", tc.name)
		want := "must look like " + tc.p.String()
		if err == nil {
			t.Errorf("%s.Parse(%q) = %q, want an error", tc.p, tc.name, ids)
			continue
		}
		checkInvalid(t, err, "pledge.name", want)
	}
}

func TestParseSaysAnEmptyNameIsRequired(t *testing.T) {
	_, err := Pledge.Parse("parent", "")
	checkInvalid(t, err, "parent", "is required: districts/{district}/pledges/{pledge}")
}

// checkInvalid asserts err is the INVALID_ARGUMENT of field with
// description want, as a client sees it.
func checkInvalid(t *testing.T, err error, field, want string) {
	t.Helper()
	st := apierr.ToStatus(err)
	if st.Code() != codes.InvalidArgument {
		t.Errorf("code %v, want INVALID_ARGUMENT (%v)", st.Code(), err)
		return
	}
	vs := apierr.FieldViolations(st)
	if len(vs) != 1 || vs[0].Field != field || vs[0].Description != want {
		t.Errorf("violations %+v, want %s: %q", vs, field, want)
	}
}

func TestMustPatternRefusesMalformedPatterns(t *testing.T) {
	for _, text := range []string{"", "districts/", "districts/{}", "districts/{d", "districts//x"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MustPattern(%q) did not panic", text)
				}
			}()
			MustPattern(text)
		}()
	}
}

func TestProgramRecordNamesEachCollection(t *testing.T) {
	for collection, want := range map[string]string{
		"members":     "districts/d/programs/p/members/x",
		"submissions": "districts/d/programs/p/submissions/x",
		"entries":     "districts/d/programs/p/entries/x",
		"ballots":     "districts/d/programs/p/ballots/x",
		"questions":   "districts/d/programs/p/questions/x",
		"responses":   "districts/d/programs/p/responses/x",
	} {
		if got := ProgramRecord(collection).Format("d", "p", "x"); got != want {
			t.Errorf("ProgramRecord(%q) names %q, want %q", collection, got, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("ProgramRecord(\"tally\") did not panic: the tally is a singleton, not a record")
		}
	}()
	ProgramRecord("tally")
}

func TestMatchWildcardTakesTheWildcardForAnyID(t *testing.T) {
	for _, tc := range []struct {
		p    Pattern
		name string
		want []string // nil: refused
	}{
		{District, "districts/-", []string{"-"}},
		{District, "districts/gwangsan", []string{"gwangsan"}},
		{ImplementationReport, "districts/-/implementationReport", []string{"-"}},
		{Pledge, "districts/gwangsan/pledges/-", []string{"gwangsan", "-"}},
		{District, "districts/--", nil},
		{District, "districts/*", nil},
		{District, "districts/-/", nil},
		{Pledge, "districts/-/-/p1", nil},
	} {
		got, ok := tc.p.MatchWildcard(tc.name)
		if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
			t.Errorf("%s.MatchWildcard(%q) = %q, %v; want %q", tc.p, tc.name, got, ok, tc.want)
		}
		// Match never takes the wildcard.
		if _, ok := tc.p.Match(tc.name); ok && slices.Contains(tc.want, Wildcard) {
			t.Errorf("%s.Match(%q) took the wildcard", tc.p, tc.name)
		}
	}
}
