package grpcserver_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// echo is a tiny service built on the health service's types, so the test
// needs no protos of its own: Check panics, sleeps or echoes by the
// requested service name.
type echo struct {
	healthpb.UnimplementedHealthServer
	started chan struct{}
}

func (e *echo) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	switch req.GetService() {
	case "panic":
		panic("handler bug with 윤송미's phone")
	case "slow":
		close(e.started)
		time.Sleep(300 * time.Millisecond)
	case "invalid":
		return nil, apierr.Invalid("service", "is bad")
	}
	return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}, nil
}

func TestPanicsBecomeInternalWithoutDetail(t *testing.T) {
	srv := grpcserver.New(telemetry.NewLogger(io.Discard, "test", "error"), grpcserver.Options{})
	e := &echo{started: make(chan struct{})}
	registerOnPrivateName(srv, e, auth.Public)
	client := serve(t, srv)
	_, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "panic"})
	st := status.Convert(err)
	if st.Code() != codes.Internal || st.Message() != "internal error" {
		t.Errorf("panic gave %v %q", st.Code(), st.Message())
	}
	_, err = client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "invalid"})
	st = status.Convert(err)
	if st.Code() != codes.InvalidArgument || len(apierr.FieldViolations(st)) != 1 {
		t.Errorf("domain error gave %v %v", st.Code(), st.Details())
	}
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	if info.GetDomain() != apierr.Domain || info.GetReason() != apierr.ReasonInvalidArgument {
		t.Errorf("ErrorInfo = %v", info)
	}
}

func TestStopDrainsCallsInFlight(t *testing.T) {
	srv := grpcserver.New(telemetry.NewLogger(io.Discard, "test", "error"), grpcserver.Options{})
	e := &echo{started: make(chan struct{})}
	registerOnPrivateName(srv, e, auth.Public)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis) }()
	conn, err := grpcclient.Dial(lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := echoClient{conn}
	callErr := make(chan error, 1)
	go func() {
		_, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "slow"})
		callErr <- err
	}()
	<-e.started
	cancel() // as SIGTERM does
	if err := <-callErr; err != nil {
		t.Errorf("the call in flight failed during shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// registerOnPrivateName registers e as a service of its own,
// gongyak.test.Echo, built on the health service's messages so the test
// needs no protos, its Check allowed by rule (none when nil).
func registerOnPrivateName(s *grpcserver.Server, e *echo, rule auth.Rule) {
	s.RegisterService(&echoDesc, e)
	if rule != nil {
		s.Authorize(auth.Policy{"/gongyak.test.Echo/Check": rule})
	}
}

type checker interface {
	Check(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error)
}

// echoDesc serves Check under its own full name, which interceptors see.
var echoDesc = grpc.ServiceDesc{
	ServiceName: "gongyak.test.Echo",
	HandlerType: (*checker)(nil),
	Methods: []grpc.MethodDesc{{MethodName: "Check", Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
		in := new(healthpb.HealthCheckRequest)
		if err := dec(in); err != nil {
			return nil, err
		}
		handler := func(ctx context.Context, req any) (any, error) {
			return srv.(checker).Check(ctx, req.(*healthpb.HealthCheckRequest))
		}
		if interceptor == nil {
			return handler(ctx, in)
		}
		return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/gongyak.test.Echo/Check"}, handler)
	}}},
}

func serve(t *testing.T, srv *grpcserver.Server) echoClient {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Serve(ctx, lis)
	conn, err := grpcclient.Dial(lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); cancel() })
	return echoClient{conn}
}

type echoClient struct{ conn *grpc.ClientConn }

func (c echoClient) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	out := new(healthpb.HealthCheckResponse)
	err := c.conn.Invoke(ctx, "/gongyak.test.Echo/Check", req, out)
	return out, err
}
