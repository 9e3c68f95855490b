//go:build faults

package faults

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
)

// receiver is a district system's webhook endpoint: it checks each
// delivery as a district system should (the Standard Webhooks
// signature over id, timestamp and body, a recent timestamp) and answers
// 200 after delay. An event counts as received once a 200 for it was
// written to a live connection: one whose sender died first was never
// acknowledged, and must come again.
type receiver struct {
	srv   *httptest.Server
	delay time.Duration

	mu   sync.Mutex
	keys [][]byte
	// ids are the event ids answered 200, by subject; seen counts the
	// deliveries of each event id, cut off ones too.
	ids      map[string]map[string]bool
	seen     map[string]int
	total    int
	inFlight int
	// cut are the events whose delivery's sender was gone before the
	// answer, with how many times; answered are when each event was
	// last answered 200.
	cut      map[string]int
	answered map[string]time.Time
	bad      []string
}

func newReceiver(t *testing.T, delay time.Duration) *receiver {
	rx := &receiver{delay: delay, ids: map[string]map[string]bool{}, seen: map[string]int{},
		cut: map[string]int{}, answered: map[string]time.Time{}}
	rx.srv = httptest.NewServer(http.HandlerFunc(rx.serve))
	t.Cleanup(rx.srv.Close)
	return rx
}

// setSecret keeps the webhook's secret, as shown once on its creation:
// whsec_ and the base64 of the key.
func (rx *receiver) setSecret(t *testing.T, secret string) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		t.Fatalf("the webhook's secret %q is not whsec_ and base64: %v", secret[:min(len(secret), 6)], err)
	}
	rx.mu.Lock()
	rx.keys = append(rx.keys, key)
	rx.mu.Unlock()
}

// tolerance is how old a delivery's timestamp may be.
const tolerance = 5 * time.Minute

func (rx *receiver) serve(w http.ResponseWriter, r *http.Request) {
	rx.mu.Lock()
	rx.inFlight++
	rx.mu.Unlock()
	defer func() {
		rx.mu.Lock()
		rx.inFlight--
		rx.mu.Unlock()
	}()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	id, ts, sigs := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	var ev eventbus.Event
	problem := ""
	secs, tsErr := strconv.ParseInt(ts, 10, 64)
	switch {
	case r.Method != http.MethodPost:
		problem = "method " + r.Method
	case id == "" || tsErr != nil:
		problem = fmt.Sprintf("webhook-id %q, webhook-timestamp %q", id, ts)
	case time.Since(time.Unix(secs, 0)).Abs() > tolerance:
		problem = fmt.Sprintf("webhook-timestamp %s is more than %s away", time.Unix(secs, 0).Format(time.RFC3339), tolerance)
	case !rx.signed(id, ts, body, sigs):
		problem = fmt.Sprintf("webhook-signature %q does not sign event %s", sigs, id)
	case json.Unmarshal(body, &ev) != nil:
		problem = fmt.Sprintf("event %s: the body is no CloudEvent: %.200s", id, body)
	case ev.ID != id || ev.Type != pledgeCreated || !strings.HasPrefix(ev.Subject, "districts/gwangsan/pledges/"):
		problem = fmt.Sprintf("event %s: id %q, type %q, subject %q", id, ev.ID, ev.Type, ev.Subject)
	}
	rx.mu.Lock()
	rx.total++
	if problem != "" {
		rx.bad = append(rx.bad, problem)
		rx.mu.Unlock()
		http.Error(w, "refused", http.StatusBadRequest)
		return
	}
	rx.seen[id]++
	rx.mu.Unlock()
	select {
	case <-time.After(rx.delay):
	case <-r.Context().Done():
	}
	w.WriteHeader(http.StatusOK)
	// The context ends when the connection is closed: the sender was
	// killed meanwhile, and the answer goes nowhere.
	answered := http.NewResponseController(w).Flush() == nil && r.Context().Err() == nil
	rx.mu.Lock()
	defer rx.mu.Unlock()
	if !answered {
		rx.cut[id]++
		return
	}
	rx.answered[id] = time.Now()
	if rx.ids[ev.Subject] == nil {
		rx.ids[ev.Subject] = map[string]bool{}
	}
	rx.ids[ev.Subject][id] = true
}

// signed reports whether one of the space-separated v1 signatures is the
// HMAC-SHA256 of "id.timestamp.body" with one of the webhook's keys.
func (rx *receiver) signed(id, ts string, body []byte, header string) bool {
	rx.mu.Lock()
	keys := rx.keys
	rx.mu.Unlock()
	for _, sig := range strings.Fields(header) {
		raw, ok := strings.CutPrefix(sig, "v1,")
		if !ok {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			continue
		}
		for _, key := range keys {
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(id + "." + ts + "."))
			mac.Write(body)
			if hmac.Equal(got, mac.Sum(nil)) {
				return true
			}
		}
	}
	return false
}

// cutAnswered is how many of the events whose delivery was cut off were
// answered 200 since, and when the last of them was.
func (rx *receiver) cutAnswered(since time.Time) (int, time.Time) {
	rx.mu.Lock()
	defer rx.mu.Unlock()
	n, last := 0, time.Time{}
	for id := range rx.cut {
		if at, ok := rx.answered[id]; ok && at.After(since) {
			n++
			if at.After(last) {
				last = at
			}
		}
	}
	return n, last
}

func (rx *receiver) arrivals() int {
	rx.mu.Lock()
	defer rx.mu.Unlock()
	return rx.total
}

// waitArrivals waits until n deliveries have arrived, at most within.
func (rx *receiver) waitArrivals(n int, within time.Duration) bool {
	return waitUntil(within, 50*time.Millisecond, func() bool { return rx.arrivals() >= n })
}

// waitInFlight waits until the receiver holds a delivery and returns how
// many it holds.
func (rx *receiver) waitInFlight(t *testing.T, within time.Duration) int {
	t.Helper()
	var n int
	if !waitUntil(within, time.Millisecond, func() bool {
		rx.mu.Lock()
		defer rx.mu.Unlock()
		n = rx.inFlight
		return n > 0
	}) {
		t.Fatalf("no delivery in flight within %s", within)
	}
	return n
}

// waitFor waits until an event of each of subjects has been answered 200,
// at most within, and reports whether they all were.
func (rx *receiver) waitFor(subjects []string, within time.Duration) bool {
	return waitUntil(within, 100*time.Millisecond, func() bool {
		rx.mu.Lock()
		defer rx.mu.Unlock()
		return lacking(rx.ids, subjects) == 0
	})
}

// received is what a receiver has got: its deliveries, the events whose
// delivery was cut off by the sender's death, the distinct events, the events
// delivered more than once, the ids of the events answered 200 by
// subject, and the deliveries it refused, with why.
type received struct {
	deliveries, cut, events, repeated int
	ids                               map[string][]string
	bad                               []string
}

func (rx *receiver) snapshot() received {
	rx.mu.Lock()
	defer rx.mu.Unlock()
	got := received{deliveries: rx.total - len(rx.bad), cut: len(rx.cut), events: len(rx.seen), ids: map[string][]string{}, bad: append([]string(nil), rx.bad...)}
	for _, n := range rx.seen {
		if n > 1 {
			got.repeated++
		}
	}
	for subject, ids := range rx.ids {
		for id := range ids {
			got.ids[subject] = append(got.ids[subject], id)
		}
	}
	return got
}
