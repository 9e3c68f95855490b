// Package filtertest checks, for the tests of every List, that a filter
// the List cannot honour is refused rather than ignored.
package filtertest

import (
	"strings"
	"testing"

	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Unhonourable are filters no List honours — an unknown field, a time that
// is none, an operator a time does not take, a comparison without a value —
// each with what its refusal says.
var Unhonourable = map[string]string{
	`no_such_field > 3`:                  `unknown field "no_such_field"`,
	`update_time > "last week"`:          "RFC 3339",
	`update_time:"2026-01-01T00:00:00Z"`: "is a time",
	`update_time >`:                      "expected a value",
}

// Refused calls list, the List called name, with each of Unhonourable and
// fails t unless each is refused with INVALID_ARGUMENT naming `filter` alone
// and saying what is wrong.
func Refused(t *testing.T, name string, list func(filter string) error) {
	t.Helper()
	for filter, want := range Unhonourable {
		err := list(filter)
		vs := apierr.FieldViolations(status.Convert(err))
		if status.Code(err) != codes.InvalidArgument || len(vs) != 1 || vs[0].Field != "filter" || !strings.Contains(vs[0].Description, want) {
			t.Errorf("%s(filter %q): %v, want INVALID_ARGUMENT naming filter, saying %q", name, filter, err, want)
		}
	}
}
