//go:build faults

package faults

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The deadlines the gateway gives its calls (pkg/deadline): a read of one
// service, and the card, which gathers every service's sections.
const (
	readDeadline = 5 * time.Second
	cardDeadline = 8 * time.Second
	// slack is what an answer may take beyond its deadline on a busy
	// machine: the gateway's own work and the way back.
	slack = 2 * time.Second
)

// TestAStoppedBackendAnswersWithinTheDeadline is fault (c): the budget
// service is stopped (SIGSTOP), as a hung process would be. Reads of a
// budget answer 503 or 504 within the read deadline, many at once without
// piling up connections to it; the pledge's card still answers 200 with
// its budget section marked unavailable, and the pledge itself answers as
// fast as ever. Once the service is resumed it serves again at once.
func TestAStoppedBackendAnswersWithinTheDeadline(t *testing.T) {
	s := startSuite(t, suiteOptions{})
	demo := s.must(t, "GET", "/v1/districts/gwangsan/pledges?filter="+url.QueryEscape("term = 7"), nil)
	listed, _ := demo.get("pledges").([]any)
	if len(listed) == 0 {
		t.Fatalf("the demo card's pledge is not there: %s", demo.raw)
	}
	pledge := listed[0].(map[string]any)["name"].(string)
	s.must(t, "GET", "/v1/"+pledge+"/budget", nil)
	budgetPort := s.Addrs["budget"][strings.LastIndexByte(s.Addrs["budget"], ':')+1:]
	connsBefore := establishedTo(t, budgetPort)

	s.pause(t, "budget")
	const readers = 16
	type answer struct {
		status int
		took   time.Duration
		err    error
	}
	answers := make([]answer, readers)
	var wg sync.WaitGroup
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			r, err := s.call(ctx, "GET", "/v1/"+pledge+"/budget", nil)
			answers[i] = answer{status: r.status, took: time.Since(start), err: err}
		}()
	}
	// Meanwhile, what does not need the budget service answers at once.
	start := time.Now()
	s.must(t, "GET", "/v1/"+pledge, nil)
	plain := time.Since(start)
	if plain > slack {
		t.Errorf("the pledge took %s while the budget service hung", plain)
	}
	wg.Wait()
	var slowest time.Duration
	statuses := map[int]int{}
	for _, a := range answers {
		statuses[a.status]++
		slowest = max(slowest, a.took)
		if a.err != nil || (a.status != http.StatusServiceUnavailable && a.status != http.StatusGatewayTimeout) || a.took > readDeadline+slack {
			t.Errorf("a budget read while its service hung: %d %v after %s, want 503 or 504 within %s", a.status, a.err, a.took.Round(time.Millisecond), readDeadline+slack)
		}
	}
	connsDuring := establishedTo(t, budgetPort)
	if connsDuring > connsBefore+2 {
		t.Errorf("connections to the hung budget service piled up: %d, %d before", connsDuring, connsBefore)
	}

	start = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	card, err := s.call(ctx, "GET", "/v1/"+pledge+":card", nil)
	cancel()
	cardTook := time.Since(start)
	if err != nil || card.status != http.StatusOK || cardTook > cardDeadline+slack {
		t.Errorf("the card while the budget service hung: %d %v after %s, want 200 within %s: %.300s", card.status, err, cardTook, cardDeadline+slack, card.raw)
	} else if card.str("budgetSection.state") != "SECTION_STATE_UNAVAILABLE" || card.str("indicatorSection.state") != "SECTION_STATE_AVAILABLE" {
		t.Errorf("the card's sections while the budget service hung: budget %v, indicators %v", card.get("budgetSection"), card.get("indicatorSection"))
	}

	s.resume(t, "budget")
	resumed := time.Now()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r, err := s.call(ctx, "GET", "/v1/"+pledge+"/budget", nil)
		cancel()
		if err == nil && r.status == http.StatusOK {
			break
		}
		if time.Since(resumed) > comebackLimit {
			t.Fatalf("the budget service did not serve within %s of being resumed: %d %v %.300s", comebackLimit, r.status, err, r.raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
	again := time.Since(resumed)
	if s.restarts("budget") != 0 {
		t.Errorf("the supervisor restarted the hung budget service")
	}
	t.Logf("SUMMARY (c) budget service stopped: %d reads sent, answered %s, the slowest after %s (deadline %s); card %d after %s with the budget section %s; pledge read %s; connections to budget %d before, %d during; serving again %s after SIGCONT",
		readers, statusLine(statuses), slowest.Round(time.Millisecond), readDeadline, card.status, cardTook.Round(time.Millisecond),
		card.str("budgetSection.state"), plain.Round(time.Millisecond), connsBefore, connsDuring, again.Round(time.Millisecond))
}

// statusLine lists statuses with their counts: "503×16".
func statusLine(statuses map[int]int) string {
	var parts []string
	for _, status := range slices.Sorted(maps.Keys(statuses)) {
		parts = append(parts, fmt.Sprintf("%d×%d", status, statuses[status]))
	}
	return strings.Join(parts, " ")
}

// establishedTo counts the established TCP connections to the port on
// this machine (IPv4), from /proc/net/tcp: the callers of a service.
func establishedTo(t *testing.T, port string) int {
	t.Helper()
	raw, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	hexPort := fmt.Sprintf(":%04X", p)
	n := 0
	for _, line := range strings.Split(string(raw), "\n")[1:] {
		fields := strings.Fields(line)
		// local address, remote address, state (01: established)
		if len(fields) > 3 && strings.HasSuffix(fields[2], hexPort) && fields[3] == "01" {
			n++
		}
	}
	return n
}
