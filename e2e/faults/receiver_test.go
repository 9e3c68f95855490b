//go:build faults

package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/webhookrecv"
)

// receiver is a district system's webhook endpoint: it checks each
// delivery as a district system should, with pkg/webhookrecv (the
// Standard Webhooks signature over id, timestamp and body, a recent
// timestamp), and answers 200 after delay. An event counts as received
// once a 200 for it was written to a live connection: one whose sender
// died first was never acknowledged, and must come again.
type receiver struct {
	srv   *httptest.Server
	delay time.Duration

	mu       sync.Mutex
	verifier *webhookrecv.Verifier
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

// setSecret takes the webhook's secret, as shown once on its creation.
func (rx *receiver) setSecret(t *testing.T, secret string) {
	v, err := webhookrecv.New(secret)
	if err != nil {
		t.Fatalf("the webhook's secret %q…: %v", secret[:min(len(secret), 6)], err)
	}
	rx.mu.Lock()
	rx.verifier = v
	rx.mu.Unlock()
}

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
	rx.mu.Lock()
	v := rx.verifier
	rx.mu.Unlock()
	id, err := "", errors.New("a delivery before the webhook's secret was shown")
	if v != nil {
		id, err = v.Verify(r.Header, body)
	}
	// An id the verifier has seen is a delivery again of an event whose
	// answer was lost (its signature and timestamp were checked first):
	// answered 200 again, and counted.
	if errors.Is(err, webhookrecv.ErrSeen) {
		err = nil
	}
	var ev eventbus.Event
	problem := ""
	switch {
	case r.Method != http.MethodPost:
		problem = "method " + r.Method
	case err != nil:
		problem = fmt.Sprintf("event %s: %v", id, err)
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
