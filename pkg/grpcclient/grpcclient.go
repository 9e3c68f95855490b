// Package grpcclient dials the other Gongyak services the same way from
// every binary: traced with OpenTelemetry, passing on the caller's actor.
package grpcclient

import (
	"github.com/gongyak/gongyak/pkg/actor"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Dial returns a connection to the service at target (host:port). It
// connects lazily, so a service that starts before the ones it calls still
// starts. Traffic stays on a private network or loopback until transport
// security is configured.
func Dial(target string) (*grpc.ClientConn, error) {
	return grpc.NewClient(target,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		grpc.WithChainUnaryInterceptor(actor.UnaryClientInterceptor),
	)
}
