package e2e

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gongyak/gongyak/services/pledge/fixture"
)

// The services' own changes reach the feed: a pledge created and updated,
// and its budget written, are there for a poller of the district, oldest
// first, each once, with the resource as the API shows it. This needs the
// services to publish their outbox to NATS (the outbox relays).
func TestTheServicesChangesReachTheFeed(t *testing.T) {
	r := startSuiteWith(t, suiteOptions{services: []string{"pledge", "budget", "events"}})
	r.seedGwangsan(t)
	const name = "districts/gwangsan/pledges/innovation-tf"
	created := r.call(t, "POST", "/v1/districts/gwangsan/pledges?pledgeId=innovation-tf", fixture.GwangsanJSON).must(t, http.StatusOK)
	r.call(t, "PATCH", "/v1/"+name, map[string]any{"etag": created.str("etag"), "finalGoal": "시민참여 혁신TF 구성 (완료)"}).must(t, http.StatusOK)
	lines, _ := cardPlanRow(t)
	r.call(t, "PATCH", "/v1/"+name+"/budget?allowMissing=true", map[string]any{"lines": lines}).must(t, http.StatusOK)

	want := []string{"kr.gongyak.pledge.v1.pledge.created", "kr.gongyak.pledge.v1.pledge.updated", "kr.gongyak.budget.v1.budget.created"}
	viewer := r.as(t, "gwangsan-viewer")
	var seen []map[string]any
	token := ""
	deadline := time.Now().Add(20 * time.Second)
	for len(seen) < 3 && time.Now().Before(deadline) {
		page := viewer.call(t, "GET", "/v1/districts/gwangsan/changes?filter="+url.QueryEscape(`resource_type = "pledge" OR resource_type = "budget"`)+
			"&pageToken="+url.QueryEscape(token), nil).must(t, http.StatusOK)
		list, _ := page.get("changes").([]any)
		for _, c := range list {
			seen = append(seen, c.(map[string]any))
		}
		token = page.str("nextPageToken")
		if len(list) == 0 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if len(seen) != len(want) {
		var types []any
		for _, c := range seen {
			types = append(types, c["type"])
		}
		t.Fatalf("the feed holds %v within 20s, want %v: do the services publish their changes to NATS (GONGYAK_NATS_URL)?", types, want)
	}
	for i, c := range seen {
		data, _ := c["data"].(map[string]any)
		subject := name
		if i == 2 {
			subject = name + "/budget"
		}
		typ := c["type"]
		if i == 2 && typ == "kr.gongyak.budget.v1.budget.updated" {
			// A plan written with allow_missing: created or updated, as
			// the budget service's audit action names it.
			typ = want[2]
		}
		if typ != want[i] || c["subject"] != subject || data["name"] != subject {
			t.Errorf("change %d: %v %v (data name %v), want %s of %s", i, c["type"], c["subject"], data["name"], want[i], subject)
		}
	}
}
