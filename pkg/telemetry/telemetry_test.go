package telemetry

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Spans are exported only when the environment names where: an OTLP
// endpoint, or an exporter by OTEL_TRACES_EXPORTER; without either, none,
// though autoexport alone would send OTLP to localhost.
func TestSpansAreExportedOnlyWhenTheEnvironmentSaysWhere(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env       map[string]string
		exporting bool
		fails     bool
	}{
		{name: "nothing set", exporting: false},
		{name: "an endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, exporting: true},
		{name: "a traces endpoint over gRPC", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4317",
			"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, exporting: true},
		{name: "an endpoint, but none", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"}},
		{name: "to the console", env: map[string]string{"OTEL_TRACES_EXPORTER": "console"}, exporting: true},
		{name: "a protocol there is not", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "carrier-pigeon"}, fails: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, name := range []string{"OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
				"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
				t.Setenv(name, tc.env[name])
			}
			shutdown, exporting, err := Setup(context.Background(), "test")
			if tc.fails {
				if err == nil {
					shutdown(context.Background()) //nolint:errcheck // failing anyway
					t.Fatal("set up without an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer shutdown(context.Background()) //nolint:errcheck // nothing was sent
			if exporting != tc.exporting {
				t.Errorf("exporting = %v, want %v", exporting, tc.exporting)
			}
		})
	}
}

// A binary given GONGYAK_METRICS_ADDR serves what is recorded through the
// global meter provider, and Go's runtime, at /metrics; without it, it
// serves nothing.
func TestMetricsAreServedWhereAsked(t *testing.T) {
	if m, err := ServeMetrics("quiet", ""); m != nil || err != nil {
		t.Fatalf("no address, yet %v %v", m, err)
	}
	m, err := ServeMetrics("pledge", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background()) //nolint:errcheck // the test is over
	c, err := otel.Meter("test").Int64Counter("gongyak.test.calls")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(context.Background(), 3)
	resp, err := http.Get("http://" + m.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`gongyak_test_calls_total{otel_scope_name="test",otel_scope_schema_url="",otel_scope_version="",service_name="pledge"} 3`, "go_goroutine_count{"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("no %s in:\n%s", want, raw)
		}
	}
}

// A process that exports nothing keeps trace ids for its logs and its
// callees, and records spans only for a caller that asked to keep the
// trace; one that exports records every trace.
func TestSpansAreRecordedOnlyWhereSomeoneWillReadThem(t *testing.T) {
	keep := propagation.MapCarrier{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
	drop := propagation.MapCarrier{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"}
	for _, tc := range []struct {
		name      string
		exporting bool
		caller    propagation.MapCarrier
		recording bool
	}{
		{"not exporting, a new trace", false, nil, false},
		{"not exporting, the caller keeps it", false, keep, true},
		{"not exporting, the caller does not", false, drop, false},
		{"exporting, a new trace", true, nil, true},
		{"exporting, the caller does not keep it", true, drop, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler(tc.exporting)))
			ctx := context.Background()
			if tc.caller != nil {
				ctx = propagation.TraceContext{}.Extract(ctx, tc.caller)
			}
			_, span := tp.Tracer("test").Start(ctx, "call")
			defer span.End()
			if !span.SpanContext().IsValid() {
				t.Errorf("the span has no trace id for the logs")
			}
			if span.IsRecording() != tc.recording {
				t.Errorf("recording = %v, want %v", span.IsRecording(), tc.recording)
			}
		})
	}
}

func TestProfileWritesTheProcessCPUProfileWhenAsked(t *testing.T) {
	t.Setenv(ProfileDirEnv, "")
	stop, err := Profile("quiet")
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv(ProfileDirEnv, dir)
	stop, err = Profile("pledge")
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "pledge-*.cpu.pprof"))
	if len(files) != 1 {
		t.Fatalf("profiles written: %v", files)
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Size() == 0 {
		t.Errorf("the profile is empty (%v)", err)
	}
}
