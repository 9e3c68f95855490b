package webhookrecv

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The example the Standard Webhooks specification publishes: a receiver
// that verifies it verifies what any conforming sender signs.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func headers(id string, ts int64, sig string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", sig)
	return h
}

// sign is the signature header of body sent as id at ts, made with key.
func sign(key []byte, id string, ts int64, body string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "." + body))
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// at is a verifier of secrets whose clock reads t.
func at(t *testing.T, now int64, secrets ...string) *Verifier {
	t.Helper()
	v, err := New(secrets...)
	if err != nil {
		t.Fatal(err)
	}
	v.now = func() time.Time { return time.Unix(now, 0) }
	return v
}

func TestTheSpecificationsExampleVerifiesOnceAndNotWhenChanged(t *testing.T) {
	other := "whsec_" + "c2Vjb25kLXNlY3JldC1mb3ItdGhlLXJvdGF0aW9uLXRlc3Q="
	for _, tc := range []struct {
		name    string
		secrets []string
		h       http.Header
		body    string
		want    error
	}{
		{"as published", []string{specSecret}, headers(specID, specTimestamp, specSignature), specBody, nil},
		{"among other signatures", []string{other, specSecret}, headers(specID, specTimestamp, "v1,AAAA "+specSignature), specBody, nil},
		{"the body changed", []string{specSecret}, headers(specID, specTimestamp, specSignature), `{"test": 2432232315}`, ErrSignature},
		{"the id changed", []string{specSecret}, headers(specID+"x", specTimestamp, specSignature), specBody, ErrSignature},
		{"another secret", []string{other}, headers(specID, specTimestamp, specSignature), specBody, ErrSignature},
		{"another scheme", []string{specSecret}, headers(specID, specTimestamp, "v1a"+specSignature[2:]), specBody, ErrSignature},
	} {
		_, err := at(t, specTimestamp+10, tc.secrets...).Verify(tc.h, []byte(tc.body))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// A captured delivery is refused when sent again: at once because its id
// was seen, later because its timestamp is too old.
func TestAReplayIsRefused(t *testing.T) {
	v := at(t, specTimestamp, specSecret)
	h := headers(specID, specTimestamp, specSignature)
	if id, err := v.Verify(h, []byte(specBody)); err != nil || id != specID {
		t.Fatalf("the first delivery: %q, %v", id, err)
	}
	if _, err := v.Verify(h, []byte(specBody)); !errors.Is(err, ErrSeen) {
		t.Errorf("the same delivery again: %v, want ErrSeen", err)
	}
	for _, skew := range []int64{-301, 301} {
		late := at(t, specTimestamp+skew, specSecret)
		if _, err := late.Verify(h, []byte(specBody)); !errors.Is(err, ErrTimestamp) {
			t.Errorf("the delivery %ds off the clock: %v, want ErrTimestamp", skew, err)
		}
	}
	if _, err := v.Verify(headers(specID, 0, specSignature), []byte(specBody)); !errors.Is(err, ErrTimestamp) {
		t.Errorf("a delivery without a timestamp: %v, want ErrTimestamp", err)
	}
	// Ids are forgotten once their timestamps are refused anyway.
	v.now = func() time.Time { return time.Unix(specTimestamp+301, 0) }
	if _, err := v.Verify(headers("next", specTimestamp+301, sign(v.keys[0], "next", specTimestamp+301, "{}")), []byte("{}")); err != nil {
		t.Fatalf("the next delivery: %v", err)
	}
	if _, kept := v.seen[specID]; kept || len(v.seen) != 1 {
		t.Errorf("ids kept: %v, want only the next's", v.seen)
	}
}

func TestNewRefusesASecretNotAsShown(t *testing.T) {
	for _, s := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!"} {
		if _, err := New(s); err == nil {
			t.Errorf("New(%q) accepted it", s)
		}
	}
	if _, err := New(); err == nil {
		t.Error("New() without a secret accepted")
	}
}
