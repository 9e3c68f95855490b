package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// RequestIDHeader carries a request's id, which every response returns: the
// caller's own when it sends a usable one, else a fresh one.
const RequestIDHeader = "X-Request-Id"

type requestIDKey struct{}

func validRequestID(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for _, c := range []byte(id) {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b) //nolint:errcheck // never fails
	return hex.EncodeToString(b)
}

// statusRecorder remembers the status a handler wrote, for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// Unwrap lets http.ResponseController reach the connection's writer, to
// flush a watch's events or a bulk export as they go, and lift a watch's
// write deadline.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// edge runs in front of the API: it names the request, answers CORS,
// holds each client and credential to its rate, refuses writes that lack
// a credential or a JSON body, bounds the body and the time, and logs the
// request once it is answered. It logs the method, path and outcome, never
// credentials, bodies or query strings: those may hold personal data.
func (g *Gateway) edge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
			r.Header.Set(RequestIDHeader, id)
		}
		w.Header().Set(RequestIDHeader, id)
		trace.SpanFromContext(r.Context()).SetAttributes(attribute.String("gongyak.request_id", id))
		ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), requestIDKey{}, id), g.cfg.RequestTimeout)
		if isWatch(r) {
			// A watch lasts as long as its client stays.
			cancel()
			ctx, cancel = context.WithCancel(context.WithValue(r.Context(), requestIDKey{}, id))
		}
		defer cancel()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			took := time.Since(start)
			level := slog.LevelInfo
			switch {
			case rec.status >= 500:
				level = slog.LevelError
			case rec.status >= 400:
				level = slog.LevelWarn
			}
			every, keep := g.access.keep(rec.status, took)
			if !keep || !g.log.Enabled(ctx, level) {
				return
			}
			attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status,
				"request_id", id, "duration_ms", float64(took.Microseconds()) / 1000}
			if every > 1 {
				attrs = append(attrs, "sampled_one_in", every)
			}
			g.log.Log(ctx, level, "http", attrs...)
		}()

		allowedOrigin := g.cors.headers(rec, r)
		if !g.limits.allow(rec, r) {
			return
		}
		if isPreflight(r) {
			g.cors.preflight(rec, allowedOrigin)
			return
		}
		if !guardWrite(rec, r) {
			return
		}
		if r.Body != nil {
			limit := g.cfg.MaxBodyBytes
			if isUpload(r) || isBulkImport(r) {
				limit = g.cfg.MaxUploadBytes
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		req := r.WithContext(ctx)
		next.ServeHTTP(rec, req)
		routedBy(req)
	})
}

// noSniff tells browsers to take every answer as the type it says it is,
// never to guess a script or a page from its bytes.
func noSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// route holds the route a request matched, once grpc-gateway's routing
// knows it, for the name of the HTTP server span.
type route struct{ pattern string }

type routeKey struct{}

// withRoute gives each request a route holder; it runs outside otelhttp,
// whose span name formatter reads the holder when the request is done.
func withRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routeKey{}, &route{})))
	})
}

// routed runs inside otelhttp and, once the request is served, puts the
// route it matched on the request otelhttp measures: otelhttp labels its
// metrics http.route after the request's Pattern, which the outer mux
// set to "/" for every API call, and the route pattern, never the path
// (which holds the names of districts and people's records), keeps the
// series few.
func routed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if rt, ok := r.Context().Value(routeKey{}).(*route); ok && rt.pattern != "" {
			r.Pattern = rt.pattern
		}
	})
}

// routedBy records the route of a request the API's own mux served (the
// OpenAPI document, a watch), where grpc-gateway named none.
func routedBy(r *http.Request) {
	rt, ok := r.Context().Value(routeKey{}).(*route)
	if !ok || rt.pattern != "" {
		return
	}
	if i := strings.IndexByte(r.Pattern, '/'); i >= 0 && r.Pattern[i:] != "/" {
		rt.pattern = r.Pattern[i:]
	}
}

// spanName names the HTTP server span after the matched route, such as
// "GET /v1/{name=districts/*/pledges/*}", or the path before routing.
func spanName(_ string, r *http.Request) string {
	if rt, ok := r.Context().Value(routeKey{}).(*route); ok && rt.pattern != "" {
		return r.Method + " " + rt.pattern
	}
	return r.Method + " " + r.URL.Path
}

// nameSpan records the route grpc-gateway matched.
func nameSpan(ctx context.Context) {
	if pattern, ok := runtime.HTTPPathPattern(ctx); ok {
		if rt, ok := ctx.Value(routeKey{}).(*route); ok {
			rt.pattern = pattern
		}
		trace.SpanFromContext(ctx).SetAttributes(attribute.String("http.route", pattern))
	}
}
