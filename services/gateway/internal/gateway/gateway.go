// Package gateway serves Gongyak's REST/JSON API: grpc-gateway handlers
// routed by the protos' HTTP rules, each calling its service over a real
// gRPC connection, behind an edge that names, bounds, logs and traces every
// request.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/openapi"
	"github.com/gongyak/gongyak/services/gateway/internal/console"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// Config is what the gateway needs to run.
type Config struct {
	HTTPAddr     string
	Addrs        map[string]string // backend addresses by service name
	MaxBodyBytes int64
	// MaxUploadBytes bounds the body of a file upload.
	MaxUploadBytes int64
	// RequestTimeout bounds a request from its first byte to its answer,
	// the reading of its body included.
	RequestTimeout time.Duration
	// CORSOrigins are the exact origins (scheme://host[:port]) whose pages
	// a browser lets call the API; none when empty.
	CORSOrigins []string
	// MaxConnections bounds the open connections in all, and
	// MaxConnectionsPerClient those from one client address; 0 is no limit.
	MaxConnections          int
	MaxConnectionsPerClient int
	// RateLimit is the requests per second one client address may make,
	// and KeyRateLimit those one credential may make, each in bursts of
	// twice as many; 0 is no limit.
	RateLimit    int
	KeyRateLimit int
	// AccessLogEvery logs one in every so many answered requests that
	// neither failed (4xx, 5xx) nor took AccessLogSlow or longer; those
	// are always logged. 0 or 1 logs every request.
	AccessLogEvery int
	// AccessLogSlow is how long a request takes to be logged whatever
	// AccessLogEvery says; 0 is 500 ms.
	AccessLogSlow time.Duration
	// Console is the sign-in the admin console at /admin is told to use.
	Console console.Config
	// ConsoleFiles is the console's build; nil is the one embedded.
	ConsoleFiles fs.FS
}

// backend is one service the gateway routes to.
type backend struct {
	Name     string
	Addr     string
	register func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error
	conn     *grpc.ClientConn
}

// services lists every service the gateway serves, with the handlers of
// its HTTP rules.
var services = []backend{
	{Name: "pledge", register: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
		return errors.Join(
			pledgev1.RegisterDistrictServiceHandler(ctx, mux, conn),
			pledgev1.RegisterPledgeServiceHandler(ctx, mux, conn),
			pledgev1.RegisterApiKeyServiceHandler(ctx, mux, conn),
			pledgev1.RegisterAuditServiceHandler(ctx, mux, conn),
			pledgev1.RegisterReportServiceHandler(ctx, mux, conn),
		)
	}},
	{Name: "budget", register: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
		return budgetv1.RegisterBudgetServiceHandler(ctx, mux, conn)
	}},
	{Name: "indicator", register: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
		return indicatorv1.RegisterIndicatorServiceHandler(ctx, mux, conn)
	}},
	{Name: "participation", register: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
		return participationv1.RegisterParticipationServiceHandler(ctx, mux, conn)
	}},
	// The change feed; its watch is Server-Sent Events (watch.go).
	{Name: "events", register: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
		return errors.Join(
			eventsv1.RegisterChangeServiceHandler(ctx, mux, conn),
			eventsv1.RegisterWebhookServiceHandler(ctx, mux, conn),
		)
	}},
}

// Gateway is the HTTP handler of the REST API.
type Gateway struct {
	cfg      Config
	log      *slog.Logger
	backends []backend
	handler  http.Handler
	cors     *corsPolicy
	limits   *rateLimits
	access   accessSampler
	// mux, json and events serve the change feed's watch, which
	// grpc-gateway does not (watch.go).
	mux    *runtime.ServeMux
	json   runtime.Marshaler
	events *grpc.ClientConn
}

// New dials every backend (lazily: a backend that is down makes its
// routes answer 503, not the gateway fail) and builds the handler.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Gateway, error) {
	cors, err := newCORSPolicy(cfg.CORSOrigins)
	if err != nil {
		return nil, err
	}
	g := &Gateway{cfg: cfg, log: log, cors: cors, limits: newRateLimits(cfg.RateLimit, cfg.KeyRateLimit),
		access: accessSampler{every: uint64(max(cfg.AccessLogEvery, 1)), slow: cfg.AccessLogSlow}}
	jsonOut := &runtime.HTTPBodyMarshaler{Marshaler: newJSONMarshaler()}
	opts := []runtime.ServeMuxOption{
		// google.api.HttpBody answers (a rendered card, a photo) go out as
		// they are; everything else is JSON.
		runtime.WithMarshalerOption(runtime.MIMEWildcard, jsonOut),
		runtime.WithIncomingHeaderMatcher(headerMatcher),
		runtime.WithMetadata(clientAddress),
		runtime.SetQueryParameterParser(queryParser{}),
		// gRPC's own content-type is no business of an HTTP client; a
		// file's name (an exported report's) goes out as HTTP says it.
		runtime.WithOutgoingHeaderMatcher(func(key string) (string, bool) {
			switch key {
			case "content-type":
				return "", false
			case "content-disposition":
				return "Content-Disposition", true
			}
			return runtime.MetadataHeaderPrefix + key, true
		}),
		runtime.WithErrorHandler(errorHandler),
		runtime.WithRoutingErrorHandler(routingErrorHandler),
		runtime.WithForwardResponseOption(func(ctx context.Context, _ http.ResponseWriter, _ proto.Message) error {
			nameSpan(ctx)
			return nil
		}),
	}
	// A bulk import's NDJSON goes to the pledge service as it is, in
	// chunks.
	opts = append(opts, runtime.WithMarshalerOption(ndjsonType, ndjsonBody{Marshaler: jsonOut}))
	for _, t := range imageTypes {
		opts = append(opts, runtime.WithMarshalerOption(t, rawBody{Marshaler: jsonOut, contentType: t}))
	}
	mux := runtime.NewServeMux(opts...)
	for _, b := range services {
		b.Addr = cfg.Addrs[b.Name]
		if b.Addr == "" {
			return nil, fmt.Errorf("no address for the %s service", b.Name)
		}
		conn, err := grpcclient.Dial(b.Addr)
		if err != nil {
			g.Close()
			return nil, fmt.Errorf("%s service at %s: %w", b.Name, b.Addr, err)
		}
		b.conn = conn
		g.backends = append(g.backends, b)
		if b.Name == "events" {
			g.events = conn
		}
		if err := b.register(ctx, mux, conn); err != nil {
			g.Close()
			return nil, err
		}
	}
	api := http.NewServeMux()
	api.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openapi.Document) //nolint:errcheck // the client went away
	})
	g.mux, g.json = mux, jsonOut
	api.HandleFunc(watchPattern, g.watchChanges)
	api.Handle("/", mux)
	// Health probes come from the platform, often and without credentials:
	// they skip the edge's limits and its log.
	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", healthz)
	root.HandleFunc("GET /readyz", g.readyz)
	root.Handle("/", g.edge(api))
	// The console is files for a browser, outside the API's edge (its
	// request ids, limits and JSON errors are the API's); the site's root
	// is the console.
	files := cfg.ConsoleFiles
	if files == nil {
		files = console.Built()
	}
	adminConsole := console.New(files, cfg.Console)
	root.Handle(console.Prefix, adminConsole)
	root.Handle(console.Prefix+"/", adminConsole)
	root.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, console.Prefix+"/", http.StatusFound)
	})
	// The metrics' server.address is the address the gateway listens on,
	// not the Host a client sent.
	g.handler = noSniff(withRoute(otelhttp.NewHandler(routed(root), "gateway",
		otelhttp.WithSpanNameFormatter(spanName), otelhttp.WithServerName(cfg.HTTPAddr))))
	return g, nil
}

// ServeHTTP serves the API.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.handler.ServeHTTP(w, r) }

// Close closes the backend connections.
func (g *Gateway) Close() {
	for _, b := range g.backends {
		if b.conn != nil {
			b.conn.Close()
		}
	}
}

// ClientAddressMetadata is the gRPC metadata key under which the gateway
// tells a service the address of the client it serves: the host part of
// the connection's remote address, for audit rows.
const ClientAddressMetadata = "x-gongyak-client-address"

// headerMatcher passes the request id on to the services, besides the
// headers grpc-gateway passes by default (Authorization goes as
// `authorization`). Nothing else a caller writes becomes metadata: no
// header names an actor or grants a role, and the client address is the
// gateway's to say.
func headerMatcher(key string) (string, bool) {
	switch strings.ToLower(key) {
	case strings.ToLower(RequestIDHeader):
		return "x-request-id", true
	case ClientAddressMetadata:
		return "", false
	}
	return runtime.DefaultHeaderMatcher(key)
}

// clientAddress is the metadata the gateway itself adds to every call;
// grpc-gateway lets it replace whatever the request put under its keys.
func clientAddress(_ context.Context, r *http.Request) metadata.MD {
	return metadata.Pairs(ClientAddressMetadata, remoteHost(r.RemoteAddr))
}

// remoteHost is the host part of a connection's remote address.
func remoteHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
