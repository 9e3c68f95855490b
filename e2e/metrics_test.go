package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestEveryProcessServesItsMetricsForPrometheus starts the suite with
// GONGYAK_METRICS_ADDR, makes calls that succeed and fail, one carrying a
// member's personal data, and scrapes each process as Prometheus would:
// the gateway's request durations by route pattern and status, each
// service's call durations by method and status code, the gateway's calls
// to them, the pools' connections, Go's runtime, and no personal data nor
// district name in any label.
func TestEveryProcessServesItsMetricsForPrometheus(t *testing.T) {
	r := startSuiteWith(t, suiteOptions{services: []string{"pledge", "participation"}, metrics: true})
	r.seedGwangsan(t)
	r.call(t, "GET", "/v1/districts/gwangsan/pledges/nothing", nil).must(t, http.StatusNotFound)
	r.call(t, "GET", "/v1/districts/gwangsan/pledges", nil).must(t, http.StatusOK)
	tf := r.call(t, "POST", "/v1/districts/gwangsan/programs", map[string]any{"kind": "PROGRAM_KIND_TASK_FORCE", "title": "광산구정혁신 TF",
		"declared": map[string]int{"participants": 50}}).must(t, http.StatusOK)
	secrets := []string{"홍길동", "010-2468-1357", "gildong@example.kr"}
	r.call(t, "POST", "/v1/"+tf.str("name")+"/members", map[string]any{
		"person": map[string]string{"name": "홍길동", "phone": "010-2468-1357", "email": "gildong@example.kr"}, "role": "MEMBER_ROLE_CITIZEN",
	}).must(t, http.StatusOK)

	scrapes := map[string]scrape{}
	for _, name := range []string{"gateway", "pledge", "participation"} {
		scrapes[name] = r.scrapeMetrics(t, name)
	}
	gw, pledge, participation := scrapes["gateway"], scrapes["pledge"], scrapes["participation"]

	// The gateway: each request under its route's pattern.
	getPledge := map[string]string{"http_route": "/v1/{name=districts/*/pledges/*}", "http_request_method": "GET", "http_response_status_code": "404"}
	if gw.count(t, "http_server_request_duration_seconds", getPledge) != 1 {
		t.Errorf("the gateway measured no 404 of GetPledge's route %v", getPledge)
	}
	if gw.count(t, "http_server_request_duration_seconds", map[string]string{"http_route": "/v1/{parent=districts/*}/pledges", "http_response_status_code": "200"}) < 1 {
		t.Error("the gateway measured no 200 of ListPledges's route")
	}
	// ... and its calls to the services.
	if gw.count(t, "rpc_client_call_duration_seconds", map[string]string{"rpc_method": "gongyak.pledge.v1.PledgeService/GetPledge", "rpc_response_status_code": "NOT_FOUND"}) != 1 {
		t.Error("the gateway measured no call of GetPledge answered NOT_FOUND")
	}
	// A service: each call by method and status code.
	if pledge.count(t, "rpc_server_call_duration_seconds", map[string]string{"rpc_method": "gongyak.pledge.v1.PledgeService/GetPledge", "rpc_response_status_code": "NOT_FOUND"}) != 1 {
		t.Error("pledge measured no GetPledge answered NOT_FOUND")
	}
	if participation.count(t, "rpc_server_call_duration_seconds", map[string]string{"rpc_method": "gongyak.participation.v1.ParticipationService/CreateMember", "rpc_response_status_code": "OK"}) != 1 {
		t.Error("participation measured no CreateMember answered OK")
	}
	for name, s := range scrapes {
		// The pool, its statements, and the runtime.
		if name != "gateway" {
			pool := map[string]string{"db_client_connection_pool_name": "gongyak-" + name}
			if v := s.value(t, "pgxpool_max_connections", pool); v < 1 {
				t.Errorf("%s: the pool holds at most %v connections", name, v)
			}
			s.value(t, "pgxpool_idle_connections", pool)
			if s.count(t, "db_client_operation_duration_seconds", map[string]string{"db_operation_name": "SELECT"}) < 1 {
				t.Errorf("%s measured no SELECT", name)
			}
		}
		if v := s.value(t, "go_goroutine_count", nil); v < 1 {
			t.Errorf("%s: %v goroutines", name, v)
		}
		if len(s.matching(t, "go_memory_used_bytes", map[string]string{"go_memory_type": "stack"})) != 1 {
			t.Errorf("%s: no memory used by stacks", name)
		}
		// Every series says whose it is.
		served := "rpc_server_call_duration_seconds"
		if name == "gateway" {
			served = "http_server_request_duration_seconds"
		}
		if s.count(t, served, map[string]string{"service_name": name}) < 1 {
			t.Errorf("%s: no series labelled service_name=%s", name, name)
		}
		// Labels hold patterns and codes, never what a caller sent.
		for _, secret := range append(secrets, "gwangsan") {
			if strings.Contains(s.text, secret) {
				t.Errorf("%s's metrics hold %q", name, secret)
			}
		}
	}
}

// scrape is one process's /metrics, as text and parsed.
type scrape struct {
	text     string
	families map[string]*dto.MetricFamily
}

// scrapeMetrics reads the named process's /metrics.
func (r *running) scrapeMetrics(t *testing.T, name string) scrape {
	t.Helper()
	resp, err := r.client.Get("http://" + r.metrics[name] + "/metrics")
	if err != nil {
		t.Fatalf("scraping %s: %v", name, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scraping %s: %d %v", name, resp.StatusCode, err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("%s's metrics do not parse: %v\n%s", name, err, raw)
	}
	return scrape{text: string(raw), families: families}
}

// matching are the series of the family that carry every label given.
func (s scrape) matching(t *testing.T, family string, labels map[string]string) []*dto.Metric {
	t.Helper()
	f, ok := s.families[family]
	if !ok {
		t.Errorf("no %s among the metrics", family)
		return nil
	}
	var out []*dto.Metric
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range labels {
			match = match && have[k] == v
		}
		if match {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		var seen []string
		for _, m := range f.GetMetric() {
			seen = append(seen, m.String())
		}
		t.Logf("no %s with %v among:\n%s", family, labels, strings.Join(seen, "\n"))
	}
	return out
}

// count is how many observations the histogram family holds in the series
// that carry the labels.
func (s scrape) count(t *testing.T, family string, labels map[string]string) uint64 {
	t.Helper()
	var n uint64
	for _, m := range s.matching(t, family, labels) {
		n += m.GetHistogram().GetSampleCount()
	}
	return n
}

// value is the gauge's (or counter's) value in the one series that
// carries the labels.
func (s scrape) value(t *testing.T, family string, labels map[string]string) float64 {
	t.Helper()
	ms := s.matching(t, family, labels)
	if len(ms) != 1 {
		t.Errorf("%d series of %s with %v, want 1", len(ms), family, labels)
		return 0
	}
	if g := ms[0].GetGauge(); g != nil {
		return g.GetValue()
	}
	return ms[0].GetCounter().GetValue()
}
