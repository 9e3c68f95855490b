package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// span is one received span, with the service that sent it.
type span struct {
	service  string
	name     string
	kind     tracepb.Span_SpanKind
	traceID  string
	spanID   string
	parentID string
	attrs    map[string]string
	// start and end are in Unix nanoseconds.
	start, end uint64
}

// otlpReceiver is an OTLP/HTTP trace receiver: what the services' exporters
// send to OTEL_EXPORTER_OTLP_ENDPOINT lands here.
type otlpReceiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	spans []span
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	rcv := &otlpReceiver{}
	rcv.srv = httptest.NewServer(http.HandlerFunc(rcv.serve))
	t.Cleanup(rcv.srv.Close)
	return rcv
}

func (rcv *otlpReceiver) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" {
		http.NotFound(w, r)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = gz
	}
	raw, _ := io.ReadAll(body)
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rcv.mu.Lock()
	for _, rs := range req.GetResourceSpans() {
		service := ""
		for _, a := range rs.GetResource().GetAttributes() {
			if a.GetKey() == "service.name" {
				service = a.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				attrs := map[string]string{}
				for _, a := range s.GetAttributes() {
					attrs[a.GetKey()] = a.GetValue().GetStringValue()
				}
				rcv.spans = append(rcv.spans, span{
					service: service, name: s.GetName(), kind: s.GetKind(),
					traceID: hex.EncodeToString(s.GetTraceId()), spanID: hex.EncodeToString(s.GetSpanId()),
					parentID: hex.EncodeToString(s.GetParentSpanId()), attrs: attrs,
					start: s.GetStartTimeUnixNano(), end: s.GetEndTimeUnixNano(),
				})
			}
		}
	}
	rcv.mu.Unlock()
	raw, _ = proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(raw) //nolint:errcheck // the exporter retries
}

// trace waits until done holds for the spans of traceID, and returns them.
func (rcv *otlpReceiver) trace(t *testing.T, traceID string, done func([]span) bool) []span {
	t.Helper()
	return rcv.until(t, "trace "+traceID, func(s span) bool { return s.traceID == traceID }, done)
}

// until waits, up to 15 s, until done holds for the received spans that
// keep selects, and returns them.
func (rcv *otlpReceiver) until(t *testing.T, what string, keep func(span) bool, done func([]span) bool) []span {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		rcv.mu.Lock()
		var got []span
		for _, s := range rcv.spans {
			if keep(s) {
				got = append(got, s)
			}
		}
		rcv.mu.Unlock()
		if done(got) {
			return got
		}
		if time.Now().After(deadline) {
			var b bytes.Buffer
			for _, s := range got {
				b.WriteString(s.service + " " + s.kind.String() + " " + s.name + "\n")
			}
			t.Fatalf("%s never completed; received:\n%s", what, b.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
