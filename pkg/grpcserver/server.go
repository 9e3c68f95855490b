// Package grpcserver runs a service's gRPC server the same way in every
// binary: OpenTelemetry stats handler; logging and panic recovery from
// go-grpc-middleware; every error mapped to one status; the caller
// authenticated and every call checked against the service's policy,
// denying by default; requests checked for UTF-8; grpc.health.v1 tied to
// the service's own database; reflection only when configured; TLS when
// configured; and a graceful stop that drains calls in flight.
package grpcserver

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"time"

	"github.com/gongyak/gongyak/pkg/auth"
	grpcauth "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// Server is a gRPC server with health and graceful shutdown.
type Server struct {
	grpc   *grpc.Server
	health *health.Server
	log    *slog.Logger
	auth   *auth.Authenticator
	policy auth.Policy
	// DrainTimeout bounds how long a stop waits for calls in flight.
	DrainTimeout time.Duration
}

// Options say how a server checks its callers and what it offers.
type Options struct {
	// Authenticator verifies credentials; a server without one takes
	// anonymous calls only.
	Authenticator *auth.Authenticator
	// Reflection registers gRPC server reflection, open to anyone: for
	// development (make run), off by default.
	Reflection bool
	// TLS, when set, is the server's transport security.
	TLS *tls.Config
}

// publicMethods are open to anyone on every server: health checks, and
// reflection where it is registered at all.
var publicMethods = auth.Policy{
	"/grpc.health.v1.Health/Check":                                   auth.Public,
	"/grpc.health.v1.Health/Watch":                                   auth.Public,
	"/grpc.health.v1.Health/List":                                    auth.Public,
	"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo":      auth.Public,
	"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": auth.Public,
}

// Liveness is the health service that reports SERVING for as long as the
// server serves, whatever its database: what an orchestrator's liveness
// probe asks, so that a database outage makes every replica not ready
// (service "") without getting them all restarted.
const Liveness = "liveness"

// streamWorkers is how many calls at once run on kept goroutines: as many
// as a gateway's busy clients keep in flight (32 in make bench), and then
// some; an idle one costs only its stack.
const streamWorkers = 64

// New returns a server that logs to log. Register services on it, with
// their policies (Authorize), before Serve.
func New(log *slog.Logger, opts Options) *Server {
	a := opts.Authenticator
	if a == nil {
		a = &auth.Authenticator{}
	}
	s := &Server{health: health.NewServer(), log: log, auth: a, policy: publicMethods.With(nil), DrainTimeout: 10 * time.Second}
	onPanic := recovery.WithRecoveryHandlerContext(s.recovered)
	// Authorize reads the policy when a call arrives: services add their
	// rules after New, before Serve.
	authorize := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		return s.policy.UnaryServerInterceptor()(ctx, req, info, handler)
	}
	authorizeStream := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return s.policy.StreamServerInterceptor()(srv, ss, info, handler)
	}
	serverOpts := []grpc.ServerOption{
		grpc.StatsHandler(otelgrpc.NewServerHandler()),
		grpc.MaxRecvMsgSize(8 << 20),
		// Calls run on goroutines kept between calls, whose stacks have
		// already grown to what a handler needs: a new goroutine per call
		// spent a tenth of a pledge read's CPU copying its stack as it grew.
		// Calls beyond streamWorkers at once get a goroutine of their own.
		grpc.NumStreamWorkers(streamWorkers),
		grpc.ChainUnaryInterceptor(
			s.logUnary,
			recovery.UnaryServerInterceptor(onPanic),
			s.mapErrors,
			grpcauth.UnaryServerInterceptor(a.AuthFunc),
			authorize,
			checkUTF8,
		),
		grpc.ChainStreamInterceptor(
			s.logStream,
			recovery.StreamServerInterceptor(onPanic),
			s.mapStreamErrors,
			grpcauth.StreamServerInterceptor(a.AuthFunc),
			authorizeStream,
		),
	}
	if opts.TLS != nil {
		serverOpts = append(serverOpts, grpc.Creds(credentials.NewTLS(opts.TLS)))
	}
	s.grpc = grpc.NewServer(serverOpts...)
	healthpb.RegisterHealthServer(s.grpc, s.health)
	if opts.Reflection {
		reflection.Register(s.grpc)
	}
	// Not serving until the first readiness check passes.
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	s.health.SetServingStatus(Liveness, healthpb.HealthCheckResponse_SERVING)
	return s
}

// Registrar is where a service registers its servers, the policy that
// guards them and how it checks API keys: a *Server, or a test's wrapper
// of one.
type Registrar interface {
	grpc.ServiceRegistrar
	Authorize(auth.Policy)
	Authenticator() *auth.Authenticator
}

// RegisterService registers a gRPC service; together with Authorize it
// makes the server a place services register on.
func (s *Server) RegisterService(desc *grpc.ServiceDesc, impl any) {
	s.grpc.RegisterService(desc, impl)
}

// Authorize adds a service's rules to the server's policy. A method left
// without a rule is refused.
func (s *Server) Authorize(p auth.Policy) { s.policy = s.policy.With(p) }

// Authenticator is the server's, for a service that adds how it checks API
// keys while it registers.
func (s *Server) Authenticator() *auth.Authenticator { return s.auth }

// Methods lists every method the server serves, by full name, for tests
// that check each has a policy.
func (s *Server) Methods() []string {
	var out []string
	for name, info := range s.grpc.GetServiceInfo() {
		for _, m := range info.Methods {
			out = append(out, "/"+name+"/"+m.Name)
		}
	}
	return out
}

// GRPC returns the server to register services on.
func (s *Server) GRPC() *grpc.Server { return s.grpc }

// SetReady sets the health of the whole server and of every registered
// service; Liveness, no registered service, stays as it is.
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

// checkTimeout bounds one readiness check: a database that does not
// answer a ping within it, a hung one included, counts as away.
const checkTimeout = time.Second

// WatchReadiness runs check now and then every interval until ctx ends,
// reporting SERVING while it passes and NOT_SERVING from the first check
// that fails or takes longer than a second. A service's readiness depends
// on its own database only, never on the services it calls.
func (s *Server) WatchReadiness(ctx context.Context, interval time.Duration, check func(context.Context) error) {
	ready := false
	for {
		cctx, cancel := context.WithTimeout(ctx, min(interval, checkTimeout))
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
