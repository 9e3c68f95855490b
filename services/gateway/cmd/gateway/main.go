// Command gateway serves Gongyak's REST/JSON API over the gRPC services,
// with the OpenAPI document at /openapi.json, /healthz and /readyz, and
// its metrics on GONGYAK_METRICS_ADDR when that is set.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"github.com/gongyak/gongyak/services/gateway/internal/gateway"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return // -h printed the usage, as asked
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	settings := gateway.Flags(fs)
	if err := config.Parse(fs, args); err != nil {
		return err
	}
	cfg := settings.Config()
	if settings.TLS.Enabled() {
		tlsCfg, err := settings.TLS.Client()
		if err != nil {
			return err
		}
		grpcclient.UseTLS(tlsCfg)
	}
	log := telemetry.NewLogger(os.Stderr, "gateway", settings.LogLevel)
	stopProfile, err := telemetry.Profile("gateway")
	if err != nil {
		return err
	}
	defer stopProfile() //nolint:errcheck // a profile cut short says so when read
	shutdownTraces, exporting, err := telemetry.Setup(ctx, "gateway")
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shutdownTraces(ctx) //nolint:errcheck // nothing left to tell
	}()
	stopMetrics, err := telemetry.StartMetrics("gateway", settings.MetricsAddr, log)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	defer stopMetrics()

	g, err := gateway.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer g.Close()
	lis, err := gateway.Listen(cfg, log)
	if err != nil {
		return err
	}
	srv := gateway.NewServer(cfg, g)
	log.Info("serving", "addr", "http://"+lis.Addr().String(), "backends", cfg.Addrs, "exporting_traces", exporting)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Finish the requests in flight, then stop.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	log.Info("stopped")
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
