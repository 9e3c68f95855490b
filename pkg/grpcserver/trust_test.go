package grpcserver_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"github.com/gongyak/gongyak/pkg/tlsconfig/tlstest"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
)

// TestAMethodWithoutAPolicyIsRefused registers a service and gives it no
// rule: every call is refused, while health checks stay open.
func TestAMethodWithoutAPolicyIsRefused(t *testing.T) {
	srv := grpcserver.New(telemetry.NewLogger(io.Discard, "test", "error"), grpcserver.Options{})
	registerOnPrivateName(srv, &echo{}, nil)
	client := serve(t, srv)
	_, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("a method without a policy answered %v", err)
	}
	if _, err := healthpb.NewHealthClient(client.conn).Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health check: %v", err)
	}
}

// TestCallersAreVerifiedBeforeTheirCallRuns shows a signed-in-only method
// refusing no credential (401), a token nobody trusts and a forged one,
// and taking a token of the trusted issuer.
func TestCallersAreVerifiedBeforeTheirCallRuns(t *testing.T) {
	trusted, stranger := authtest.NewIssuer(t), authtest.NewIssuer(t)
	srv := grpcserver.New(telemetry.NewLogger(io.Discard, "test", "error"),
		grpcserver.Options{Authenticator: authtest.Authenticator(nil, trusted.AsSystem())})
	registerOnPrivateName(srv, &echo{}, auth.Signed)
	client := serve(t, srv)
	call := func(token string) codes.Code {
		ctx := context.Background()
		if token != "" {
			ctx = authtest.As(ctx, token)
		}
		_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
		return status.Code(err)
	}
	good := trusted.Token(t, "윤다슬", "viewer@districts/gwangsan")
	forged := good[:len(good)-4] + "AAAA"
	for _, tt := range []struct {
		name  string
		token string
		want  codes.Code
	}{
		{"no credential", "", codes.Unauthenticated},
		{"the trusted issuer's token", good, codes.OK},
		{"a token of an issuer not trusted", stranger.Token(t, "윤다슬", "system-admin"), codes.Unauthenticated},
		{"a forged signature", forged, codes.Unauthenticated},
		{"an expired token", trusted.Sign(t, authtest.Claims{Subject: "윤다슬", Expiry: time.Now().Add(-time.Minute)}), codes.Unauthenticated},
		{"a token for another audience", trusted.Sign(t, authtest.Claims{Subject: "윤다슬", Audience: []string{"other"}}), codes.Unauthenticated},
		{"not a token at all", "hello", codes.Unauthenticated},
		{"an API key where none are taken", "gyk_abcd_" + auth.NewKeySecret(), codes.Unauthenticated},
	} {
		if got := call(tt.token); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestReflectionOnlyWhenConfigured lists services by reflection: refused
// (unimplemented) by default, answered when turned on.
func TestReflectionOnlyWhenConfigured(t *testing.T) {
	for _, on := range []bool{false, true} {
		srv := grpcserver.New(telemetry.NewLogger(io.Discard, "test", "error"), grpcserver.Options{Reflection: on})
		client := serve(t, srv)
		stream, err := reflectionpb.NewServerReflectionClient(client.conn).ServerReflectionInfo(context.Background())
		if err == nil {
			// A refused stream may fail the send with EOF; its status comes
			// with the receive.
			stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}) //nolint:errcheck // see Recv
			_, err = stream.Recv()
		}
		if on && err != nil || !on && status.Code(err) != codes.Unimplemented {
			t.Errorf("reflection on=%v: %v", on, err)
		}
	}
}

// TestTLSBetweenServices serves with a certificate of a test CA that also
// asks for callers' certificates: a caller with its own certificate of the
// CA gets through, a plaintext caller and one without a certificate do not.
func TestTLSBetweenServices(t *testing.T) {
	files := tlstest.Certificates(t)
	serverTLS, err := files.Server()
	if err != nil {
		t.Fatal(err)
	}
	srv := grpcserver.New(telemetry.NewLogger(io.Discard, "test", "error"), grpcserver.Options{TLS: serverTLS})
	srv.SetReady(true)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go srv.Serve(ctx, lis) //nolint:errcheck // ends with the test
	tlstest.CheckCallers(t, lis.Addr().String(), files)
}
