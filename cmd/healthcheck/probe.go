package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// probe checks target within timeout; nil means healthy.
func probe(target string, timeout time.Duration) error {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is no target: want grpc://, http://, https:// or nats:// with a host and port", target)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	switch u.Scheme {
	case "grpc":
		return probeGRPC(ctx, u.Host, strings.TrimPrefix(u.Path, "/"))
	case "http", "https":
		return probeHTTP(ctx, target)
	case "nats":
		return probeNATS(ctx, u.Host)
	default:
		return fmt.Errorf("%q: unknown scheme %q (grpc, http, https, nats)", target, u.Scheme)
	}
}

// probeGRPC asks grpc.health.v1 for service ("" is the whole server). The
// suite's servers speak plaintext unless GONGYAK_TLS_* is set; the probe
// runs beside the server, on its loopback.
func probeGRPC(ctx context.Context, addr, service string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		return fmt.Errorf("grpc health of %s: %w", addr, err)
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("grpc health of %s: %s", addr, resp.GetStatus())
	}
	return nil
}

// probeHTTP wants a 2xx answer to a GET.
func probeHTTP(ctx context.Context, target string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) //nolint:errcheck // only the status matters
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("GET %s: %s", target, resp.Status)
	}
	return nil
}

// probeNATS wants the INFO line a NATS server sends first on every
// connection: the server accepts clients, not only TCP.
func probeNATS(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline) //nolint:errcheck // a failed read says more
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("NATS at %s sent no greeting: %w", addr, err)
	}
	if !strings.HasPrefix(line, "INFO ") {
		return fmt.Errorf("NATS at %s greeted with %.40q, not INFO", addr, line)
	}
	return nil
}

// copySelf copies the running executable to dir/healthcheck, mode 0755.
func copySelf(dir string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	src, err := os.Open(self)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Written beside and renamed, so a container starting meanwhile never
	// runs half a file.
	tmp, err := os.CreateTemp(dir, ".healthcheck-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the rename
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, "healthcheck"))
}
