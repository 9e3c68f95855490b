// Package telemetry sets up tracing, metrics and logging the same way in
// every binary: a real tracer provider, so trace and span ids exist even
// when nothing is exported; span export as the OpenTelemetry environment
// variables say (the contrib autoexport), and none when they name no
// endpoint; W3C trace context and baggage propagation; metrics served for
// Prometheus on GONGYAK_METRICS_ADDR (metrics.go); JSON logs that carry
// the ids.
package telemetry

import (
	"context"
	"errors"
	"os"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Shutdown flushes what is not yet exported and stops the provider.
type Shutdown func(context.Context) error

// Setup installs the global tracer provider and propagator for the binary
// called service. It reports whether spans are exported.
func Setup(ctx context.Context, service string) (Shutdown, bool, error) {
	res, err := newResource(service)
	if err != nil {
		return nil, false, err
	}
	exp, err := spanExporter(ctx)
	if err != nil {
		return nil, false, err
	}
	exporting := exp != nil
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res), sdktrace.WithSampler(sampler(exporting))}
	if exporting {
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return func(ctx context.Context) error {
		return errors.Join(tp.ForceFlush(ctx), tp.Shutdown(ctx))
	}, exporting, nil
}

// newResource names the process's telemetry after service (and what
// OTEL_RESOURCE_ATTRIBUTES adds).
func newResource(service string) (*resource.Resource, error) {
	return resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName(service)))
}

// spanExporter is where spans go, or nil when nowhere. OTEL_TRACES_EXPORTER
// decides when it is set (otlp, console or none), with the OTLP exporter's
// own variables (OTEL_EXPORTER_OTLP_*). Unset, autoexport would send OTLP
// to localhost:4318 whether anything listens there or not; here spans are
// exported over OTLP only when an endpoint is named, as before autoexport.
func spanExporter(ctx context.Context) (sdktrace.SpanExporter, error) {
	if os.Getenv("OTEL_TRACES_EXPORTER") == "" && !otlpEndpointSet() {
		return nil, nil
	}
	exp, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, err
	}
	if autoexport.IsNoneSpanExporter(exp) {
		return nil, nil
	}
	return exp, nil
}

// otlpEndpointSet reports whether the environment names an OTLP endpoint
// for traces.
func otlpEndpointSet() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// sampler records every trace a process exports, as its caller decides.
// A process that exports nothing still gives each call a trace id for its
// logs and passes it on, but records a span only when its caller asked
// for the trace to be kept: filling spans that no one would read cost a
// read path a tenth of its CPU.
func sampler(exporting bool) sdktrace.Sampler {
	if exporting {
		return sdktrace.ParentBased(sdktrace.AlwaysSample())
	}
	return sdktrace.ParentBased(sdktrace.NeverSample())
}
