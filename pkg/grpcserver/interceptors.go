package grpcserver

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// logUnary maps the handler's error to its status and logs the call: client
// errors at warn, server errors at error, the rest at debug. Requests and
// responses are never logged: they may hold personal data.
func (s *Server) logUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	st := apierr.ToStatus(err)
	attrs := []any{
		"method", info.FullMethod,
		"code", st.Code().String(),
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
	}
	// The gateway passes on the HTTP request's X-Request-Id.
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if ids := md.Get("x-request-id"); len(ids) > 0 {
			attrs = append(attrs, "request_id", ids[0])
		}
	}
	switch {
	case err == nil:
		s.log.DebugContext(ctx, "call", attrs...)
		return resp, nil
	case apierr.IsClientError(st.Code()):
		s.log.WarnContext(ctx, "call", append(attrs, "error", st.Message())...)
	default:
		// The cause stays in the log and out of the reply.
		s.log.ErrorContext(ctx, "call", append(attrs, "error", st.Message(), "cause", err.Error())...)
	}
	return nil, st.Err()
}

// recoverUnary turns a panic in a handler into INTERNAL and logs its stack.
func (s *Server) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.ErrorContext(ctx, "panic", "method", info.FullMethod, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = status.Error(codes.Internal, "internal error")
		}
	}()
	return handler(ctx, req)
}

func (s *Server) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.ErrorContext(ss.Context(), "panic", "method", info.FullMethod, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = status.Error(codes.Internal, "internal error")
		}
	}()
	return handler(srv, ss)
}

// Logger returns the server's logger, for handlers that log.
func (s *Server) Logger() *slog.Logger { return s.log }
