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
