// Package fieldtext checks the text fields of a write the same way in every
// service, adding a violation that names the field and never repeats its
// value, which may be personal data.
package fieldtext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gongyak/gongyak/pkg/apierr"
)

// Check checks s, the value of field: valid UTF-8 (checked on the wire too,
// again here for other callers), present when required, at most max
// characters (code points, not bytes), and free of control characters but
// those listed in allowed, such as "\n" for a field of several lines. It
// adds at most one violation to v.
func Check(v *apierr.Violations, field, s string, max int, required bool, allowed string) {
	switch {
	case !utf8.ValidString(s):
		v.Add(field, "is not valid UTF-8")
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "is %d characters long; at most %d are allowed", utf8.RuneCountInString(s), max)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && !strings.ContainsRune(allowed, r) }) >= 0:
		if allowed == "" {
			v.Add(field, "must be one line without control characters")
		} else {
			v.Add(field, "holds control characters")
		}
	}
}
