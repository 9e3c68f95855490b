package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/runtime"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// MetricsAddrEnv names the host:port a binary serves its metrics on, at
// /metrics in Prometheus's text format; unset, it records none.
const MetricsAddrEnv = "GONGYAK_METRICS_ADDR"

// Metrics is a binary's metrics endpoint: the global meter provider, which
// the instrumentation (otelgrpc, otelhttp, otelpgx, Go's runtime) records
// into, read by a Prometheus exporter on each scrape.
type Metrics struct {
	provider *sdkmetric.MeterProvider
	lis      net.Listener
	srv      *http.Server
}

// ServeMetrics installs the global meter provider for the binary called
// service, starts Go runtime metrics and serves them all on addr at
// /metrics until Close. With addr empty it returns nil and installs
// nothing: the instrumentation then records into OpenTelemetry's no-op
// provider, which costs next to nothing.
func ServeMetrics(service, addr string) (*Metrics, error) {
	if addr == "" {
		return nil, nil
	}
	res, err := newResource(service)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	// Each series carries service_name, so one query can sum or split
	// the suite's processes without relabelling.
	exp, err := otelprom.New(otelprom.WithRegisterer(reg),
		otelprom.WithResourceAsConstantLabels(attribute.NewAllowKeysFilter(semconv.ServiceNameKey)))
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(exp))
	otel.SetMeterProvider(provider)
	if err := runtime.Start(runtime.WithMeterProvider(provider)); err != nil {
		lis.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	m := &Metrics{provider: provider, lis: lis, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go m.srv.Serve(lis) //nolint:errcheck // ErrServerClosed once Close is called
	return m, nil
}

// Addr is the address the metrics are served on, its port chosen when
// ServeMetrics was given port 0.
func (m *Metrics) Addr() string { return m.lis.Addr().String() }

// Close stops serving and stops the meter provider.
func (m *Metrics) Close(ctx context.Context) error {
	return errors.Join(m.srv.Shutdown(ctx), m.provider.Shutdown(ctx))
}

// StartMetrics is ServeMetrics for a binary's main: it says on log where
// the metrics are served, and the function it returns stops serving them
// (within 5 seconds).
func StartMetrics(service, addr string, log *slog.Logger) (stop func(), err error) {
	m, err := ServeMetrics(service, addr)
	if err != nil || m == nil {
		return func() {}, err
	}
	log.Info("serving metrics", "addr", "http://"+m.Addr()+"/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Close(ctx) //nolint:errcheck // nothing left to tell
	}, nil
}
