package service_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/service"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// startCluster starts a throwaway PostgreSQL whose server this test can
// stop and start again (a foreground cluster).
func startCluster(t *testing.T) *pgcluster.Cluster {
	t.Helper()
	// Not t.TempDir: the server's user (postgres, when tests run as
	// root) must be able to enter the folder.
	base, err := os.MkdirTemp("", "gongyak-liveness-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := pgcluster.Start(t.Context(), pgcluster.Options{
		DataDir: filepath.Join(base, "data"), Throwaway: true, Password: pgcluster.NewPassword(), Foreground: true,
	})
	if err != nil {
		t.Fatalf("starting PostgreSQL: %v", err)
	}
	t.Cleanup(func() { c.Stop() }) //nolint:errcheck // the folder goes anyway
	return c
}

// TestLivenessOutlastsADatabaseOutage runs a service as its binary does
// (service.Run) and stops its PostgreSQL: readiness goes NOT_SERVING, so
// no traffic is routed to it, while liveness stays SERVING, so an
// orchestrator does not restart it; with PostgreSQL back it is ready again
// without a restart.
func TestLivenessOutlastsADatabaseOutage(t *testing.T) {
	c := startCluster(t)
	port, err := pgcluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	spec := service.Spec{
		Name:   "liveness-test",
		Schema: "probe",
		Migrations: fstest.MapFS{"00001_things.sql": {Data: []byte(
			"-- +goose Up\nCREATE TABLE things (id bigint PRIMARY KEY);\n-- +goose Down\nDROP TABLE things;\n")}},
		Register: func(context.Context, *grpcserver.Server, service.Deps) (func(), error) { return nil, nil },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- service.Run(ctx, spec, []string{"--listen", addr, "--database-url", c.URL("postgres")})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the service ended with %v", err)
		}
	})

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	health := healthpb.NewHealthClient(conn)
	// The service checks its database every 2 s and counts one that does
	// not answer within 1 s as away.
	const within = 15 * time.Second
	wait := func(service string, want healthpb.HealthCheckResponse_ServingStatus) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			resp, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
			if err == nil && resp.GetStatus() == want {
				return
			}
			select {
			case err := <-done:
				t.Fatalf("the service ended with %v", err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("health of %q still %v (%v) after %v; want %v", service, resp.GetStatus(), err, within, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// alive asks liveness once: it must answer SERVING at once, every time.
	alive := func() {
		t.Helper()
		resp, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{Service: grpcserver.Liveness})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("liveness: %v (%v); want SERVING", resp.GetStatus(), err)
		}
	}
	wait("", healthpb.HealthCheckResponse_SERVING)
	alive()

	if err := c.Server().Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	wait("", healthpb.HealthCheckResponse_NOT_SERVING)
	// Asked over several readiness checks of the outage, not once.
	for range 6 {
		alive()
		time.Sleep(time.Second)
	}

	if _, err := c.Serve(context.Background()); err != nil {
		t.Fatalf("starting PostgreSQL again: %v", err)
	}
	wait("", healthpb.HealthCheckResponse_SERVING)
	alive()
}
