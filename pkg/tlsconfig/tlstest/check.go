package tlstest

import (
	"context"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/tlsconfig"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// CheckCallers checks the gRPC server at addr, which speaks TLS with the
// certificates of files, as a service of the suite must: a caller showing
// a certificate of the CA has its health check answered; a caller
// speaking plaintext, and one trusting the CA but showing no certificate,
// are refused.
func CheckCallers(t testing.TB, addr string, files tlsconfig.Files) {
	t.Helper()
	check := func(creds credentials.TransportCredentials) error {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
		if err != nil {
			return err
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		return err
	}
	client, err := files.Client()
	if err != nil {
		t.Fatal(err)
	}
	if err := check(credentials.NewTLS(client)); err != nil {
		t.Errorf("a caller with a certificate of the CA: %v", err)
	}
	if err := check(insecure.NewCredentials()); err == nil {
		t.Error("a plaintext caller got through")
	}
	noCert, err := tlsconfig.Files{CA: files.CA}.Client()
	if err != nil {
		t.Fatal(err)
	}
	if err := check(credentials.NewTLS(noCert)); err == nil {
		t.Error("a caller without a certificate got through")
	}
}
