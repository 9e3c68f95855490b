package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// healthz answers 200 while the process is alive.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"alive"}`)) //nolint:errcheck // the client went away
}

// readyz asks every backend's grpc.health.v1 whether it serves and answers
// 200 when all do, 503 naming those that do not.
func (g *Gateway) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	type result struct {
		Addr   string `json:"addr"`
		Status string `json:"status"`
		Error  string `json:"error,omitempty"`
	}
	results := make(map[string]result, len(g.backends))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, b := range g.backends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := result{Addr: b.Addr, Status: "NOT_SERVING"}
			resp, err := healthpb.NewHealthClient(b.conn).Check(ctx, &healthpb.HealthCheckRequest{})
			if err != nil {
				res.Error = err.Error()
			} else {
				res.Status = resp.GetStatus().String()
			}
			mu.Lock()
			results[b.Name] = res
			mu.Unlock()
		}()
	}
	wg.Wait()
	code := http.StatusOK
	for _, res := range results {
		if res.Status != healthpb.HealthCheckResponse_SERVING.String() {
			code = http.StatusServiceUnavailable
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"ready": code == http.StatusOK, "backends": results}) //nolint:errcheck // the client went away
}
