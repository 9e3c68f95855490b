package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers (https://www.standardwebhooks.com) every
// delivery carries.
const (
	// HeaderID is the event's id: a receiver drops a delivery it has seen.
	HeaderID = "webhook-id"
	// HeaderTimestamp is when the attempt was signed, in unix seconds: a
	// receiver refuses an old one, so a captured request cannot be
	// replayed later.
	HeaderTimestamp = "webhook-timestamp"
	// HeaderSignature is one "v1,<base64 HMAC-SHA256>" per live secret,
	// space-separated.
	HeaderSignature = "webhook-signature"
)

// SecretPrefix begins a secret as it is shown: whsec_ and the base64 of
// the key.
const SecretPrefix = "whsec_"

// NewSecret makes a random 32-byte key and returns it with the form it is
// shown in, once.
func NewSecret() (key []byte, shown string) {
	key = make([]byte, 32)
	rand.Read(key) //nolint:errcheck // crypto/rand.Read never fails
	return key, SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// Signature is the webhook-signature header of a delivery of body as the
// event id at t, signed with each key: "v1,<sig> v1,<sig>".
func Signature(id string, t time.Time, body []byte, keys [][]byte) string {
	signed := SignedContent(id, t, body)
	sigs := make([]string, len(keys))
	for i, key := range keys {
		mac := hmac.New(sha256.New, key)
		mac.Write(signed)
		sigs[i] = "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	}
	return strings.Join(sigs, " ")
}

// SignedContent is what a signature covers: "id.timestamp.body".
func SignedContent(id string, t time.Time, body []byte) []byte {
	return []byte(id + "." + strconv.FormatInt(t.Unix(), 10) + "." + string(body))
}
