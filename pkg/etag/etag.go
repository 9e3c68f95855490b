// Package etag derives a resource's etag from its revision and checks the
// one a caller sends back (AIP-154).
package etag

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/gongyak/gongyak/pkg/apierr"
)

// Of returns the etag of the resource called name at revision. It is
// opaque to callers and differs for every revision of every resource.
func Of(name string, revision int64) string {
	sum := sha256.Sum256([]byte(name + "\x00" + strconv.FormatInt(revision, 10)))
	return hex.EncodeToString(sum[:10])
}

// Check refuses a stale etag with ABORTED. An empty etag means the caller
// does not ask for the check.
func Check(given, name string, revision int64) error {
	if given == "" || given == Of(name, revision) {
		return nil
	}
	return apierr.EtagMismatch(name)
}

// Require refuses a write that sends no etag, naming field: without it, a
// change someone made since the caller read the resource would be
// overwritten unseen. An update with allow_missing of a resource that does
// not exist yet needs none; its caller checks that before asking.
func Require(field, given string) error {
	if given != "" {
		return nil
	}
	return apierr.Invalid(field, "is required: read the resource first and send its etag, so that a change made since is not overwritten")
}
