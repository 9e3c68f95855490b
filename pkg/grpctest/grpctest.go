// Package grpctest serves a service in a test exactly as its binary does
// (the platform's interceptors: authentication, the service's policy,
// health) on a loopback port, and dials it over a real connection.
package grpctest

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"google.golang.org/grpc"
)

// Serve starts a server with register's services on 127.0.0.1, checking
// callers with a, and returns a connection to it and its address. Both
// stop when t ends.
func Serve(t testing.TB, a *auth.Authenticator, register func(*grpcserver.Server)) (*grpc.ClientConn, string) {
	t.Helper()
	conn, addr, _ := ServeStoppable(t, a, register)
	return conn, addr
}

// ServeStoppable is Serve, also returning a function that stops the server
// early, to test what its callers do when it is gone.
func ServeStoppable(t testing.TB, a *auth.Authenticator, register func(*grpcserver.Server)) (*grpc.ClientConn, string, func()) {
	t.Helper()
	return ServeOn(t, Listen(t), a, register)
}

// Listen reserves a loopback port, for a service whose address others must
// know before it starts.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return lis
}

// ServeOn is ServeStoppable on a listener of the caller's.
func ServeOn(t testing.TB, lis net.Listener, a *auth.Authenticator, register func(*grpcserver.Server)) (*grpc.ClientConn, string, func()) {
	t.Helper()
	srv := grpcserver.New(telemetry.NewLogger(io.Discard, "test", "error"), grpcserver.Options{Authenticator: a})
	register(srv)
	srv.SetReady(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ctx, lis); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	conn, err := grpcclient.Dial(lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(func() { conn.Close(); stop() })
	return conn, lis.Addr().String(), stop
}

// Dial connects to addr as services connect to each other; the connection
// closes when t ends.
func Dial(t testing.TB, addr string) (*grpc.ClientConn, error) {
	conn, err := grpcclient.Dial(addr)
	if err == nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, err
}
