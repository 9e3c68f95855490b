//go:build ops

package ops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/e2e/internal/harness"
	"github.com/gongyak/gongyak/pkg/suite"
)

// jaeger is a Jaeger v2 started by a test, keeping traces in memory.
type jaeger struct {
	// otlp is its OTLP/HTTP receiver's URL; query its query API's.
	otlp, query string
	out         *harness.Output
}

// startJaeger starts the Jaeger that `make test-ops` built (JAEGER_BIN)
// with testdata/jaeger.yaml on free loopback ports, and waits until it
// takes spans and answers queries. It is stopped when t ends.
func startJaeger(t *testing.T) *jaeger {
	t.Helper()
	bin := os.Getenv("JAEGER_BIN")
	if bin == "" {
		bin = "../../.bin/jaeger"
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no Jaeger at %s (%v): run make test-ops, which builds Jaeger v1.76.0 from tools/jaeger, or set JAEGER_BIN", bin, err)
	}
	config, err := filepath.Abs("testdata/jaeger.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ports := freePorts(t, 3)
	j := &jaeger{otlp: fmt.Sprintf("http://127.0.0.1:%d", ports[0]), query: fmt.Sprintf("http://127.0.0.1:%d", ports[1]), out: &harness.Output{}}
	env := []string{
		fmt.Sprintf("JAEGER_OTLP_HTTP_PORT=%d", ports[0]),
		fmt.Sprintf("JAEGER_QUERY_HTTP_PORT=%d", ports[1]),
		fmt.Sprintf("JAEGER_QUERY_GRPC_PORT=%d", ports[2]),
	}
	p, err := suite.Start("jaeger", bin, []string{"--config", config}, env, j.out, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(30 * time.Second); err != nil {
			t.Errorf("stopping Jaeger: %v", err)
		}
		if t.Failed() {
			t.Logf("the end of what Jaeger said:\n%s", j.out.Tail(30))
		}
	})
	for deadline := time.Now().Add(time.Minute); ; {
		if listening(ports[0]) && j.answers() {
			return j
		}
		select {
		case <-p.Done():
			t.Fatalf("Jaeger exited while starting (%v):\n%s", p.Err(), j.out.Tail(30))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("Jaeger did not start within a minute:\n%s", j.out.Tail(30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func listening(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// answers reports whether the query API answers.
func (j *jaeger) answers() bool {
	var services struct{ Data []string }
	return j.get("/api/services", &services) == nil
}

// get reads a JSON answer of the query API into v.
func (j *jaeger) get(path string, v any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, j.query+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// jaegerTrace is a trace as Jaeger's query API (/api/traces) gives it.
type jaegerTrace struct {
	TraceID   string `json:"traceID"`
	Spans     []jaegerSpan
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
	}
}

type jaegerSpan struct {
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	References    []struct {
		RefType string `json:"refType"`
		TraceID string `json:"traceID"`
		SpanID  string `json:"spanID"`
	}
	// StartTime and Duration are in microseconds.
	StartTime int64 `json:"startTime"`
	Duration  int64 `json:"duration"`
	Tags      []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	}
	ProcessID string `json:"processID"`
}

// span is a span of a trace with its service and parent resolved.
type span struct {
	id, parent, name, service, kind string
	start, end                      time.Time
}

func (tr jaegerTrace) spans() []span {
	var out []span
	for _, s := range tr.Spans {
		sp := span{id: s.SpanID, name: s.OperationName, service: tr.Processes[s.ProcessID].ServiceName,
			start: time.UnixMicro(s.StartTime), end: time.UnixMicro(s.StartTime + s.Duration)}
		for _, r := range s.References {
			if r.RefType == "CHILD_OF" {
				sp.parent = r.SpanID
			}
		}
		for _, tag := range s.Tags {
			if tag.Key == "span.kind" {
				sp.kind, _ = tag.Value.(string)
			}
		}
		out = append(out, sp)
	}
	return out
}

// traceOf finds the trace whose gateway span carries the request id and
// waits until it holds spans of every service named, and no more come for
// a second: each process sends its spans in batches of its own.
func (j *jaeger) traceOf(t *testing.T, requestID string, services ...string) []span {
	t.Helper()
	tags, _ := json.Marshal(map[string]string{"gongyak.request_id": requestID})
	search := "/api/traces?" + url.Values{"service": {"gateway"}, "tags": {string(tags)}, "lookback": {"1h"}, "limit": {"5"}}.Encode()
	var traceID string
	var last []span
	stableSince := time.Time{}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		var found struct{ Data []jaegerTrace }
		if traceID == "" {
			if err := j.get(search, &found); err != nil || len(found.Data) == 0 {
				continue
			}
			if len(found.Data) > 1 {
				t.Fatalf("%d traces carry the request id %s: one request must be one trace", len(found.Data), requestID)
			}
			traceID = found.Data[0].TraceID
		}
		if err := j.get("/api/traces/"+traceID, &found); err != nil || len(found.Data) != 1 {
			continue
		}
		spans := found.Data[0].spans()
		if len(spans) != len(last) {
			last, stableSince = spans, time.Now()
			continue
		}
		if time.Since(stableSince) >= time.Second && slices.Equal(servicesOf(spans), services) {
			slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })
			t.Logf("trace %s: %d spans", traceID, len(spans))
			return spans
		}
	}
	if traceID == "" {
		t.Fatalf("Jaeger holds no trace of the gateway with gongyak.request_id %s after 60 s", requestID)
	}
	t.Fatalf("the trace %s holds the spans of %v after 60 s, not of %v", traceID, servicesOf(last), services)
	return nil
}

// servicesOf are the services the spans come from, sorted, once each.
func servicesOf(spans []span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.service)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestACardIsOneTraceInJaeger requests one card through the gateway of a
// suite exporting to a real Jaeger, and reads the trace back from Jaeger's
// query API: one trace holding the spans of the gateway and the four
// services, every span's parent in it but the gateway's, the calls going
// gateway → pledge → budget, indicator and participation (which call the
// pledge service back only to look the pledge up for their policies), and
// the pledge service's calls to those three under way at the same time.
func TestACardIsOneTraceInJaeger(t *testing.T) {
	j := startJaeger(t)
	s := startSuite(t, suiteOptions{env: []string{
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + j.otlp,
		// Spans go out a tenth of a second after they end, not five.
		"OTEL_BSP_SCHEDULE_DELAY=100",
		// Jaeger takes traces only: no metrics pushed to it.
		"OTEL_METRICS_EXPORTER=none",
	}})
	card := s.demoPledge(t)

	// Without a credential, as a citizen reads the published card.
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // never fails
	requestID := "ops-card-" + hex.EncodeToString(b)
	r := s.call(t, "GET", "/v1/"+card+":card", "", true, "X-Request-Id", requestID)
	r.must(t, "the card")
	if got := r.header.Get("X-Request-Id"); got != requestID {
		t.Fatalf("the gateway answered with the request id %q, not %q", got, requestID)
	}

	spans := j.traceOf(t, requestID, "budget", "gateway", "indicator", "participation", "pledge")
	byID := map[string]span{}
	for _, sp := range spans {
		byID[sp.id] = sp
	}

	// One root, the gateway's server span; every other parent is here.
	var roots []span
	for _, sp := range spans {
		if sp.parent == "" {
			roots = append(roots, sp)
		} else if _, ok := byID[sp.parent]; !ok {
			t.Errorf("%s span %q (%s) has the parent %s, which is not in the trace", sp.service, sp.name, sp.id, sp.parent)
		}
	}
	if len(roots) != 1 || roots[0].service != "gateway" || roots[0].kind != "server" {
		t.Fatalf("the trace's roots are %v, not the gateway's server span alone", roots)
	}
	t.Logf("root: %s %q", roots[0].service, roots[0].name)

	// The calls between services: a client span in the caller, the
	// server span in the callee its child. The gateway asks the pledge
	// service for the card, which asks budget, indicator and
	// participation for its sections; each of those asks the pledge
	// service back, for its policy, only whether the caller may read the
	// pledge (the pledge's term and its district): a pledge passed along
	// with a call is shown, never trusted.
	edges := map[string][]span{} // the callers' client spans
	for _, sp := range spans {
		parent, ok := byID[sp.parent]
		if !ok || parent.service == sp.service {
			continue
		}
		if parent.kind != "client" || sp.kind != "server" {
			t.Errorf("%s → %s: %s span %q under %s span %q, not a server span under a client span",
				parent.service, sp.service, sp.kind, sp.name, parent.kind, parent.name)
		}
		edge := parent.service + " → " + sp.service
		edges[edge] = append(edges[edge], parent)
		t.Logf("%-24s %s (%s)", edge, sp.name, sp.end.Sub(sp.start))
		switch edge {
		case "gateway → pledge", "pledge → budget", "pledge → indicator", "pledge → participation":
		case "budget → pledge", "indicator → pledge", "participation → pledge":
			if sp.name != "gongyak.pledge.v1.PledgeService/GetPledge" && sp.name != "gongyak.pledge.v1.DistrictService/GetDistrict" {
				t.Errorf("%s: %s, not a lookup of the pledge or its district", edge, sp.name)
			}
		default:
			t.Errorf("a call %s (%s) in a card's trace", edge, sp.name)
		}
	}
	for _, edge := range []string{"gateway → pledge", "pledge → budget", "pledge → indicator", "pledge → participation"} {
		if len(edges[edge]) == 0 {
			t.Fatalf("no call %s in the card's trace", edge)
		}
	}
	if calls := edges["gateway → pledge"]; len(calls) != 1 || !strings.HasSuffix(calls[0].name, "/GetPledgeCard") {
		t.Errorf("the gateway's calls to pledge: %v, want GetPledgeCard once", calls)
	}

	// The fan-out: the pledge service's first call to each section's
	// service; all three under way at one moment.
	var latestStart, earliestEnd time.Time
	for _, service := range []string{"budget", "indicator", "participation"} {
		first := slices.MinFunc(edges["pledge → "+service], func(a, b span) int { return a.start.Compare(b.start) })
		t.Logf("pledge → %-13s %s from +%s to +%s", service, first.name, first.start.Sub(roots[0].start), first.end.Sub(roots[0].start))
		if latestStart.IsZero() || first.start.After(latestStart) {
			latestStart = first.start
		}
		if earliestEnd.IsZero() || first.end.Before(earliestEnd) {
			earliestEnd = first.end
		}
	}
	if !latestStart.Before(earliestEnd) {
		t.Errorf("the card's calls to budget, indicator and participation went one after another: the last began %s after the first ended",
			latestStart.Sub(earliestEnd))
	}
}
