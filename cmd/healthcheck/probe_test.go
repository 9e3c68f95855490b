package main

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestProbe runs the probe against real servers of each kind, healthy and
// not: a container is marked healthy exactly when its part answers.
func TestProbe(t *testing.T) {
	grpcAddr, hs := grpcHealthServer(t)
	hs.SetServingStatus("pledge.v1.PledgeService", healthpb.HealthCheckResponse_NOT_SERVING)

	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			w.Write([]byte("ok")) //nolint:errcheck // test server
			return
		}
		http.Error(w, "pledge is down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(ready.Close)

	nats, err := eventbus.StartServer("127.0.0.1:0", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nats.Shutdown)

	silent := listenSilently(t)

	for _, tc := range []struct {
		name, target string
		wantErr      string // "" for healthy
	}{
		{"grpc server serving", "grpc://" + grpcAddr, ""},
		{"grpc service not serving", "grpc://" + grpcAddr + "/pledge.v1.PledgeService", "NOT_SERVING"},
		{"grpc service unknown", "grpc://" + grpcAddr + "/nope.v1.Nope", "NotFound"},
		{"grpc nothing listening", "grpc://" + closedAddr(t), "grpc health"},
		{"http 200", ready.URL + "/readyz", ""},
		{"http 503", ready.URL + "/healthz", "503"},
		{"nats greets", nats.URL(), ""},
		{"tcp without a greeting", "nats://" + silent, "no greeting"},
		{"http server is not nats", "nats://" + strings.TrimPrefix(ready.URL, "http://"), "no greeting"},
		{"no scheme", grpcAddr, "is no target"},
		{"unknown scheme", "ftp://" + grpcAddr, "unknown scheme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := probe(tc.target, time.Second)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("probe(%s) = %v, want healthy", tc.target, err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("probe(%s) healthy, want an error with %q", tc.target, tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("probe(%s) = %v, want it to say %q", tc.target, err, tc.wantErr)
			}
		})
	}
}

// TestCommand runs the built program as a container's healthcheck does:
// the exit status is the verdict, and --copy-to leaves a probe that works.
func TestCommand(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "healthcheck")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	grpcAddr, hs := grpcHealthServer(t)

	dir := filepath.Join(t.TempDir(), "probe")
	if out, err := exec.Command(bin, "--copy-to", dir).CombinedOutput(); err != nil {
		t.Fatalf("--copy-to: %v\n%s", err, out)
	}
	copied := filepath.Join(dir, "healthcheck")
	if fi, err := os.Stat(copied); err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Fatalf("the copy %s: %v, mode %v; want an executable", copied, err, fi)
	}

	if out, err := exec.Command(copied, "grpc://"+grpcAddr).CombinedOutput(); err != nil {
		t.Fatalf("the copied probe on a serving server: %v\n%s", err, out)
	}
	hs.Shutdown() // every service NOT_SERVING, as a server draining does
	out, err := exec.Command(copied, "--timeout", "2s", "grpc://"+grpcAddr).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "NOT_SERVING") {
		t.Fatalf("on a draining server: %v, %q; want exit 1 saying NOT_SERVING", err, out)
	}
	if _, err := exec.Command(copied).CombinedOutput(); !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("with no target: %v, want exit 2 (usage)", err)
	}
}

func grpcHealthServer(t *testing.T) (string, *health.Server) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	hs := health.NewServer()
	healthpb.RegisterHealthServer(s, hs)
	go s.Serve(lis) //nolint:errcheck // ends with Stop
	t.Cleanup(s.Stop)
	return lis.Addr().String(), hs
}

// listenSilently accepts connections and says nothing on them.
func listenSilently(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lis.Close() })
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return lis.Addr().String()
}

// closedAddr is an address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	return addr
}
