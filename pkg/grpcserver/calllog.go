package grpcserver

import (
	"context"
	"log/slog"
	"path"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// levelOf logs client errors at warn, server errors at error and the rest
// at debug. Requests and responses are never logged: they may hold
// personal data.
func levelOf(code codes.Code) slog.Level {
	switch {
	case code == codes.OK:
		return slog.LevelDebug
	case apierr.IsClientError(code):
		return slog.LevelWarn
	}
	return slog.LevelError
}

// logCall writes the line of a call that finished, at levelOf its code.
// Its fields are put together only when that level is logged: most calls
// succeed, at debug, which a running suite does not log, and assembling
// their lines anyway cost a read path several per cent of its CPU.
func (s *Server) logCall(ctx context.Context, fullMethod, kind string, start time.Time, err error) {
	code := status.Code(err)
	lvl := levelOf(code)
	if !s.log.Enabled(ctx, lvl) {
		return
	}
	attrs := []slog.Attr{
		slog.String("grpc.service", path.Dir(fullMethod)[1:]),
		slog.String("grpc.method", path.Base(fullMethod)),
		slog.String("grpc.method_type", kind),
		slog.String("grpc.code", code.String()),
		slog.Float64("grpc.time_ms", float64(time.Since(start).Microseconds())/1000),
	}
	if id := auth.RequestID(ctx); id != "" {
		attrs = append(attrs, slog.String("request_id", id))
	}
	s.log.LogAttrs(ctx, lvl, "finished call", attrs...)
}

func (s *Server) logUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	s.logCall(ctx, info.FullMethod, "unary", start, err)
	return resp, err
}

func (s *Server) logStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	start := time.Now()
	err := handler(srv, ss)
	kind := "server_stream"
	switch {
	case info.IsClientStream && info.IsServerStream:
		kind = "bidi_stream"
	case info.IsClientStream:
		kind = "client_stream"
	}
	s.logCall(ss.Context(), info.FullMethod, kind, start, err)
	return err
}
