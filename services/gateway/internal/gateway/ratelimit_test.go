package gateway

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// clientFrom is an HTTP client whose connections come from the loopback
// address local, another client address on this machine.
func clientFrom(local string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// untilLimited sends reads until one is answered 429 and returns that
// answer's body, checking that no fewer went through than the burst and
// no more than the bucket could have refilled meanwhile.
func untilLimited(t *testing.T, client *http.Client, url string, perSecond int, headers ...string) {
	t.Helper()
	start := time.Now()
	for passed := 0; ; passed++ {
		resp, body := send(t, client, "GET", url, "", headers...)
		if resp.StatusCode == http.StatusOK {
			if allowed := 2*perSecond + int(time.Since(start).Seconds()*float64(perSecond)) + 1; passed >= allowed {
				t.Fatalf("%d requests in %v went through a limit of %d/s", passed+1, time.Since(start), perSecond)
			}
			continue
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if passed < 2*perSecond {
			t.Errorf("only %d requests went through before a 429; the burst is %d", passed, 2*perSecond)
		}
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 {
			t.Errorf("Retry-After %q, want whole seconds, at least 1", resp.Header.Get("Retry-After"))
		}
		var st struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal([]byte(body), &st); err != nil || st.Code != 8 || st.Message == "" {
			t.Errorf("429 body %s is not a RESOURCE_EXHAUSTED google.rpc.Status", body)
		}
		return
	}
}

func TestEachClientAddressIsHeldToItsRate(t *testing.T) {
	cfg := testConfig()
	cfg.RateLimit = 2
	base, _ := serve(t, cfg)
	one := clientFrom("127.0.0.1")
	untilLimited(t, one, base+pledgePath, cfg.RateLimit)
	// Another credential does not help the same address.
	if resp, _ := send(t, one, "GET", base+pledgePath, "", "Authorization", "Bearer another"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the limited address with a credential: %d", resp.StatusCode)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		for range 10 {
			if resp, body := send(t, one, "GET", base+path, ""); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s of a limited client: %d %s", path, resp.StatusCode, body)
			}
		}
	}
	if resp, body := send(t, clientFrom("127.0.0.2"), "GET", base+pledgePath, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("another address: %d %s", resp.StatusCode, body)
	}
}

func TestEachCredentialIsHeldToItsRate(t *testing.T) {
	cfg := testConfig()
	cfg.KeyRateLimit = 2
	base, _ := serve(t, cfg)
	client := clientFrom("127.0.0.1")
	untilLimited(t, client, base+pledgePath, cfg.KeyRateLimit, "Authorization", "Bearer key-one")
	if resp, body := send(t, client, "GET", base+pledgePath, "", "Authorization", "Bearer key-two"); resp.StatusCode != http.StatusOK {
		t.Errorf("another credential from the same address: %d %s", resp.StatusCode, body)
	}
	if resp, body := send(t, clientFrom("127.0.0.2"), "GET", base+pledgePath, "", "Authorization", "Bearer key-one"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the limited credential from another address: %d %s", resp.StatusCode, body)
	}
}

func TestIdleBucketsAreForgotten(t *testing.T) {
	b := newBuckets(5)
	start := time.Now()
	for i := range 10_000 {
		b.take(fmt.Sprint("client-", i), start)
	}
	if b.size() != 10_000 {
		t.Fatalf("%d buckets", b.size())
	}
	// A minute on, the sweep forgets every bucket full again.
	t1 := start.Add(forgetAfter)
	for range 10 {
		b.take("busy", t1)
	}
	if b.size() != 1 {
		t.Errorf("%d buckets held after a minute of quiet, want 1", b.size())
	}
	// A bucket not yet full again is remembered through the next sweep.
	t2 := t1.Add(forgetAfter)
	for range 10 {
		b.take("busy", t2.Add(-100*time.Millisecond))
	}
	b.take("other", t2)
	if _, wait := b.take("busy", t2); wait <= 0 || b.size() != 2 {
		t.Errorf("a client that emptied its bucket 100 ms ago got a full one (%d buckets held)", b.size())
	}
}

// size is the number of buckets held.
func (b *buckets) size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.byKey)
}
