// Package resourceid checks and makes resource ids (AIP-122): lowercase
// letters, digits and hyphens, starting with a letter and not ending with
// a hyphen, at most 63 characters.
package resourceid

import (
	"crypto/rand"
	"regexp"

	"github.com/gongyak/gongyak/pkg/apierr"
)

var pattern = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Valid reports whether id can be a resource id.
func Valid(id string) bool { return pattern.MatchString(id) }

// Check refuses an id a client chose that is not a valid resource id,
// naming field.
func Check(field, id string) error {
	if !Valid(id) {
		return apierr.Invalid(field, "must be 1 to 63 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen")
	}
	return nil
}

// New returns a fresh server-assigned id: 12 characters, a letter first,
// without the look-alikes l, o, 0 and 1.
func New() string {
	const letters = "abcdefghijkmnpqrstuvwxyz"
	const alphabet = letters + "23456789"
	b := make([]byte, 12)
	rand.Read(b) //nolint:errcheck // never fails
	b[0] = letters[int(b[0])%len(letters)]
	for i := 1; i < len(b); i++ {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
