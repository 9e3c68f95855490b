package auth

import (
	"context"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// Metadata keys a call carries onward besides the credential: the request
// id the gateway gave the request, and the client address it saw.
const (
	RequestIDKey     = "x-request-id"
	ClientAddressKey = "x-gongyak-client-address"
)

// UnaryClientInterceptor passes the caller's credential on to the service
// called, unchanged, with the request's id and client address, so that the
// service checks and records the person or system that asked. A call that
// sets its own authorization keeps it.
func UnaryClientInterceptor(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return invoker(Forward(ctx), method, req, reply, cc, opts...)
}

// StreamClientInterceptor is UnaryClientInterceptor for streams.
func StreamClientInterceptor(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return streamer(Forward(ctx), desc, cc, method, opts...)
}

// Forward returns ctx with the outgoing metadata a call on the caller's
// behalf carries.
func Forward(ctx context.Context) context.Context {
	out, _ := metadata.FromOutgoingContext(ctx)
	if cred := FromContext(ctx).Credential(); cred != "" && len(out.Get("authorization")) == 0 {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+cred)
	}
	for _, k := range []string{RequestIDKey, ClientAddressKey} {
		if v := metadata.ValueFromIncomingContext(ctx, k); len(v) > 0 && len(out.Get(k)) == 0 {
			ctx = metadata.AppendToOutgoingContext(ctx, k, v[0])
		}
	}
	return ctx
}

// RequestID is the id of the request ctx serves, as the gateway named it.
func RequestID(ctx context.Context) string { return first(ctx, RequestIDKey) }

// ClientAddress is the address of the client ctx serves: what the gateway
// saw, or else the gRPC peer's.
func ClientAddress(ctx context.Context) string {
	if a := first(ctx, ClientAddressKey); a != "" {
		return a
	}
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		if host, _, err := net.SplitHostPort(p.Addr.String()); err == nil {
			return host
		}
		return p.Addr.String()
	}
	return ""
}

// first reads one key without copying the call's whole metadata, as
// FromIncomingContext does: every call asks it several times.
func first(ctx context.Context, key string) string {
	if v := metadata.ValueFromIncomingContext(ctx, key); len(v) > 0 {
		return v[0]
	}
	return ""
}
