//go:build faults

package faults

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeLoad is clients creating pledges and casting ballots through the
// gateway, each as fast as it is answered. A client retries a write that
// got no answer or an answer saying to try again (429, 5xx), with the same
// request_id, so that a retry of a write that was done returns its first
// result instead of doing it twice; it gives up on a write only after
// writeBudget.
type writeLoad struct {
	s *runningSuite
	// tag is in every title the load writes, telling them from the demo
	// card's, and in every request id (printable ASCII).
	tag string
	// eval is the policy competition the ballots are cast in.
	eval    string
	entries []string

	stopping chan struct{}
	done     sync.WaitGroup

	mu sync.Mutex
	// pledges maps each acknowledged pledge's title to its name.
	pledges map[string]string
	ballots int
	// sent counts the writes begun, by kind.
	sent map[string]int
	// answers counts the statuses of every attempt, retries included; 0
	// is an attempt that got no answer.
	answers map[int]int
	retries int
	// bare503 counts the 503 answers without a Retry-After.
	bare503 int
	// failures are the writes refused or given up on, with why.
	failures []string
	// acks are when writes were acknowledged, in order.
	acks []time.Time
}

// writeBudget is how long a client keeps retrying one write.
const writeBudget = 45 * time.Second

// startLoad sets up a policy competition open for voting on the district
// gwangsan and starts clients writing to it and to the district's
// pledges, until stop.
func startLoad(t *testing.T, s *runningSuite, clients int) *writeLoad {
	t.Helper()
	l := &writeLoad{s: s, tag: "load" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36), stopping: make(chan struct{}),
		pledges: map[string]string{}, sent: map[string]int{}, answers: map[int]int{}}
	demo := s.must(t, "GET", "/v1/districts/gwangsan/pledges?filter="+url.QueryEscape("term = 7"), nil)
	listed, _ := demo.get("pledges").([]any)
	if len(listed) == 0 {
		t.Fatalf("the demo card's pledge is not there: %s", demo.raw)
	}
	now := time.Now()
	eval := s.must(t, "POST", "/v1/districts/gwangsan/programs", map[string]any{
		"kind": "PROGRAM_KIND_POLICY_COMPETITION", "title": "장애 시험 정책 경진대회 " + l.tag,
		"pledges":        []string{listed[0].(map[string]any)["name"].(string)},
		"votingWindow":   map[string]string{"openTime": now.Add(-time.Hour).Format(time.RFC3339), "closeTime": now.Add(3 * time.Hour).Format(time.RFC3339)},
		"ballotScaleMax": 5, "citizenWeightPercent": 50, "panelWeightPercent": 50,
	})
	l.eval = eval.str("name")
	for i, title := range []string{"마을 돌봄 공유 부엌", "청년 창업 공유 사무실", "어르신 디지털 배움터"} {
		e := s.must(t, "POST", "/v1/"+l.eval+"/entries", map[string]any{"title": title, "panelScore": fmt.Sprint(70 + 5*i)})
		l.entries = append(l.entries, e.str("name"))
	}
	for c := range clients {
		l.done.Add(1)
		go l.client(c)
	}
	t.Cleanup(l.stop)
	return l
}

// client writes a pledge and a ballot, again and again, until stop.
func (l *writeLoad) client(c int) {
	defer l.done.Done()
	for i := 0; ; i++ {
		select {
		case <-l.stopping:
			return
		default:
		}
		id := fmt.Sprintf("%s-%d-%05d", l.tag, c, i)
		title := fmt.Sprintf("%s 부하 공약 %d-%05d", l.tag, c, i)
		if r, ok := l.write("pledge", "/v1/districts/gwangsan/pledges?requestId="+url.QueryEscape("p-"+id), map[string]any{"title": title}); ok {
			l.mu.Lock()
			l.pledges[title] = r.str("name")
			l.mu.Unlock()
		}
		if _, ok := l.write("ballot", "/v1/"+l.eval+"/ballots?requestId="+url.QueryEscape("b-"+id), map[string]any{
			"citizenId": "citizen-" + id,
			"scores":    []map[string]any{{"entry": l.entries[i%3], "score": 1 + i%5}, {"entry": l.entries[(i+1)%3], "score": 5}},
		}); ok {
			l.mu.Lock()
			l.ballots++
			l.mu.Unlock()
		}
	}
}

// write POSTs body to path until it is acknowledged (200), refused, or
// writeBudget has passed.
func (l *writeLoad) write(kind, path string, body any) (reply, bool) {
	l.mu.Lock()
	l.sent[kind]++
	l.mu.Unlock()
	giveUp := time.Now().Add(writeBudget)
	pause := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		r, err := l.s.call(ctx, "POST", path, body)
		cancel()
		l.mu.Lock()
		l.answers[r.status]++
		if r.status == http.StatusServiceUnavailable && r.header.Get("Retry-After") == "" {
			l.bare503++
		}
		if attempt > 1 {
			l.retries++
		}
		l.mu.Unlock()
		switch {
		case err == nil && r.status == http.StatusOK:
			l.mu.Lock()
			l.acks = append(l.acks, time.Now())
			l.mu.Unlock()
			return r, true
		case err == nil && !retryable(r.status):
			l.fail("%s %s refused on attempt %d: %d %.300s", kind, path, attempt, r.status, r.raw)
			return r, false
		case time.Now().After(giveUp):
			l.fail("%s %s given up after %d attempts: %d %v %.300s", kind, path, attempt, r.status, err, r.raw)
			return r, false
		}
		wait := pause
		if asked, ok := retryAfter(r); ok {
			wait = max(wait, asked)
		}
		time.Sleep(min(wait, 2*time.Second))
		pause = min(2*pause, time.Second)
	}
}

// retryable: no answer, too many requests, or a server's error. A 500 is
// retried too, the request id making it safe, and counted.
func retryable(status int) bool {
	return status == 0 || status == http.StatusTooManyRequests || status >= 500
}

// retryAfter is the pause an answer's Retry-After asks for, in seconds.
func retryAfter(r reply) (time.Duration, bool) {
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	return time.Duration(secs) * time.Second, err == nil
}

func (l *writeLoad) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures = append(l.failures, fmt.Sprintf(format, args...))
}

// stop ends the load and waits for the writes in flight, each at most
// writeBudget.
func (l *writeLoad) stop() {
	select {
	case <-l.stopping:
	default:
		close(l.stopping)
	}
	l.done.Wait()
}

// waitAcks waits until n more writes than now have been acknowledged, at
// most within.
func (l *writeLoad) waitAcks(t *testing.T, n int, within time.Duration) {
	t.Helper()
	l.mu.Lock()
	want := len(l.acks) + n
	l.mu.Unlock()
	for deadline := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		l.mu.Lock()
		got := len(l.acks)
		l.mu.Unlock()
		if got >= want {
			return
		}
		if time.Now().After(deadline) {
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Fatalf("%d writes acknowledged within %s, want %d; answers %v; the first failures: %q",
				got-want+n, within, n, l.answers, l.failures[:min(3, len(l.failures))])
		}
	}
}

// runFor lets the load write for d, and fails t unless writes were
// acknowledged meanwhile.
func (l *writeLoad) runFor(t *testing.T, d time.Duration) {
	t.Helper()
	start := time.Now()
	time.Sleep(d)
	if _, ok := l.firstAckAfter(start); !ok {
		t.Fatalf("no write acknowledged in %s", d)
	}
}

// firstAckAfter is when the first write was acknowledged after since, and
// whether one was.
func (l *writeLoad) firstAckAfter(since time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, _ := slices.BinarySearchFunc(l.acks, since, func(a, b time.Time) int { return a.Compare(b) })
	if i == len(l.acks) {
		return time.Time{}, false
	}
	return l.acks[i], true
}

// figures are one kind of write's counts: begun by the clients,
// acknowledged to them, and found in the suite afterwards.
type figures struct {
	sent, acked, found int
	// missing were acknowledged and are not found; doubled are found more
	// than once, or more than were acknowledged.
	missing, doubled int
}

func (f figures) String() string {
	return fmt.Sprintf("sent %d, acknowledged %d, found %d (missing %d, doubled %d)", f.sent, f.acked, f.found, f.missing, f.doubled)
}

// outcome is what a stopped load finds in the suite.
type outcome struct {
	pledges, ballots figures
	answers          map[int]int
	retries          int
	// bare503 are 503 answers without a Retry-After.
	bare503  int
	failures []string
}

// answersLine lists the statuses answered, "no answer" for attempts that
// got none: "200×1620 503×12".
func (o outcome) answersLine() string {
	var parts []string
	for _, status := range slices.Sorted(maps.Keys(o.answers)) {
		name := strconv.Itoa(status)
		if status == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s×%d", name, o.answers[status]))
	}
	return strings.Join(parts, " ")
}

// check stops the load, reads back every pledge of the district and the
// competition's tally, and fails t when an acknowledged write is missing
// or doubled, or a write was refused or given up on.
func (l *writeLoad) check(t *testing.T) outcome {
	t.Helper()
	l.stop()
	o := outcome{answers: l.answers, retries: l.retries, bare503: l.bare503, failures: l.failures}
	found := map[string][]string{} // title → names
	for token := ""; ; {
		page := l.s.must(t, "GET", "/v1/districts/gwangsan/pledges?pageSize=500&pageToken="+url.QueryEscape(token), nil)
		items, _ := page.get("pledges").([]any)
		for _, item := range items {
			p := item.(map[string]any)
			if title, _ := p["title"].(string); strings.HasPrefix(title, l.tag+" ") {
				found[title] = append(found[title], p["name"].(string))
			}
		}
		if token = page.str("nextPageToken"); token == "" {
			break
		}
	}
	o.pledges = figures{sent: l.sent["pledge"], acked: len(l.pledges), found: len(found)}
	for title, name := range l.pledges {
		switch names := found[title]; {
		case len(names) == 0:
			o.pledges.missing++
			if o.pledges.missing <= 10 {
				t.Errorf("acknowledged pledge %q (%s) is missing", title, name)
			}
		case len(names) > 1 || names[0] != name:
			o.pledges.doubled++
			if o.pledges.doubled <= 10 {
				t.Errorf("acknowledged pledge %q (%s) is found as %v", title, name, names)
			}
		}
	}
	tally := l.s.must(t, "GET", "/v1/"+l.eval+"/tally", nil)
	counted, _ := tally.get("ballots").(float64)
	o.ballots = figures{sent: l.sent["ballot"], acked: l.ballots, found: int(counted)}
	// A ballot's citizen is kept only as a keyed hash: the tally's count
	// is what can be compared. Every write was acknowledged when no
	// failure is listed, so the count must be exactly the acknowledged.
	o.ballots.missing = max(0, o.ballots.acked-o.ballots.found)
	o.ballots.doubled = max(0, o.ballots.found-o.ballots.acked)
	if o.ballots.missing > 0 || (o.ballots.doubled > 0 && len(o.failures) == 0) {
		t.Errorf("ballots: %s", o.ballots)
	}
	for i, f := range o.failures {
		if i == 10 {
			t.Errorf("… and %d more writes failed", len(o.failures)-10)
			break
		}
		t.Errorf("a write failed: %s", f)
	}
	t.Logf("pledges: %s", o.pledges)
	t.Logf("ballots: %s", o.ballots)
	t.Logf("answers to every attempt: %s; retries %d; writes refused or given up %d", o.answersLine(), o.retries, len(o.failures))
	return o
}
