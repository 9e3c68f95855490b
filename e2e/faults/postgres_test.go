//go:build faults

package faults

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPostgresRestartedDuringWritesNeverAnswers500 is fault (b): under
// four clients writing, PostgreSQL is shut down as `pg_ctl stop -m fast`
// does and started again by gongyak run's supervisor, then killed outright
// and started again (crash recovery). Meanwhile the clients get 503s with
// Retry-After (or 504s), never a 500; within 10 s of each fault the suite
// serves writes again, without any of its processes restarted; every
// acknowledged write is there once.
func TestPostgresRestartedDuringWritesNeverAnswers500(t *testing.T) {
	s := startSuite(t, suiteOptions{})
	load := startLoad(t, s, 4)
	load.waitAcks(t, 40, 30*time.Second)
	load.runFor(t, 3*time.Second)
	others := slices.DeleteFunc(slices.Clone(parts), func(name string) bool { return name == "postgres" })
	before := s.pids(others...)

	var rounds []string
	for _, crash := range []bool{false, true} {
		how := "fast shutdown"
		if crash {
			how = "kill -9"
		}
		at := time.Now()
		old := s.restartPostgres(t, crash)
		c := s.waitBack(t, "postgres", old, at, comebackLimit)
		served := s.firstWriteAfter(t, at, comebackLimit)
		t.Logf("PostgreSQL %s (pid %d): running again as pid %d, the suite ready after %s, a write acknowledged %s after the fault; readiness said not ready meanwhile: %t",
			how, old, c.pid, c.took.Round(time.Millisecond), served.Round(time.Millisecond), c.notReady)
		rounds = append(rounds, fmt.Sprintf("%s: writes again after %s", how, served.Round(100*time.Millisecond)))
		if served > comebackLimit {
			t.Errorf("after the %s, the first write was acknowledged after %s, want within %s", how, served, comebackLimit)
		}
		load.waitAcks(t, 20, 30*time.Second)
		load.runFor(t, 3*time.Second)
	}

	o := load.check(t)
	for status, n := range o.answers {
		if status != http.StatusOK && status != http.StatusServiceUnavailable && status != http.StatusGatewayTimeout {
			t.Errorf("%d attempts answered %d (0: no answer), want only 200, 503 and 504", n, status)
		}
	}
	if o.bare503 > 0 {
		t.Errorf("%d answers were 503 without a Retry-After", o.bare503)
	}
	for name, pid := range before {
		if now := s.pid(name); now != pid || s.restarts(name) != 0 {
			t.Errorf("%s restarted when PostgreSQL did: pid %d, was %d; %d restarts", name, now, pid, s.restarts(name))
		}
	}
	if n := s.restarts("postgres"); n != 2 {
		t.Errorf("PostgreSQL was started again %d times, want 2", n)
	}
	t.Logf("SUMMARY (b) PostgreSQL restarted during writes: %s; pledges %s; ballots %s; answers %s (503 without Retry-After: %d); retries %d; service restarts 0 wanted",
		strings.Join(rounds, ", "), o.pledges, o.ballots, o.answersLine(), o.bare503, o.retries)
}

// firstWriteAfter creates a pledge of its own, retried with its request id
// until acknowledged, and returns how long after since it was.
func (s *runningSuite) firstWriteAfter(t *testing.T, since time.Time, within time.Duration) time.Duration {
	t.Helper()
	id := fmt.Sprintf("probe-%d", since.UnixNano())
	for {
		ctx, cancel := context.WithTimeout(context.Background(), within)
		r, err := s.call(ctx, "POST", "/v1/districts/gwangsan/pledges?requestId="+id, map[string]any{"title": "복구 확인 " + id})
		cancel()
		if err == nil && r.status == http.StatusOK {
			return time.Since(since)
		}
		if time.Since(since) > 3*within {
			t.Fatalf("no write acknowledged within %s of the fault: %d %v %.300s", 3*within, r.status, err, r.raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
