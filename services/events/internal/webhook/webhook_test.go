package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestRefusedAddresses(t *testing.T) {
	for _, tc := range []struct {
		ip      string
		refused bool
	}{
		{"127.0.0.1", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.9", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true}, // a cloud's metadata address
		{"fe80::1", true},
		{"fd00::1", true},
		{"0.0.0.0", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"8.8.8.8", false},
		{"2001:4860:4860::8888", false},
		{"172.32.0.1", false},
	} {
		if got := Refused(netip.MustParseAddr(tc.ip)); got != tc.refused {
			t.Errorf("Refused(%s) = %v, want %v", tc.ip, got, tc.refused)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		url, want string // want: part of the error, "" for accepted
	}{
		{"https://203.0.113.7/hook", ""},
		{"http://8.8.8.8:8080/x", ""},
		{"ftp://8.8.8.8/", "http or https"},
		{"https:///path", "host"},
		{"https://user:pw@8.8.8.8/", "user or password"},
		{"http://127.0.0.1:9000/hook", "public addresses only"},
		{"http://[::1]/", "public addresses only"},
		{"http://169.254.169.254/latest/meta-data", "public addresses only"},
		{"http://localhost:8080/", "public addresses only"},
		{"::not a url", "not a URL"},
	} {
		err := Targets{}.Check(context.Background(), tc.url)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Check(%q) = %v, want %q", tc.url, err, tc.want)
		}
	}
	if err := (Targets{AllowPrivate: true}).Check(context.Background(), "http://127.0.0.1:1/"); err != nil {
		t.Errorf("loopback with AllowPrivate: %v", err)
	}
}

// A delivery dialled to a loopback address is refused when it is made,
// whatever the URL said when the webhook was created.
func TestClientRefusesAPrivateAddressAtDelivery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	_, err := Targets{}.Client(time.Second).Post(srv.URL, "application/json", nil)
	if !errors.Is(err, ErrPrivateTarget) {
		t.Errorf("posting to %s: %v, want the private target refused", srv.URL, err)
	}
	resp, err := Targets{AllowPrivate: true}.Client(time.Second).Post(srv.URL, "application/json", nil)
	if err != nil {
		t.Fatalf("with AllowPrivate: %v", err)
	}
	resp.Body.Close()
}

// The signature is checked here as a receiver would, from the Standard
// Webhooks description, not with Signature itself.
func TestSignatureHasOneV1PerKey(t *testing.T) {
	k1, shown := NewSecret()
	if !strings.HasPrefix(shown, SecretPrefix) {
		t.Fatalf("secret shown as %q", shown)
	}
	k2, _ := NewSecret()
	at := time.Unix(1700000000, 0)
	body := []byte(`{"id":"e1"}`)
	header := Signature("e1", at, body, [][]byte{k1, k2})
	sigs := strings.Split(header, " ")
	if len(sigs) != 2 {
		t.Fatalf("signature %q: want two", header)
	}
	for i, key := range [][]byte{k1, k2} {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte("e1.1700000000." + string(body)))
		if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); sigs[i] != want {
			t.Errorf("signature %d = %q, want %q", i, sigs[i], want)
		}
	}
}

func TestRetryWaitsDoubleWithJitterUpToTheCap(t *testing.T) {
	r := Retry{MaxAttempts: 5, First: 10 * time.Second, Cap: time.Minute}
	for _, tc := range []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 5 * time.Second, 10 * time.Second},
		{2, 10 * time.Second, 20 * time.Second},
		{3, 20 * time.Second, 40 * time.Second},
		{4, 30 * time.Second, time.Minute},
		{9, 30 * time.Second, time.Minute},
	} {
		for range 50 {
			if got := r.Wait(tc.attempt); got < tc.min || got > tc.max {
				t.Fatalf("Wait(%d) = %v, want within [%v, %v]", tc.attempt, got, tc.min, tc.max)
			}
		}
	}
}

func TestWants(t *testing.T) {
	w := Webhook{EventTypes: []string{"kr.gongyak.pledge.v1.pledge.updated"}, ResourceTypes: []string{"budget"}}
	for _, tc := range []struct {
		typ, resource string
		want          bool
	}{
		{"kr.gongyak.pledge.v1.pledge.updated", "pledge", true},
		{"kr.gongyak.pledge.v1.pledge.created", "pledge", false},
		{"kr.gongyak.budget.v1.budget.updated", "budget", true},
	} {
		if got := w.Wants(tc.typ, tc.resource); got != tc.want {
			t.Errorf("Wants(%s) = %v, want %v", tc.typ, got, tc.want)
		}
	}
	if !(Webhook{}).Wants("kr.gongyak.x.v1.y.created", "y") {
		t.Error("a webhook that lists nothing wants every change")
	}
}
