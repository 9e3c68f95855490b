package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"google.golang.org/grpc/metadata"
)

// pledgeBackend is a pledge service that answers every call it gets and
// remembers the metadata of the last: what a service learns from the
// gateway, seen from the service's side of a real gRPC connection.
type pledgeBackend struct {
	pledgev1.UnimplementedPledgeServiceServer
	mu    sync.Mutex
	last  metadata.MD
	calls int
}

func (b *pledgeBackend) record(ctx context.Context) {
	md, _ := metadata.FromIncomingContext(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last, b.calls = md.Copy(), b.calls+1
}

// lastCall returns the metadata of the last call and how many calls came.
func (b *pledgeBackend) lastCall() (metadata.MD, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last, b.calls
}

func (b *pledgeBackend) GetPledge(ctx context.Context, req *pledgev1.GetPledgeRequest) (*pledgev1.Pledge, error) {
	b.record(ctx)
	return &pledgev1.Pledge{Name: req.GetName(), Title: "행복동아리"}, nil
}

func (b *pledgeBackend) ListPledges(ctx context.Context, _ *pledgev1.ListPledgesRequest) (*pledgev1.ListPledgesResponse, error) {
	b.record(ctx)
	return &pledgev1.ListPledgesResponse{}, nil
}

func (b *pledgeBackend) CreatePledge(ctx context.Context, req *pledgev1.CreatePledgeRequest) (*pledgev1.Pledge, error) {
	b.record(ctx)
	return req.GetPledge(), nil
}

func (b *pledgeBackend) UpdatePledge(ctx context.Context, req *pledgev1.UpdatePledgeRequest) (*pledgev1.Pledge, error) {
	b.record(ctx)
	return req.GetPledge(), nil
}

func (b *pledgeBackend) DeletePledge(ctx context.Context, req *pledgev1.DeletePledgeRequest) (*pledgev1.Pledge, error) {
	b.record(ctx)
	return &pledgev1.Pledge{Name: req.GetName()}, nil
}

func (b *pledgeBackend) UploadPhoto(ctx context.Context, req *pledgev1.UploadPhotoRequest) (*pledgev1.Photo, error) {
	b.record(ctx)
	return &pledgev1.Photo{Uri: "/v1/" + req.GetName() + ":content"}, nil
}

// testConfig is the binary's configuration with no limit in the way; each
// test sets the ones it is about.
func testConfig() Config {
	return Config{
		MaxBodyBytes:   1 << 20,
		MaxUploadBytes: 6 << 20,
		RequestTimeout: 30 * time.Second,
	}
}

// newTestGateway builds the gateway of cfg over a pledge service of its
// own; every other service's address is there too but serves nothing.
func newTestGateway(t *testing.T, cfg Config) (*Gateway, *pledgeBackend) {
	t.Helper()
	return newLoggingGateway(t, cfg, io.Discard)
}

// newLoggingGateway is newTestGateway logging at info level to logs.
func newLoggingGateway(t *testing.T, cfg Config, logs io.Writer) (*Gateway, *pledgeBackend) {
	t.Helper()
	b := &pledgeBackend{}
	return gatewayOver(t, cfg, logs, b), b
}

// gatewayOver builds the gateway of cfg over the pledge service impl, at
// every service's address, logging to logs. impl lets every call through
// (embedding a *pledgeBackend does).
func gatewayOver(t testing.TB, cfg Config, logs io.Writer, impl pledgev1.PledgeServiceServer) *Gateway {
	t.Helper()
	_, addr := grpctest.Serve(t, nil, func(s *grpcserver.Server) {
		pledgev1.RegisterPledgeServiceServer(s, impl)
		// The recording service lets every call through: what the gateway
		// passes on is what these tests look at.
		open := auth.Policy{}
		for _, m := range pledgev1.PledgeService_ServiceDesc.Methods {
			open["/"+pledgev1.PledgeService_ServiceDesc.ServiceName+"/"+m.MethodName] = auth.Public
		}
		s.Authorize(open)
	})
	cfg.Addrs = map[string]string{}
	for _, s := range services {
		cfg.Addrs[s.Name] = addr
	}
	g, err := New(context.Background(), cfg, telemetry.NewLogger(logs, "gateway", "info"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g
}

// serve runs the gateway of cfg as the binary does: NewServer on a
// listener with cfg's connection limits. It returns the base URL.
func serve(t *testing.T, cfg Config) (string, *pledgeBackend) {
	t.Helper()
	g, b := newTestGateway(t, cfg)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(cfg, g)
	done := make(chan error, 1)
	go func() {
		done <- srv.Serve(LimitConnections(lis, cfg, telemetry.NewLogger(io.Discard, "gateway", "error")))
	}()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + lis.Addr().String(), b
}

// send makes one request with headers given as name, value pairs.
func send(t *testing.T, client *http.Client, method, url, body string, headers ...string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

// AuthFuncOverride takes every caller as it comes (go-grpc-middleware's
// per-service override): the recording service checks no credential, so
// the tests see exactly what the gateway forwards.
func (b *pledgeBackend) AuthFuncOverride(ctx context.Context, _ string) (context.Context, error) {
	return ctx, nil
}
