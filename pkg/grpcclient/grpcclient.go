// Package grpcclient dials the other Gongyak services the same way from
// every binary: traced with OpenTelemetry, passing on the caller's
// credential, request id and client address, each call bounded by its
// method's deadline, reconnecting within seconds of a service's return,
// over TLS when it is configured.
package grpcclient

import (
	"crypto/tls"
	"sync"
	"time"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/deadline"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
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

// reconnect is how a connection tries again after it lost its service:
// soon, then at most every MaxDelay (gRPC's default grows to two minutes,
// which would keep a restarted service's callers away long after its
// return). A connection attempt may take MinConnectTimeout, so that one to
// a host that is gone is given up on and tried again; it is longer than a
// read's deadline, so that a read from a service that accepts and never
// answers (a stopped process) ends with that deadline, saying so.
var reconnect = grpc.ConnectParams{
	Backoff: backoff.Config{
		BaseDelay:  100 * time.Millisecond,
		Multiplier: 1.6,
		Jitter:     0.2,
		MaxDelay:   2 * time.Second,
	},
	MinConnectTimeout: 10 * time.Second,
}

// MaxAnswer is the largest answer a connection takes. The all-district
// implementation report lists every pledge whose status changed in its
// period: about 5 MB at 243 districts of 150 pledges each, more than
// gRPC's default of 4 MB.
const MaxAnswer = 64 << 20

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
		grpc.WithConnectParams(reconnect),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxAnswer)),
		grpc.WithChainUnaryInterceptor(deadline.UnaryClientInterceptor, auth.UnaryClientInterceptor),
		grpc.WithChainStreamInterceptor(auth.StreamClientInterceptor),
	)
}
