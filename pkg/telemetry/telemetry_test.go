package telemetry

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

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
