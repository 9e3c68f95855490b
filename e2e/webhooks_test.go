package e2e

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/webhookrecv"
	"github.com/gongyak/gongyak/services/pledge/fixture"
)

// inbox is a district system's webhook receiver: it verifies each
// delivery as the README's receiver does and keeps the events it accepted.
type inbox struct {
	mu       sync.Mutex
	verifier *webhookrecv.Verifier
	events   []map[string]any
	refused  []string
}

func (in *inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.verifier == nil {
		http.Error(w, "no secret yet", http.StatusServiceUnavailable)
		return
	}
	_, err := in.verifier.Verify(r.Header, body)
	if errors.Is(err, webhookrecv.ErrSeen) {
		return
	}
	if err != nil {
		in.refused = append(in.refused, err.Error())
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var event map[string]any
	if err := json.Unmarshal(body, &event); err != nil {
		in.refused = append(in.refused, "not JSON: "+err.Error())
		http.Error(w, "not JSON", http.StatusBadRequest)
		return
	}
	in.events = append(in.events, event)
}

// A district's admin subscribes the citizen portal to pledge updates; a
// pledge changed through the API reaches the portal signed with the
// secret shown at the subscription, as a CloudEvent holding the pledge as
// the API shows it, and the delivery reads delivered.
func TestAWebhookReceivesAPledgesUpdateSigned(t *testing.T) {
	r := startSuiteWith(t, suiteOptions{services: []string{"pledge", "events"}})
	r.seedGwangsan(t)
	portal := &inbox{}
	srv := httptest.NewServer(portal)
	t.Cleanup(srv.Close)

	created := r.call(t, "POST", "/v1/districts/gwangsan/webhooks?webhookId=portal", map[string]any{
		"url": srv.URL + "/gongyak", "eventTypes": []string{"kr.gongyak.pledge.v1.pledge.updated"}}).must(t, http.StatusOK)
	verifier, err := webhookrecv.New(created.str("secret"))
	if err != nil {
		t.Fatalf("the secret shown at creation: %v", err)
	}
	portal.mu.Lock()
	portal.verifier = verifier
	portal.mu.Unlock()
	hook := created.str("webhook.name")
	key := strings.TrimPrefix(created.str("secret"), "whsec_")
	if got := r.call(t, "GET", "/v1/"+hook, nil).must(t, http.StatusOK); strings.Contains(string(got.raw), key) {
		t.Error("reading the webhook shows its secret again")
	}

	const name = "districts/gwangsan/pledges/innovation-tf"
	p := r.call(t, "POST", "/v1/districts/gwangsan/pledges?pledgeId=innovation-tf", fixture.GwangsanJSON).must(t, http.StatusOK)
	r.call(t, "PATCH", "/v1/"+name, map[string]any{"etag": p.str("etag"), "finalGoal": "시민참여 혁신TF 구성 (완료)"}).must(t, http.StatusOK)

	var events []map[string]any
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		portal.mu.Lock()
		events = append([]map[string]any(nil), portal.events...)
		portal.mu.Unlock()
		if len(events) > 0 {
			break
		}
	}
	portal.mu.Lock()
	refused := portal.refused
	portal.mu.Unlock()
	if len(refused) > 0 {
		t.Errorf("the portal refused deliveries: %v", refused)
	}
	if len(events) != 1 {
		t.Fatalf("the portal got %d events within 20s, want the update (and not the creation, which it did not ask for)", len(events))
	}
	e := events[0]
	data, _ := e["data"].(map[string]any)
	if e["type"] != "kr.gongyak.pledge.v1.pledge.updated" || e["subject"] != name || data["name"] != name ||
		data["finalGoal"] != "시민참여 혁신TF 구성 (완료)" {
		t.Errorf("the portal got %v", e)
	}

	deliveries := r.call(t, "GET", "/v1/"+hook+"/deliveries", nil).must(t, http.StatusOK)
	list, _ := deliveries.get("deliveries").([]any)
	if len(list) != 1 {
		t.Fatalf("the webhook's deliveries: %s, want the one", deliveries.raw)
	}
	d := list[0].(map[string]any)
	if d["state"] != "STATE_DELIVERED" || d["lastResponseStatus"] != float64(http.StatusOK) || d["eventId"] != e["id"] {
		t.Errorf("the delivery reads %v", d)
	}
}
