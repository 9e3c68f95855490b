// Package webhookrecv checks Gongyak's webhook deliveries for a receiver
// written in Go: the signature (Standard Webhooks: HMAC-SHA256 over
// "id.timestamp.body" with the secret shown when the webhook was made or
// rotated), the timestamp (a delivery signed too long ago is refused, so a
// captured one cannot be replayed later) and the id (one seen within the
// tolerance is a replay, or a retry of a delivery already handled).
//
// Gongyak signs with every live secret, so a receiver given the new secret
// during a rotation accepts deliveries as soon as it has it, and one that
// still has only the old accepts them until the old is retired.
package webhookrecv

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The errors Verify returns.
var (
	ErrSignature = errors.New("webhook: no valid signature")
	ErrTimestamp = errors.New("webhook: timestamp missing or outside the tolerance")
	ErrSeen      = errors.New("webhook: id seen already")
)

// DefaultTolerance is how far a delivery's timestamp may be from the
// receiver's clock.
const DefaultTolerance = 5 * time.Minute

// Verifier checks deliveries against a webhook's secrets and remembers
// the ids it accepted for as long as their timestamps are within the
// tolerance; after that the timestamp check refuses them. It is safe for
// concurrent use.
type Verifier struct {
	keys      [][]byte
	tolerance time.Duration
	now       func() time.Time

	mu   sync.Mutex
	seen map[string]time.Time // id → when it may be forgotten
}

// New returns a Verifier for the secrets as Gongyak showed them
// ("whsec_…"); give both during a rotation.
func New(secrets ...string) (*Verifier, error) {
	v := &Verifier{tolerance: DefaultTolerance, now: time.Now, seen: map[string]time.Time{}}
	for _, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil || !strings.HasPrefix(s, "whsec_") {
			return nil, fmt.Errorf("webhook: a secret must be whsec_ and base64, as it was shown")
		}
		v.keys = append(v.keys, key)
	}
	if len(v.keys) == 0 {
		return nil, errors.New("webhook: no secret")
	}
	return v, nil
}

// Verify checks a delivery's headers and body and returns its id. It
// remembers the id when it accepts it: a receiver whose handling can
// fail after Verify should keep the ids it handled in its own store
// instead, so that Gongyak's retry of a failed one is handled.
func (v *Verifier) Verify(h http.Header, body []byte) (string, error) {
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	now := v.now()
	if id == "" || err != nil || now.Sub(time.Unix(sec, 0)).Abs() > v.tolerance {
		return id, ErrTimestamp
	}
	if !v.signed(id, ts, body, h.Get("webhook-signature")) {
		return id, ErrSignature
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for seen, until := range v.seen {
		if now.After(until) {
			delete(v.seen, seen)
		}
	}
	if _, ok := v.seen[id]; ok {
		return id, ErrSeen
	}
	v.seen[id] = time.Unix(sec, 0).Add(v.tolerance)
	return id, nil
}

// signed reports whether one of the header's "v1,<base64>" signatures is
// the HMAC of id.timestamp.body under one of the keys.
func (v *Verifier) signed(id, ts string, body []byte, header string) bool {
	content := []byte(id + "." + ts + "." + string(body))
	for _, key := range v.keys {
		mac := hmac.New(sha256.New, key)
		mac.Write(content)
		want := mac.Sum(nil)
		for _, sig := range strings.Fields(header) {
			b64, ok := strings.CutPrefix(sig, "v1,")
			if !ok {
				continue
			}
			if got, err := base64.StdEncoding.DecodeString(b64); err == nil && hmac.Equal(got, want) {
				return true
			}
		}
	}
	return false
}
