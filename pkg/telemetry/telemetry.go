// Package telemetry sets up tracing and logging the same way in every
// binary: a real tracer provider, so trace and span ids exist even when
// nothing is exported; OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set;
// W3C trace context and baggage propagation; JSON logs that carry the ids.
package telemetry

import (
	"context"
	"errors"
	"os"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Shutdown flushes the spans not yet exported and stops the provider.
type Shutdown func(context.Context) error

// Setup installs the global tracer provider and propagator for the binary
// called service. It reports whether spans are exported.
func Setup(ctx context.Context, service string) (Shutdown, bool, error) {
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName(service)))
	if err != nil {
		return nil, false, err
	}
	exporting := os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res), sdktrace.WithSampler(sampler(exporting))}
	if exporting {
		var exp sdktrace.SpanExporter
		if protocol() == "grpc" {
			exp, err = otlptracegrpc.New(ctx)
		} else {
			exp, err = otlptracehttp.New(ctx)
		}
		if err != nil {
			return nil, false, err
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return func(ctx context.Context) error {
		return errors.Join(tp.ForceFlush(ctx), tp.Shutdown(ctx))
	}, exporting, nil
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

// protocol is the OTLP transport the environment asks for; http/protobuf
// unless it says grpc, as the OpenTelemetry specification defaults.
func protocol() string {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if v := strings.TrimSpace(os.Getenv(name)); v != "" {
			return v
		}
	}
	return "http/protobuf"
}
