package e2e

import (
	"net/http"
	"strings"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// TestOneRequestIsOneTraceAcrossProcesses sends a request with a W3C
// traceparent and finds, in the OTLP receiver, the gateway's server and
// client spans, the pledge service's server span and its SQL spans, all in
// the caller's trace with the right parents, and the trace id in both
// processes' logs.
func TestOneRequestIsOneTraceAcrossProcesses(t *testing.T) {
	rcv := newOTLPReceiver(t)
	r := startSuite(t, rcv.srv.URL, "pledge")
	r.seedGwangsan(t)

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	const callerSpan = "00f067aa0ba902b7"
	traceparent := "00-" + traceID + "-" + callerSpan + "-01"
	// An unknown pledge: the pledge service logs it (at warn) with the
	// trace id, after reading from its database.
	r.call(t, "GET", "/v1/districts/gwangsan/pledges/nothing", nil, "traceparent", traceparent).must(t, http.StatusNotFound)

	find := func(spans []span, service string, kind tracepb.Span_SpanKind, parent string) *span {
		for i, s := range spans {
			if s.service == service && s.kind == kind && (parent == "" || s.parentID == parent) {
				return &spans[i]
			}
		}
		return nil
	}
	var gwServer, gwClient, pledgeServer, sql *span
	rcv.trace(t, traceID, func(spans []span) bool {
		gwServer = find(spans, "gateway", tracepb.Span_SPAN_KIND_SERVER, callerSpan)
		if gwServer == nil {
			return false
		}
		gwClient = find(spans, "gateway", tracepb.Span_SPAN_KIND_CLIENT, gwServer.spanID)
		if gwClient == nil {
			return false
		}
		pledgeServer = find(spans, "pledge", tracepb.Span_SPAN_KIND_SERVER, gwClient.spanID)
		if pledgeServer == nil {
			return false
		}
		sql = find(spans, "pledge", tracepb.Span_SPAN_KIND_CLIENT, pledgeServer.spanID)
		return sql != nil
	})
	if gwServer.name != "GET /v1/{name=districts/*/pledges/*}" {
		t.Errorf("gateway server span is named %q", gwServer.name)
	}
	if gwClient.name != "gongyak.pledge.v1.PledgeService/GetPledge" || pledgeServer.name != gwClient.name {
		t.Errorf("gRPC spans are named %q and %q", gwClient.name, pledgeServer.name)
	}
	if sql.attrs["db.system.name"] != "postgresql" || !strings.Contains(sql.attrs["db.query.text"], "FROM pledges") {
		t.Errorf("SQL span: %s %v", sql.name, sql.attrs)
	}
	for _, service := range []string{"gateway", "pledge"} {
		if !strings.Contains(r.logs[service].String(), `"trace_id":"`+traceID+`"`) {
			t.Errorf("the %s log has no line with the trace id", service)
		}
	}
}
