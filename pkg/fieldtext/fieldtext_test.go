package fieldtext_test

import (
	"strings"
	"testing"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/fieldtext"
)

func TestCheckNamesTheFieldAndWhatIsWrong(t *testing.T) {
	for _, tt := range []struct {
		name, s  string
		required bool
		allowed  string
		want     string // the description; "" for no violation
	}{
		{"Korean within the limit", "정보공개 확대", true, "", ""},
		{"an empty optional field", "", false, "", ""},
		{"a blank required field", "  ", true, "", "is required"},
		{"too long, counted in characters", strings.Repeat("가", 11), false, "", "is 11 characters long; at most 10 are allowed"},
		{"ten Hangul are 30 bytes but fit", strings.Repeat("가", 10), false, "", ""},
		{"broken UTF-8", "\xff", false, "", "is not valid UTF-8"},
		{"a line break in a one-line field", "가\n나", false, "", "must be one line without control characters"},
		{"a line break where lines are allowed", "가\n나", false, "\n", ""},
		{"a tab where only line breaks are allowed", "가\t나", false, "\n", "holds control characters"},
	} {
		var v apierr.Violations
		fieldtext.Check(&v, "pledge.title", tt.s, 10, tt.required, tt.allowed)
		got := ""
		if e, ok := v.Err().(*apierr.Error); ok {
			if len(e.Violations) != 1 || e.Violations[0].Field != "pledge.title" {
				t.Errorf("%s: violations %v", tt.name, e.Violations)
				continue
			}
			got = e.Violations[0].Description
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if got != "" && tt.s != "" && strings.Contains(got, tt.s) {
			t.Errorf("%s: the value is repeated in %q", tt.name, got)
		}
	}
}
