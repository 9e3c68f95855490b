package e2e

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// TestTheCardThroughREST imports the seed card over REST into the whole
// suite running as processes, fetches the card and its renderings, and
// stops the indicator service to see the card still answer in time. The
// card's trace shows pledge asking the three other services at once.
func TestTheCardThroughREST(t *testing.T) {
	rcv := newOTLPReceiver(t)
	r := startSuite(t, rcv.srv.URL, "pledge", "budget", "indicator", "participation")
	r.seedGwangsan(t)
	text, err := os.ReadFile("../services/pledge/testdata/cards/000_f92421f269c71dea.txt")
	if err != nil {
		t.Fatal(err)
	}
	imported := r.call(t, "POST", "/v1/districts/gwangsan/pledges:import", map[string]any{"cardText": string(text), "term": 7}).must(t, http.StatusOK)
	name := imported.str("pledge.name")
	if imported.get("created") != true || imported.body["warnings"] != nil || imported.get("submissions") != float64(7) {
		t.Errorf("import answered %s", imported.raw)
	}
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	card := r.call(t, "GET", "/v1/"+name+":card", nil, "traceparent", "00-"+traceID+"-00f067aa0ba902b7-01").must(t, http.StatusOK)
	if card.str("budget.total.plannedWon") != "8500000" || card.str("pledge.requiredBudget.label") != "8.5백만원(구 100)" ||
		card.str("indicatorSection.state") != "SECTION_STATE_AVAILABLE" || len(card.body["programs"].([]any)) != 1 {
		t.Errorf("card: %.600s", card.raw)
	}
	fanOut(t, rcv, traceID)
	again := r.call(t, "POST", "/v1/districts/gwangsan/pledges:import", map[string]any{"cardText": string(text), "term": 7}).must(t, http.StatusOK)
	if again.get("created") == true || again.str("pledge.name") != name {
		t.Errorf("second import: %s", again.raw)
	}

	// The renderings: HTML for people, text that reads back.
	req, _ := http.NewRequest("GET", r.base+"/v1/"+name+":render?format=text", nil)
	req.Header.Set("Authorization", bearer(r.credential))
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rendered := new(strings.Builder)
	_, _ = copyAll(rendered, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !strings.Contains(rendered.String(), "구 비\t8.5\t\t\t2.5\t3\t3") && !strings.Contains(rendered.String(), "구비\t8.5\t\t\t2.5\t3\t3") {
		t.Errorf("text rendering (%d %s):\n%.2000s", resp.StatusCode, resp.Header.Get("Content-Type"), rendered.String())
	}
	req, _ = http.NewRequest("GET", r.base+"/v1/"+name+":render", nil)
	req.Header.Set("Authorization", bearer(r.credential))
	resp, err = r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page := new(strings.Builder)
	_, _ = copyAll(page, resp)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(page.String(), "<h2>III 연도별 투자계획</h2>") {
		t.Errorf("HTML rendering: %s", resp.Header.Get("Content-Type"))
	}

	// Without the indicator service the card still answers, in time.
	if err := r.procs["indicator"].Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	degraded := r.call(t, "GET", "/v1/"+name+":card", nil).must(t, http.StatusOK)
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("the card took %v without the indicator service", took)
	}
	if degraded.str("indicatorSection.state") != "SECTION_STATE_UNAVAILABLE" || degraded.str("budgetSection.state") != "SECTION_STATE_AVAILABLE" {
		t.Errorf("degraded card sections: %v / %v", degraded.get("indicatorSection"), degraded.get("budgetSection"))
	}
}

// fanOut waits for the card's trace to reach pledge and, from pledge's
// server span, one call to each of budget, indicator and participation,
// each answered by that service, and checks the three ran side by side:
// each began before any other ended.
func fanOut(t *testing.T, rcv *otlpReceiver, traceID string) {
	t.Helper()
	calls := map[string]string{
		"budget":        "gongyak.budget.v1.BudgetService/GetBudget",
		"indicator":     "gongyak.indicator.v1.IndicatorService/ListIndicators",
		"participation": "gongyak.participation.v1.ParticipationService/ListPrograms",
	}
	var found []span
	rcv.trace(t, traceID, func(spans []span) bool {
		var server *span
		for i, s := range spans {
			if s.service == "pledge" && s.kind == tracepb.Span_SPAN_KIND_SERVER && s.name == "gongyak.pledge.v1.PledgeService/GetPledgeCard" {
				server = &spans[i]
			}
		}
		if server == nil {
			return false
		}
		found = found[:0]
		for service, method := range calls {
			var client *span
			for i, s := range spans {
				if s.service == "pledge" && s.kind == tracepb.Span_SPAN_KIND_CLIENT && s.name == method && s.parentID == server.spanID {
					client = &spans[i]
				}
			}
			if client == nil {
				return false
			}
			answered := false
			for _, s := range spans {
				answered = answered || s.service == service && s.kind == tracepb.Span_SPAN_KIND_SERVER && s.parentID == client.spanID
			}
			if !answered {
				return false
			}
			found = append(found, *client)
		}
		return true
	})
	for _, a := range found {
		for _, b := range found {
			if a.start > b.end {
				t.Errorf("%s began after %s ended: the card's calls ran one after another", a.name, b.name)
			}
		}
	}
}

func copyAll(w *strings.Builder, resp *http.Response) (int64, error) {
	defer resp.Body.Close()
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := resp.Body.Read(buf)
		w.Write(buf[:k])
		n += int64(k)
		if err != nil {
			return n, nil
		}
	}
}
