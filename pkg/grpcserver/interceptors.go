package grpcserver

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// mapErrors turns whatever a handler returns into the status its caller
// sees: database errors as pgdb.Classify says (an outage is UNAVAILABLE
// with a RetryInfo, never INTERNAL), the rest as apierr.ToStatus does. The
// cause of a server error stays in the log and out of the reply.
func (s *Server) mapErrors(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err == nil {
		return resp, nil
	}
	st := apierr.ToStatus(pgdb.Classify(err))
	if !apierr.IsClientError(st.Code()) {
		s.log.ErrorContext(ctx, "call failed", "grpc.method", info.FullMethod, "grpc.code", st.Code().String(), "cause", err.Error())
	}
	return nil, st.Err()
}

// mapStreamErrors is mapErrors for streams: a refusal of the policy or an
// error of the handler reaches the caller as its status (a change feed's
// expired cursor as FAILED_PRECONDITION, a bulk import's bad line as
// INVALID_ARGUMENT), not as UNKNOWN.
func (s *Server) mapStreamErrors(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	err := handler(srv, ss)
	if err == nil {
		return nil
	}
	st := apierr.ToStatus(pgdb.Classify(err))
	if !apierr.IsClientError(st.Code()) && st.Code() != codes.Canceled {
		s.log.ErrorContext(ss.Context(), "call failed", "grpc.method", info.FullMethod, "grpc.code", st.Code().String(), "cause", err.Error())
	}
	return st.Err()
}

// recovered turns a panic into INTERNAL and logs its stack.
func (s *Server) recovered(ctx context.Context, p any) error {
	s.log.ErrorContext(ctx, "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	return status.Error(codes.Internal, "internal error")
}
