package e2e

import (
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gongyak/gongyak/e2e/internal/harness"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/tcpproxy"
)

// TestADatabaseOutageIsA503ThatPassesWithoutARestart runs the pledge
// service on a database it reaches through a proxy, and takes the database
// away: reads and writes are 503 with Retry-After, never 500; readiness
// says the pledge service is not ready; once the database is back, the
// same process serves again within seconds.
func TestADatabaseOutageIsA503ThatPassesWithoutARestart(t *testing.T) {
	u, err := url.Parse(pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	db := tcpproxy.Start(t, u.Host)
	r := startSuiteWith(t, suiteOptions{services: []string{"pledge"}, databaseVia: map[string]string{"pledge": db.Addr()}})
	r.seedGwangsan(t)
	path := "/v1/districts/gwangsan/pledges/river-park"
	r.call(t, "POST", "/v1/districts/gwangsan/pledges?pledgeId=river-park", map[string]any{"title": "황룡강 수변공원 조성", "term": 8}).must(t, http.StatusOK)
	pledge := r.procs["pledge"]
	pid := pledge.Pid()

	db.Down()
	down := time.Now()
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", path, nil},
		{"GET", "/v1/districts/gwangsan/pledges", nil},
		{"POST", "/v1/districts/gwangsan/pledges", map[string]any{"title": "청년 창업 지원", "term": 8}},
	} {
		resp := r.call(t, c.method, c.path, c.body)
		if resp.status != http.StatusServiceUnavailable || resp.header.Get("Retry-After") != "1" || retryDelay(resp) != "1s" {
			t.Errorf("%s %s with the database away: %d, Retry-After %q: %s; want 503, Retry-After 1 and a RetryInfo of 1s",
				c.method, c.path, resp.status, resp.header.Get("Retry-After"), resp.raw)
		}
	}
	r.waitReadiness(t, "pledge", "NOT_SERVING", 5*time.Second)
	t.Logf("the pledge service was not ready %v after its database went away", time.Since(down).Round(100*time.Millisecond))

	db.Up()
	back := time.Now()
	for {
		resp := r.call(t, "GET", path, nil)
		if resp.status == http.StatusOK {
			break
		}
		if resp.status != http.StatusServiceUnavailable {
			t.Fatalf("GET %s while the database comes back: %d %s", path, resp.status, resp.raw)
		}
		if time.Since(back) > 5*time.Second {
			t.Fatalf("GET %s still 503 5s after the database came back: %s", path, resp.raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("GET %s served again %v after the database came back", path, time.Since(back).Round(10*time.Millisecond))
	r.waitReadiness(t, "pledge", "SERVING", 5*time.Second)
	r.call(t, "POST", "/v1/districts/gwangsan/pledges", map[string]any{"title": "청년 창업 지원", "term": 8}).must(t, http.StatusOK)
	select {
	case <-pledge.Done():
		t.Fatalf("the pledge service exited: %v", pledge.Err())
	default:
	}
	if pledge.Pid() != pid {
		t.Errorf("the pledge service was restarted")
	}
}

// TestAStoppedServiceIsA504WithinItsDeadline stops the budget service
// (SIGSTOP: it holds its connections and answers nothing) and reads a
// budget: the gateway answers 504 naming the service within the read's 5 s,
// not its 30 s request timeout, for every request at once.
func TestAStoppedServiceIsA504WithinItsDeadline(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget")
	r.seedGwangsan(t)
	r.call(t, "POST", "/v1/districts/gwangsan/pledges?pledgeId=river-park", map[string]any{"title": "황룡강 수변공원 조성", "term": 8}).must(t, http.StatusOK)
	path := "/v1/districts/gwangsan/pledges/river-park/budget"
	if resp := r.call(t, "GET", path, nil); resp.status >= 500 {
		t.Fatalf("GET %s: %d %s", path, resp.status, resp.raw)
	}
	budget := r.procs["budget"].Pid()
	if err := harness.Stop(budget); err != nil {
		t.Fatal(err)
	}
	cont := sync.OnceFunc(func() { syscall.Kill(budget, syscall.SIGCONT) }) //nolint:errcheck // it may be gone
	// Let it run again before the harness stops it (cleanups run last first).
	t.Cleanup(cont)

	const requests = 8
	var wg sync.WaitGroup
	answers := make([]response, requests)
	took := make([]time.Duration, requests)
	for i := range requests {
		wg.Go(func() {
			start := time.Now()
			answers[i] = r.call(t, "GET", path, nil)
			took[i] = time.Since(start)
		})
	}
	wg.Wait()
	slowest := time.Duration(0)
	for i, resp := range answers {
		slowest = max(slowest, took[i])
		if resp.status != http.StatusGatewayTimeout || resp.str("message") != "the budget service did not answer within 5s" {
			t.Errorf("request %d: %d %s; want 504 saying the budget service did not answer within 5s", i, resp.status, resp.raw)
		}
		if took[i] > 5*time.Second+1500*time.Millisecond {
			t.Errorf("request %d was answered after %v; GetBudget's deadline is 5s", i, took[i])
		}
	}
	t.Logf("%d requests to the stopped budget service: %d answered 504, the slowest after %v", requests, count(answers, http.StatusGatewayTimeout), slowest.Round(10*time.Millisecond))

	cont()
	if resp := r.call(t, "GET", path, nil); resp.status >= 500 {
		t.Errorf("GET %s once the budget service runs again: %d %s", path, resp.status, resp.raw)
	}
}

// waitReadiness waits up to within for the gateway's /readyz to report
// the service's status as want.
func (r *running) waitReadiness(t *testing.T, service, want string, within time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		resp := r.call(t, "GET", "/readyz", nil)
		if resp.str("backends."+service+".status") == want {
			return
		}
		if time.Since(start) > within {
			t.Fatalf("readiness of %s still not %s after %v: %s", service, want, within, resp.raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// retryDelay is the retry delay of an error body's RetryInfo, or "".
func retryDelay(resp response) string {
	details, _ := resp.body["details"].([]any)
	for _, d := range details {
		if dm, _ := d.(map[string]any); dm["@type"] == "type.googleapis.com/google.rpc.RetryInfo" {
			s, _ := dm["retryDelay"].(string)
			return s
		}
	}
	return ""
}

func count(answers []response, status int) int {
	n := 0
	for _, a := range answers {
		if a.status == status {
			n++
		}
	}
	return n
}
