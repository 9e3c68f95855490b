package grpcclient

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestAClientReconnectsSoonAfterItsServiceReturns stops a service while its
// caller keeps calling, as callers do, which makes gRPC back off longer and
// longer: it must try again at least every 2 s (and a bit of jitter), and
// once the service is back on its port, the caller's calls must succeed
// again within 3 s.
func TestAClientReconnectsSoonAfterItsServiceReturns(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	srv := serveHealth(lis)
	conn, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	check := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
		return err
	}
	if err := check(); err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	// Meanwhile the port takes each connection and closes it at once, as a
	// process that is not serving yet does, so that the attempts show.
	attempts := refuseOn(t, addr)
	away := time.Now()
	for time.Since(away) < 9*time.Second {
		if check() == nil {
			t.Fatal("a call succeeded with the service stopped")
		}
		time.Sleep(100 * time.Millisecond)
	}
	seen := attempts()
	last, longest := away, time.Duration(0)
	for _, at := range append(seen, time.Now()) {
		longest = max(longest, at.Sub(last))
		last = at
	}
	t.Logf("%d connection attempts in 9s; the longest wait between them %v", len(seen), longest.Round(time.Millisecond))
	if longest > 2700*time.Millisecond {
		t.Errorf("the client waited %v between attempts to reconnect; at most 2s (and jitter)", longest.Round(time.Millisecond))
	}

	lis, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	srv = serveHealth(lis)
	defer srv.Stop()
	back := time.Now()
	for check() != nil {
		if time.Since(back) > 3*time.Second {
			t.Fatal("no call succeeded within 3s of the service's return")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("calls succeeded again %v after the service returned", time.Since(back).Round(time.Millisecond))
}

// refuseOn accepts connections on addr and closes each at once, until it
// returns when each came.
func refuseOn(t *testing.T, addr string) (stop func() []time.Time) {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []time.Time)
	go func() {
		var at []time.Time
		for {
			c, err := lis.Accept()
			if err != nil {
				done <- at
				return
			}
			at = append(at, time.Now())
			c.Close()
		}
	}()
	return func() []time.Time {
		lis.Close()
		return <-done
	}
}

func serveHealth(lis net.Listener) *grpc.Server {
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(lis) //nolint:errcheck // stopped by the test
	return srv
}
