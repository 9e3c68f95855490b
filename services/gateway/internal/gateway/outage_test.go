package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"github.com/jackc/pgx/v5"
)

// databaseAway is a pledge service whose database refuses connections: it
// answers what its store answers, a real connection error.
type databaseAway struct {
	*pledgeBackend
	url string
}

func (d databaseAway) GetPledge(ctx context.Context, _ *pledgev1.GetPledgeRequest) (*pledgev1.Pledge, error) {
	// One attempt, as a store's query makes when the pool has no
	// connection: refused at once, however loaded the machine (pgdb.Open
	// would retry until its deadline, and a slow machine's last attempt
	// could end as the deadline rather than the refusal).
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, d.url)
	if err == nil {
		conn.Close(ctx)
	}
	return nil, err
}

func TestAnOutageIsA503WithRetryAfter(t *testing.T) {
	closed := closedAddr(t)
	away := gatewayOver(t, testConfig(), io.Discard, databaseAway{&pledgeBackend{}, "postgres://gongyak_pledge:secret@" + closed + "/gongyak"})
	cfg := testConfig()
	cfg.Addrs = map[string]string{}
	for _, s := range services {
		cfg.Addrs[s.Name] = closed
	}
	down, err := New(context.Background(), cfg, telemetry.NewLogger(io.Discard, "gateway", "error"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Close)

	for _, tt := range []struct {
		name    string
		g       *Gateway
		message string
	}{
		{"the service's database refuses connections", away, "the service's database is not available; retry shortly"},
		{"the service itself is down", down, "the pledge service could not be reached; retry shortly"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tt.g.ServeHTTP(w, httptest.NewRequest("GET", pledgePath, nil))
			if w.Code != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503: %s", w.Code, w.Body)
			}
			if got := w.Header().Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After %q, want 1", got)
			}
			var body struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
				Details []struct {
					Type       string `json:"@type"`
					RetryDelay string `json:"retryDelay"`
				} `json:"details"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			retry := ""
			for _, d := range body.Details {
				if d.Type == "type.googleapis.com/google.rpc.RetryInfo" {
					retry = d.RetryDelay
				}
			}
			if body.Code != 14 || retry != "1s" {
				t.Errorf("body %s: want code 14 (UNAVAILABLE) with a RetryInfo of 1s", w.Body)
			}
			if body.Message != tt.message {
				t.Errorf("message %q, want %q", body.Message, tt.message)
			}
		})
	}
}

// hungPledges is a pledge service whose GetPledge never answers: it waits
// until the call is given up, and counts the calls it saw given up.
type hungPledges struct {
	*pledgeBackend
	mu       sync.Mutex
	canceled int
}

func (h *hungPledges) GetPledge(ctx context.Context, _ *pledgev1.GetPledgeRequest) (*pledgev1.Pledge, error) {
	<-ctx.Done()
	h.mu.Lock()
	h.canceled++
	h.mu.Unlock()
	return nil, ctx.Err()
}

func (h *hungPledges) givenUp() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.canceled
}

// margin is how much later than its deadline a request may be answered:
// the time to notice, on a busy machine.
const margin = 1500 * time.Millisecond

func TestAHungServiceIsA504WithinTheMethodsDeadline(t *testing.T) {
	hung := &hungPledges{pledgeBackend: &pledgeBackend{}}
	g := gatewayOver(t, testConfig(), io.Discard, hung)
	// A first request opens the connection, whose own goroutines then
	// count as there before.
	if w := get(g, "/v1/districts/gwangsan/pledges"); w.Code != http.StatusOK {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	before := runtime.NumGoroutine()

	const requests = 20
	var wg sync.WaitGroup
	answers := make([]*httptest.ResponseRecorder, requests)
	took := make([]time.Duration, requests)
	for i := range requests {
		wg.Go(func() {
			start := time.Now()
			answers[i] = get(g, pledgePath)
			took[i] = time.Since(start)
		})
	}
	wg.Wait()
	for i, w := range answers {
		if w.Code != http.StatusGatewayTimeout || !strings.Contains(w.Body.String(), "the pledge service did not answer within 5s") {
			t.Errorf("request %d: %d %s; want 504 saying the pledge service did not answer within 5s", i, w.Code, w.Body)
		}
		if took[i] > 5*time.Second+margin {
			t.Errorf("request %d was answered after %v; GetPledge's deadline is 5s", i, took[i])
		}
	}
	// Nothing is left of the hung calls: the service saw each given up,
	// and the gateway holds no more goroutines than before them.
	settled := time.Now().Add(5 * time.Second)
	for (hung.givenUp() < requests || runtime.NumGoroutine() > before+2) && time.Now().Before(settled) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := hung.givenUp(); n != requests {
		t.Errorf("the service saw %d of %d hung calls given up", n, requests)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Errorf("%d goroutines after the requests were answered, %d before", n, before)
	}
}

func TestTheRequestTimeoutBoundsEveryCall(t *testing.T) {
	cfg := testConfig()
	cfg.RequestTimeout = time.Second
	g := gatewayOver(t, cfg, io.Discard, &hungPledges{pledgeBackend: &pledgeBackend{}})
	start := time.Now()
	w := get(g, pledgePath)
	if took := time.Since(start); w.Code != http.StatusGatewayTimeout || took > time.Second+margin {
		t.Errorf("%d after %v; want 504 within the request timeout of 1s", w.Code, took)
	}
}

func get(g *Gateway, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

// closedAddr is a loopback address nothing listens on.
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
