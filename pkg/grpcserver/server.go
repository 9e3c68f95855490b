// Package grpcserver runs a service's gRPC server the same way in every
// binary: OpenTelemetry stats handler, panic recovery, the caller's actor in
// the context, requests checked for UTF-8, every error mapped to one status
// and logged at a level that fits its code, grpc.health.v1 tied to the
// service's own database, reflection, and a graceful stop that drains calls
// in flight.
package grpcserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	"github.com/gongyak/gongyak/pkg/actor"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// Server is a gRPC server with health and graceful shutdown.
type Server struct {
	grpc   *grpc.Server
	health *health.Server
	log    *slog.Logger
	// DrainTimeout bounds how long a stop waits for calls in flight.
	DrainTimeout time.Duration
}

// New returns a server that logs to log. Register services on GRPC()
// before Serve.
func New(log *slog.Logger) *Server {
	s := &Server{health: health.NewServer(), log: log, DrainTimeout: 10 * time.Second}
	s.grpc = grpc.NewServer(
		grpc.StatsHandler(otelgrpc.NewServerHandler()),
		grpc.MaxRecvMsgSize(8<<20),
		grpc.ChainUnaryInterceptor(
			s.logUnary,
			s.recoverUnary,
			actor.UnaryServerInterceptor,
			checkUTF8,
		),
		grpc.ChainStreamInterceptor(s.recoverStream),
	)
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	// Not serving until the first readiness check passes.
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	return s
}

// GRPC returns the server to register services on.
func (s *Server) GRPC() *grpc.Server { return s.grpc }

// SetReady sets the health of the whole server and of every registered
// service.
func (s *Server) SetReady(ready bool) {
	st := healthpb.HealthCheckResponse_NOT_SERVING
	if ready {
		st = healthpb.HealthCheckResponse_SERVING
	}
	s.health.SetServingStatus("", st)
	for name := range s.grpc.GetServiceInfo() {
		s.health.SetServingStatus(name, st)
	}
}

// WatchReadiness runs check now and then every interval until ctx ends,
// reporting SERVING while it passes. A service's readiness depends on its
// own database only, never on the services it calls.
func (s *Server) WatchReadiness(ctx context.Context, interval time.Duration, check func(context.Context) error) {
	ready := false
	for {
		cctx, cancel := context.WithTimeout(ctx, interval)
		err := check(cctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if (err == nil) != ready {
			ready = err == nil
			s.SetReady(ready)
			if ready {
				s.log.InfoContext(ctx, "ready")
			} else {
				s.log.WarnContext(ctx, "not ready", "error", err.Error())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// Serve serves on lis until ctx ends, then reports NOT_SERVING, lets calls
// in flight finish for up to DrainTimeout and stops.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.grpc.Serve(lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.health.Shutdown()
	done := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.DrainTimeout):
		s.log.Warn("calls still in flight after the drain timeout; stopping them")
		s.grpc.Stop()
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}
