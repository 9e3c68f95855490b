package dispatch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/eventbus/eventbustest"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/webhookrecv"
	"github.com/gongyak/gongyak/services/events/internal/dispatch"
	"github.com/gongyak/gongyak/services/events/internal/postgres"
	"github.com/gongyak/gongyak/services/events/internal/webhook"
	"github.com/gongyak/gongyak/services/events/migrations"
	"github.com/nats-io/nats.go/jetstream"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// env is a store on a fresh database and an embedded NATS with the change
// stream.
type env struct {
	store *postgres.Store
	js    jetstream.JetStream
	n     int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	pool := pgtest.NewPool(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	_, js := eventbustest.Start(t)
	return &env{store: postgres.New(pool), js: js}
}

var fast = webhook.Retry{MaxAttempts: 8, First: 20 * time.Millisecond, Cap: 100 * time.Millisecond}

// start runs a dispatcher until the returned cancel, which waits for it.
func (e *env) start(t *testing.T, retry webhook.Retry, allowPrivate bool) context.CancelFunc {
	t.Helper()
	cfg := dispatch.Config{Retry: retry, Targets: webhook.Targets{AllowPrivate: allowPrivate}, Timeout: time.Second, Poll: 20 * time.Millisecond, Workers: 4}
	d := dispatch.New(cfg, e.store, e.js, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	// The consumer delivers what comes after it is made: wait for it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := e.js.Consumer(t.Context(), eventbus.StreamName, dispatch.ConsumerName); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the dispatcher's consumer was not made in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return stop
}

// hook adds a webhook of gwangsan to url and returns its secret as it is
// shown.
func (e *env) hook(t *testing.T, id, url string) string {
	t.Helper()
	key, shown := webhook.NewSecret()
	if _, err := e.store.CreateWebhook(t.Context(), webhook.Webhook{District: "gwangsan", ID: id, URL: url}, key); err != nil {
		t.Fatal(err)
	}
	return shown
}

// publish publishes an update of gwangsan's pledge p as its relay does and
// returns the event id.
func (e *env) publish(t *testing.T, p string) string {
	t.Helper()
	e.n++
	id := fmt.Sprintf("ev-%s-%d", p, e.n)
	typ, _ := eventbus.Type("pledge", "pledge", "update")
	subject, _ := eventbus.Subject("gwangsan", typ)
	data, _ := json.Marshal(eventbus.Event{SpecVersion: eventbus.SpecVersion, ID: id, Source: eventbus.Source("pledge"), Type: typ,
		Subject: "districts/gwangsan/pledges/" + p, Time: time.Now(), DataContentType: "application/json", District: "gwangsan",
		Data: json.RawMessage(`{"n":` + strconv.Itoa(e.n) + `}`)})
	if _, err := e.js.Publish(t.Context(), subject, data, jetstream.WithMsgID(id)); err != nil {
		t.Fatal(err)
	}
	return id
}

// receiver is a webhook receiver as the README describes one: it checks
// each delivery with pkg/webhookrecv (the signature with any of its
// secrets, a timestamp at most five minutes off, an id not seen before:
// a repeat is acknowledged, not acted on again) and keeps the ids it
// accepted in order. fail, when set, answers instead for an attempt,
// before the delivery is checked, as a receiver that is down does: an id
// checked is remembered as seen.
type receiver struct {
	mu       sync.Mutex
	verifier *webhookrecv.Verifier
	accepted []string
	attempts map[string]int
	refused  []string // why requests were refused
	fail     func(id string, attempt int) int
	onBody   func() // after accepting, before answering
}

func newReceiver() *receiver {
	return &receiver{attempts: map[string]int{}}
}

// trust makes the receiver check deliveries with the secrets, as shown.
func (r *receiver) trust(t *testing.T, secrets ...string) {
	t.Helper()
	v, err := webhookrecv.New(secrets...)
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	r.verifier = v
	r.mu.Unlock()
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	id := req.Header.Get("webhook-id")
	r.attempts[id]++
	if r.fail != nil {
		if code := r.fail(id, r.attempts[id]); code != 0 {
			w.WriteHeader(code)
			return
		}
	}
	switch _, err := r.verifier.Verify(req.Header, body); {
	case errors.Is(err, webhookrecv.ErrSeen):
		w.WriteHeader(http.StatusNoContent)
		return
	case err != nil:
		r.refused = append(r.refused, err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.accepted = append(r.accepted, id)
	if r.onBody != nil {
		r.onBody()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.accepted...)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not in 20s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAReceiverGetsTheEventSignedAndRefusesAReplay(t *testing.T) {
	e := newEnv(t)
	var captured *http.Request
	var capturedBody []byte
	rcv := newReceiver()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rcv.mu.Lock()
		captured, capturedBody = r, body
		rcv.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		rcv.ServeHTTP(w, r)
	}))
	defer srv.Close()
	rcv.trust(t, e.hook(t, "portal", srv.URL))
	e.start(t, fast, true)
	id := e.publish(t, "p1")
	waitFor(t, "the event delivered", func() bool { return len(rcv.got()) == 1 })
	if got := rcv.got()[0]; got != id {
		t.Fatalf("received %s, want %s", got, id)
	}
	var ev eventbus.Event
	if err := json.Unmarshal(capturedBody, &ev); err != nil || ev.ID != id || ev.Type != "kr.gongyak.pledge.v1.pledge.updated" {
		t.Errorf("the body is %s (%v), want the CloudEvent", capturedBody, err)
	}
	// The same request again — a replay — is refused as seen; with an old
	// timestamp, as stale; with the body changed, as badly signed.
	replay := func(ts string, body []byte) int {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		req.Header = captured.Header.Clone()
		if ts != "" {
			req.Header.Set("webhook-timestamp", ts)
		}
		w := httptest.NewRecorder()
		rcv.ServeHTTP(w, req)
		return w.Code
	}
	if code := replay("", capturedBody); code != http.StatusNoContent || len(rcv.got()) != 1 {
		t.Errorf("a replay of the same id: %d, accepted %d times; want it acknowledged once", code, len(rcv.got()))
	}
	if code := replay(strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10), capturedBody); code != http.StatusBadRequest {
		t.Errorf("an hour-old timestamp: %d, want refused", code)
	}
	if code := replay("", []byte(`{"id":"forged"}`)); code != http.StatusBadRequest {
		t.Errorf("a changed body: %d, want refused", code)
	}
}

func TestAReceiverThatFailsFiveTimesGetsTheEventOnTheSixth(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver()
	rcv.fail = func(_ string, attempt int) int {
		if attempt <= 5 {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	rcv.trust(t, e.hook(t, "finance", srv.URL))
	e.start(t, fast, true)
	id := e.publish(t, "p1")
	waitFor(t, "the event accepted", func() bool { return len(rcv.got()) == 1 })
	rcv.mu.Lock()
	attempts := rcv.attempts[id]
	rcv.mu.Unlock()
	if attempts != 6 {
		t.Errorf("accepted after %d attempts, want 6", attempts)
	}
	list, err := e.store.ListDeliveries(t.Context(), "gwangsan", "finance", 0, 10)
	if err != nil || len(list) != 1 || list[0].State != webhook.Delivered || list[0].Attempts != 6 || list[0].LastStatus != 204 {
		t.Errorf("the delivery reads %+v, %v; want delivered on attempt 6 with 204", list, err)
	}
}

// A dispatcher stopped after the receiver took the event but before it
// marked the delivery loses nothing: the next one delivers it again, and
// the receiver drops the repeat by its webhook-id.
func TestADispatcherKilledMidDeliveryLosesNothing(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver()
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	rcv.trust(t, e.hook(t, "open-data", srv.URL))
	stop := e.start(t, fast, true)
	var once sync.Once
	stopped := make(chan struct{})
	rcv.onBody = func() {
		// The receiver has the event; the dispatcher dies before it hears
		// the answer, so before it can mark the delivery.
		once.Do(func() { go func() { stop(); close(stopped) }() })
		rcv.mu.Unlock()
		<-stopped
		rcv.mu.Lock()
	}
	id := e.publish(t, "p1")
	<-stopped
	if got := rcv.got(); len(got) != 1 || got[0] != id {
		t.Fatalf("the receiver has %v, want %s", got, id)
	}
	list, err := e.store.ListDeliveries(t.Context(), "gwangsan", "open-data", 0, 10)
	if err != nil || len(list) != 1 || list[0].State != webhook.Pending {
		t.Fatalf("after the kill the delivery reads %+v, %v; want still pending", list, err)
	}
	rcv.onBody = nil
	// The claim's lease (2×timeout+5 s) runs out; a new dispatcher takes it.
	e.start(t, fast, true)
	waitFor(t, "the delivery delivered again and marked", func() bool {
		l, _ := e.store.ListDeliveries(t.Context(), "gwangsan", "open-data", 0, 10)
		return len(l) == 1 && l[0].State == webhook.Delivered
	})
	rcv.mu.Lock()
	attempts := rcv.attempts[id]
	rcv.mu.Unlock()
	if got := rcv.got(); len(got) != 1 || attempts != 2 {
		t.Errorf("accepted %v after %d deliveries, want once after two", got, attempts)
	}
}

// A resource's later event waits while its earlier one is retried; the
// other resource's events go meanwhile; a dead letter lets the later ones
// go on.
func TestEachResourcesEventsArriveInOrderUnderRetriesAndAfterADeadLetter(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver()
	var first string
	rcv.fail = func(id string, attempt int) int {
		if id == first && attempt <= 3 {
			return http.StatusInternalServerError
		}
		if strings.HasPrefix(id, "ev-p3-") {
			return http.StatusGone // always: a dead letter
		}
		return 0
	}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	rcv.trust(t, e.hook(t, "portal", srv.URL))
	e.start(t, webhook.Retry{MaxAttempts: 4, First: 50 * time.Millisecond, Cap: 100 * time.Millisecond}, true)
	rcv.mu.Lock()
	first = "ev-p1-1"
	rcv.mu.Unlock()
	var p1, p3 []string
	p1 = append(p1, e.publish(t, "p1"))
	other := e.publish(t, "p2")
	p3 = append(p3, e.publish(t, "p3"))
	p1 = append(p1, e.publish(t, "p1"), e.publish(t, "p1"))
	p3 = append(p3, e.publish(t, "p3"))
	waitFor(t, "every deliverable event", func() bool { return len(rcv.got()) == 4 })
	got := rcv.got()
	var gotP1 []string
	for _, id := range got {
		if strings.HasPrefix(id, "ev-p1-") {
			gotP1 = append(gotP1, id)
		}
	}
	if strings.Join(gotP1, " ") != strings.Join(p1, " ") {
		t.Errorf("p1's events arrived as %v, want %v", gotP1, p1)
	}
	if got[0] != other {
		t.Errorf("p2's event came after %v, want it first while p1's waited", got)
	}
	waitFor(t, "p3's both dead", func() bool {
		l, _ := e.store.ListDeadLetters(t.Context(), "gwangsan", "portal", 0, 10)
		return len(l) == 2
	})
	letters, _ := e.store.ListDeadLetters(t.Context(), "gwangsan", "portal", 0, 10)
	if letters[1].EventID != p3[0] || letters[0].EventID != p3[1] || letters[0].Attempts != 4 || letters[0].LastStatus != 410 {
		t.Errorf("dead letters %+v, want p3's two after 4 attempts with 410", letters)
	}
	// Redelivered, the receiver takes it now.
	rcv.mu.Lock()
	rcv.fail = nil
	rcv.mu.Unlock()
	if _, err := e.store.Redeliver(t.Context(), "gwangsan", "portal", letters[1].ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the redelivered dead letter", func() bool { return len(rcv.got()) == 5 })
	if _, err := e.store.Redeliver(t.Context(), "gwangsan", "portal", letters[1].ID); err == nil {
		t.Error("a second redelivery of the same dead letter was accepted")
	}
}

// A target that is private when the delivery is made is refused then,
// whatever it was when the webhook was made: the attempt fails.
func TestAPrivateTargetIsRefusedAtDelivery(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver()
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	rcv.trust(t, e.hook(t, "sneaky", srv.URL))
	e.start(t, webhook.Retry{MaxAttempts: 2, First: 10 * time.Millisecond, Cap: 10 * time.Millisecond}, false)
	e.publish(t, "p1")
	waitFor(t, "the delivery given up", func() bool {
		l, _ := e.store.ListDeadLetters(t.Context(), "gwangsan", "sneaky", 0, 10)
		return len(l) == 1
	})
	l, _ := e.store.ListDeadLetters(t.Context(), "gwangsan", "sneaky", 0, 10)
	if !strings.Contains(l[0].LastError, "public addresses only") || len(rcv.got()) != 0 {
		t.Errorf("dead letter %+v, receiver got %v; want refused as private, nothing received", l[0], rcv.got())
	}
}

// While a secret is rotated, each delivery carries a signature of each:
// a receiver with either key accepts it.
func TestBothSecretsSignDuringARotation(t *testing.T) {
	e := newEnv(t)
	oldRcv, newRcv := newReceiver(), newReceiver()
	var both *receiver
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		for _, rc := range []*receiver{oldRcv, newRcv} {
			req := r.Clone(r.Context())
			req.Body = io.NopCloser(strings.NewReader(string(body)))
			if rc == both {
				rc.ServeHTTP(w, req)
			} else {
				rc.ServeHTTP(httptest.NewRecorder(), req)
			}
		}
	}))
	defer srv.Close()
	both = newRcv
	oldSecret := e.hook(t, "portal", srv.URL)
	newKey, newSecret := webhook.NewSecret()
	if _, err := e.store.RotateSecret(t.Context(), "gwangsan", "portal", newKey); err != nil {
		t.Fatal(err)
	}
	oldRcv.trust(t, oldSecret)
	newRcv.trust(t, newSecret)
	e.start(t, fast, true)
	e.publish(t, "p1")
	waitFor(t, "the delivery", func() bool { return len(newRcv.got()) == 1 })
	if len(oldRcv.got()) != 1 {
		t.Errorf("the old key's receiver refused it: %v", oldRcv.refused)
	}
	// Retired, the old key signs no more.
	if _, err := e.store.RetireSecrets(t.Context(), "gwangsan", "portal"); err != nil {
		t.Fatal(err)
	}
	e.publish(t, "p2")
	waitFor(t, "the second delivery", func() bool { return len(newRcv.got()) == 2 })
	if len(oldRcv.got()) != 1 || len(oldRcv.refused) != 1 {
		t.Errorf("after retiring, the old key's receiver accepted %v (refused %v); want the second refused", oldRcv.got(), oldRcv.refused)
	}
}
