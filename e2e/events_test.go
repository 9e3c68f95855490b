package e2e

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestChangingABudgetPublishesItsEvent changes a pledge's budget through
// the gateway and finds the change on the stream, as another district
// system subscribed to it would: kr.gongyak.budget.v1.budget.updated,
// about the budget, with the budget as the API shows it as data.
func TestChangingABudgetPublishesItsEvent(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget")
	r.seedGwangsan(t)
	r.call(t, "POST", "/v1/districts/gwangsan/pledges?pledgeId=innovation-tf", fixture.GwangsanJSON).must(t, http.StatusOK)
	path := "/v1/districts/gwangsan/pledges/innovation-tf/budget"
	lines := []map[string]any{{"source": "FUNDING_SOURCE_LOCAL", "sourceLabel": "구비", "year": "2020", "plannedWon": "2500000"}}
	created := r.call(t, "PATCH", path+"?allowMissing=true", map[string]any{"lines": lines}).must(t, http.StatusOK)
	lines = append(lines, map[string]any{"source": "FUNDING_SOURCE_LOCAL", "sourceLabel": "구비", "year": "2021", "plannedWon": "3000000"})
	updated := r.call(t, "PATCH", path, map[string]any{"etag": created.str("etag"), "lines": lines}).must(t, http.StatusOK)

	nc, err := nats.Connect(r.nats.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	subject, _ := eventbus.Subject("gwangsan", "kr.gongyak.budget.v1.budget.updated")
	cons, err := js.OrderedConsumer(ctx, eventbus.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(jetstream.FetchMaxWait(20 * time.Second))
	if err != nil {
		t.Fatalf("no %s on the stream within 20s: %v", subject, err)
	}
	var e eventbus.Event
	if err := json.Unmarshal(msg.Data(), &e); err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	if err := json.Unmarshal(e.Data, &data); err != nil {
		t.Fatal(err)
	}
	if e.Type != "kr.gongyak.budget.v1.budget.updated" || e.Subject != "districts/gwangsan/pledges/innovation-tf/budget" ||
		e.Source != "/gongyak/budget" || e.District != "gwangsan" || msg.Headers().Get(jetstream.MsgIDHeader) != e.ID {
		t.Errorf("the event: %+v (Nats-Msg-Id %q)", e, msg.Headers().Get(jetstream.MsgIDHeader))
	}
	total, _ := data["total"].(map[string]any)
	if data["name"] != updated.str("name") || data["etag"] != updated.str("etag") || total["plannedWon"] != "5500000" {
		t.Errorf("the event's data is not the budget after the change:\n%s\nthe API answered:\n%s", e.Data, updated.raw)
	}
}
