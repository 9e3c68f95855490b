package gateway

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// slowOrMissing answers GetPledge at once, after 1 s for the pledge
// "slow", and NOT_FOUND for the pledge "missing". The slow one is far
// beyond the test's threshold, and an ordinary one far within it even on a
// loaded machine (at 100 ms against 50 ms, an ordinary read under -race
// beside other tests was logged as slow).
type slowOrMissing struct{ *pledgeBackend }

func (b slowOrMissing) GetPledge(ctx context.Context, req *pledgev1.GetPledgeRequest) (*pledgev1.Pledge, error) {
	switch {
	case strings.HasSuffix(req.GetName(), "/slow"):
		time.Sleep(time.Second)
	case strings.HasSuffix(req.GetName(), "/missing"):
		return nil, status.Error(codes.NotFound, "no such pledge")
	}
	return b.pledgeBackend.GetPledge(ctx, req)
}

// TestTheAccessLogKeepsFailuresAndSlowRequestsAndSamplesTheRest sends 25
// ordinary reads, 3 that fail and 2 slow ones through a gateway logging
// one ordinary request in 10: the log holds the 1st, 11th and 21st
// ordinary ones, saying so, and every failed and slow one.
func TestTheAccessLogKeepsFailuresAndSlowRequestsAndSamplesTheRest(t *testing.T) {
	var logs bytes.Buffer
	cfg := testConfig()
	cfg.AccessLogEvery, cfg.AccessLogSlow = 10, 500*time.Millisecond
	g := gatewayOver(t, cfg, &logs, slowOrMissing{&pledgeBackend{}})
	get := func(id string, want int) {
		t.Helper()
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/v1/districts/gwangsan/pledges/"+id, nil)
		r.Header.Set(RequestIDHeader, id)
		g.ServeHTTP(w, r)
		if w.Code != want {
			t.Fatalf("GET %s: %d, want %d", id, w.Code, want)
		}
	}
	for i := range 25 {
		get("ok-"+string(rune('a'+i)), http.StatusOK)
		if i == 4 || i == 14 || i == 20 {
			get("missing", http.StatusNotFound)
		}
		if i == 7 || i == 18 {
			get("slow", http.StatusOK)
		}
	}
	var ids []string
	sampled := 0
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !strings.Contains(line, `"msg":"http"`) {
			continue
		}
		_, rest, _ := strings.Cut(line, `"request_id":"`)
		id, _, _ := strings.Cut(rest, `"`)
		ids = append(ids, id)
		if strings.Contains(line, `"sampled_one_in":10`) {
			sampled++
		}
	}
	want := []string{"ok-a", "missing", "slow", "ok-k", "missing", "slow", "ok-u", "missing"}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("logged %v, want %v", ids, want)
	}
	if sampled != 3 {
		t.Errorf("%d lines say they stand for 10 requests, want the 3 ordinary ones", sampled)
	}
}

// BenchmarkAccessLog reads a pledge through the gateway, logging through a
// pipe drained by another goroutine as the suite's log pipe is: every
// request, then one in 100.
func BenchmarkAccessLog(b *testing.B) {
	for _, every := range []int{1, 100} {
		b.Run("every="+strconv.Itoa(every), func(b *testing.B) {
			r, w, err := os.Pipe()
			if err != nil {
				b.Fatal(err)
			}
			go io.Copy(io.Discard, r) //nolint:errcheck // drains until the pipe closes
			b.Cleanup(func() { w.Close(); r.Close() })
			cfg := testConfig()
			cfg.AccessLogEvery = every
			g := gatewayOver(b, cfg, w, &pledgeBackend{})
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := httptest.NewRecorder()
					g.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/districts/gwangsan/pledges/p1", nil))
					if rec.Code != http.StatusOK {
						b.Errorf("status %d", rec.Code)
						return
					}
				}
			})
		})
	}
}
