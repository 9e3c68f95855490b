// Package grpcclient dials the other Gongyak services the same way from
// every binary: traced with OpenTelemetry, passing on the caller's
// credential, request id and client address, over TLS when it is
// configured.
package grpcclient

import (
	"crypto/tls"
	"sync"

	"github.com/gongyak/gongyak/pkg/auth"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

var (
	mu        sync.Mutex
	transport = insecure.NewCredentials()
)

// UseTLS makes every later Dial of this process speak TLS with cfg; the
// binary calls it once at start when TLS is configured.
func UseTLS(cfg *tls.Config) {
	mu.Lock()
	defer mu.Unlock()
	transport = credentials.NewTLS(cfg)
}

// Dial returns a connection to the service at target (host:port). It
// connects lazily, so a service that starts before the ones it calls still
// starts. Without TLS configured, traffic stays on a private network or
// loopback.
func Dial(target string) (*grpc.ClientConn, error) {
	mu.Lock()
	creds := transport
	mu.Unlock()
	return grpc.NewClient(target,
		grpc.WithTransportCredentials(creds),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		grpc.WithChainUnaryInterceptor(auth.UnaryClientInterceptor),
		grpc.WithChainStreamInterceptor(auth.StreamClientInterceptor),
	)
}
