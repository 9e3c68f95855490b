//go:build faults

package faults

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// pledgeCreated is the event type of a pledge made.
const pledgeCreated = "kr.gongyak.pledge.v1.pledge.created"

// eventWait bounds how long a test waits, once its load has stopped, for
// every acknowledged pledge's event to come through.
const eventWait = 45 * time.Second

// TestARelayKilledDuringWritesLosesAndInventsNoEvent is fault (f): under
// four clients writing, the pledge service — whose relay publishes its
// outbox to NATS — is killed twice: right after a pledge was acknowledged,
// while its relay is at work; then while NATS hangs (SIGSTOP), the writes
// going on into the outbox and the relay waiting on a publish's
// acknowledgement, its publish left in NATS's socket to be read once NATS
// resumes. Once it is back, the change feed read through the gateway
// holds, for every acknowledged pledge, exactly one created event (a
// publish repeated by the new relay is dropped by the stream's duplicate
// window), and no created event of a pledge that does not exist.
func TestARelayKilledDuringWritesLosesAndInventsNoEvent(t *testing.T) {
	s := startSuite(t, suiteOptions{})
	feed := followFeed(t, s, pledgeCreated)
	stream := streamOf(t, s)
	load := startLoad(t, s, 4)
	load.waitAcks(t, 40, 30*time.Second)
	load.runFor(t, 3*time.Second)

	// A round is one kill: how, the pledges acknowledged before it, the
	// stream's last sequence when nothing of theirs could be published
	// any more, and how long the service took to come back.
	type round struct {
		how      string
		before   map[string]bool
		boundary uint64
		back     comeback
	}
	var rounds []round
	for _, hung := range []bool{false, true} {
		r := round{how: "at an acknowledgement"}
		if hung {
			r.how = "with NATS hung"
			r.boundary = stream.lastSeq(t)
			s.pause(t, "nats")
			load.waitAcks(t, 20, 10*time.Second)
		}
		// Kill the moment a pledge is acknowledged: its outbox row
		// committed a moment ago, and the relay, woken by that commit,
		// is publishing.
		load.nextPledgeAck(t, 10*time.Second)
		r.before = setOf(load.acknowledgedPledges())
		killedAt := time.Now()
		old := s.kill(t, "pledge")
		if hung {
			s.resume(t, "nats")
		} else {
			r.boundary = stream.lastSeq(t)
		}
		r.back = s.waitBack(t, "pledge", old, killedAt, comebackLimit)
		t.Logf("kill -9 pledge (pid %d) %s, %d pledges acknowledged, the stream at sequence %d: serving again as pid %d after %s",
			old, r.how, len(r.before), r.boundary, r.back.pid, r.back.took.Round(time.Millisecond))
		rounds = append(rounds, r)
		load.waitAcks(t, 20, 30*time.Second)
		load.runFor(t, 3*time.Second)
	}
	if n := s.restarts("pledge"); n != len(rounds) {
		t.Errorf("the supervisor said it started pledge again %d times, want %d", n, len(rounds))
	}

	o := load.check(t)
	acked := load.acknowledgedPledges()
	complete := feed.waitFor(t, acked, eventWait)
	feed.stop()
	exists := s.pledgeNames(t)

	var missing, doubled, invented int
	for _, name := range acked {
		switch n := len(feed.events(name)); {
		case n == 0:
			missing++
			if missing <= 10 {
				t.Errorf("acknowledged pledge %s has no %s event in the feed", name, pledgeCreated)
			}
		case n > 1:
			doubled++
			if doubled <= 10 {
				t.Errorf("acknowledged pledge %s has %d %s events in the feed: %v", name, n, pledgeCreated, feed.events(name))
			}
		}
	}
	subjects := feed.subjects()
	for _, name := range subjects {
		if !exists[name] {
			invented++
			if invented <= 10 {
				t.Errorf("the feed has a %s event of %s, which is no pledge", pledgeCreated, name)
			}
		}
	}
	// The events not in the stream at a kill, of pledges acknowledged
	// before it: committed then, their outbox rows unsent (or their
	// publish unread by NATS), each published at last once.
	seqs := stream.createdSeqs(t)
	var kills []string
	for _, r := range rounds {
		unsent := 0
		for name := range r.before {
			if seqs[name] > r.boundary {
				unsent++
			}
		}
		kills = append(kills, fmt.Sprintf("%s: back in %s, %d acknowledged pledges' events not in the stream at the kill",
			r.how, r.back.took.Round(100*time.Millisecond), unsent))
	}
	if feed.failed > 0 {
		t.Logf("%d reads of the feed failed and were retried; the last: %s", feed.failed, feed.lastErr)
	}
	t.Logf("SUMMARY (f) kill -9 pledge (its relay) during writes, %s; pledges %s; created events in the feed %d of %d pledges, "+
		"for the acknowledged %d: missing %d, more than once %d; of no pledge %d; the feed complete %s after the load's check",
		strings.Join(kills, "; "), o.pledges, len(subjects), len(exists), len(acked), missing, doubled, invented, complete.Round(100*time.Millisecond))
}

// TestADispatcherKilledMidDeliveryLosesNoEvent is fault (g): a webhook for
// pledges created points at a receiver that checks each delivery's
// Standard Webhooks signature and answers slowly, so that deliveries are
// in flight; under four clients writing, the events service — whose
// dispatcher delivers — is killed while the receiver holds deliveries.
// Once it is back, the receiver has answered 200, for every acknowledged
// pledge, its created event, every delivery signed with the webhook's
// secret; the deliveries the kill cut off came again once their lease ran
// out, and the API lists every delivery as delivered. Repeats are allowed
// (at least once): how many came is said.
func TestADispatcherKilledMidDeliveryLosesNoEvent(t *testing.T) {
	s := startSuite(t, suiteOptions{env: []string{"GONGYAK_WEBHOOK_ALLOW_PRIVATE=1"}})
	rx := newReceiver(t, 100*time.Millisecond)
	hook := s.must(t, "POST", "/v1/districts/gwangsan/webhooks", map[string]any{"url": rx.srv.URL + "/hooks/gongyak", "eventTypes": []string{pledgeCreated}})
	secret := hook.str("secret")
	if !strings.HasPrefix(secret, "whsec_") || hook.str("webhook.name") == "" {
		t.Fatalf("creating the webhook answered no name or secret: %s", hook.raw)
	}
	rx.setSecret(t, secret)

	load := startLoad(t, s, 4)
	load.waitAcks(t, 40, 30*time.Second)
	load.runFor(t, 3*time.Second)
	if !rx.waitArrivals(20, 30*time.Second) {
		t.Fatalf("the receiver got %d deliveries within 30s of the load, want 20: is the webhook dispatcher running?", rx.arrivals())
	}

	// Kill while the receiver holds deliveries: answered after the
	// dispatcher is gone, they were never recorded as delivered.
	inFlight := rx.waitInFlight(t, 10*time.Second)
	killedAt := time.Now()
	old := s.kill(t, "events")
	c := s.waitBack(t, "events", old, killedAt, comebackLimit)
	t.Logf("kill -9 events (pid %d) with %d deliveries in flight: serving again as pid %d after %s", old, inFlight, c.pid, c.took.Round(time.Millisecond))
	if n := s.restarts("events"); n != 1 {
		t.Errorf("the supervisor said it started events again %d times, want 1", n)
	}
	load.waitAcks(t, 20, 30*time.Second)
	load.runFor(t, 3*time.Second)

	o := load.check(t)
	acked := load.acknowledgedPledges()
	// A delivery cut off by the kill is taken again once its lease runs
	// out (twice the attempt's timeout and 5 s: 25 s).
	if !rx.waitFor(acked, eventWait) {
		t.Errorf("the receiver still lacks events %s after the load's check", eventWait)
	}
	got := rx.snapshot()
	missing := 0
	for _, name := range acked {
		if len(got.ids[name]) == 0 {
			missing++
			if missing <= 10 {
				t.Errorf("acknowledged pledge %s: its %s event was never delivered (answered 200) to the receiver", name, pledgeCreated)
			}
		}
	}
	var twoEvents int
	for name, ids := range got.ids {
		if len(ids) > 1 {
			twoEvents++
			if twoEvents <= 10 {
				t.Errorf("pledge %s reached the receiver as %d different events %v, want one created event", name, len(ids), ids)
			}
		}
	}
	for i, bad := range got.bad {
		if i == 10 {
			t.Errorf("… and %d more bad deliveries", len(got.bad)-10)
			break
		}
		t.Errorf("a bad delivery: %s", bad)
	}
	if got.cut == 0 {
		t.Errorf("the kill cut off no delivery (%d were in flight a moment before it): the dispatcher was not killed mid-delivery", inFlight)
	}
	// Each event cut off came again, and was answered, after the kill.
	again, last := rx.cutAnswered(killedAt)
	if again != got.cut {
		t.Errorf("of %d events whose delivery the kill cut off, %d came again and were answered", got.cut, again)
	}
	redelivered := "never"
	if again > 0 {
		redelivered = last.Sub(killedAt).Round(100 * time.Millisecond).String()
	}
	// What the API says of them: every one delivered, none dead.
	states := s.deliveryStates(t, hook.str("webhook.name"), len(acked), 10*time.Second)
	t.Logf("SUMMARY (g) kill -9 events (its webhook dispatcher) with %d deliveries in flight: back in %s; pledges %s; the receiver got %d deliveries "+
		"(%d events cut off by the kill, delivered again the last %s after it, once their lease ran out), %d events; of the acknowledged %d, delivered %d, missing %d; "+
		"%d events arrived more than once (%d extra deliveries, at least once allowed); signatures bad %d; the API's deliveries %s",
		inFlight, c.took.Round(100*time.Millisecond), o.pledges, got.deliveries, got.cut, redelivered, got.events,
		len(acked), len(acked)-missing, missing, got.repeated, got.deliveries-got.events, len(got.bad), states)
}

// deliveryStates waits, at most within, until the webhook's deliveries
// are all delivered — want of them at least — and says how they stand:
// "STATE_DELIVERED×841, 4 after more than one attempt". It fails t if some
// are still pending then, or dead.
func (s *runningSuite) deliveryStates(t *testing.T, webhook string, want int, within time.Duration) string {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(200 * time.Millisecond) {
		states, retried := map[string]int{}, 0
		total := 0
		for token := ""; ; {
			page := s.must(t, "GET", "/v1/"+webhook+"/deliveries?pageSize=1000&pageToken="+url.QueryEscape(token), nil)
			list, _ := page.get("deliveries").([]any)
			for _, d := range list {
				delivery := d.(map[string]any)
				state, _ := delivery["state"].(string)
				states[state]++
				if attempts, _ := delivery["attempts"].(float64); attempts > 1 {
					retried++
				}
				total++
			}
			if token = page.str("nextPageToken"); token == "" {
				break
			}
		}
		line := fmt.Sprintf("%s, %d after more than one attempt", countLine(states), retried)
		if states["STATE_DELIVERED"] == total && total >= want {
			return line
		}
		if time.Now().After(deadline) {
			t.Errorf("the webhook's deliveries %s after every event reached the receiver: %s, want %d or more, all STATE_DELIVERED", within, line, want)
			return line
		}
	}
}

// countLine lists names with their counts: "STATE_DELIVERED×841".
func countLine(counts map[string]int) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s×%d", name, counts[name]))
	}
	return strings.Join(parts, " ")
}

// waitUntil checks done every pause until it is true, at most within, and
// reports whether it became true.
func waitUntil(within, pause time.Duration, done func() bool) bool {
	for deadline := time.Now().Add(within); ; time.Sleep(pause) {
		if done() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// lacking is how many of subjects have nothing in have.
func lacking[V ~[]string | ~map[string]bool](have map[string]V, subjects []string) int {
	n := 0
	for _, s := range subjects {
		if len(have[s]) == 0 {
			n++
		}
	}
	return n
}

// nextPledgeAck waits until one more pledge is acknowledged.
func (l *writeLoad) nextPledgeAck(t *testing.T, within time.Duration) {
	t.Helper()
	l.mu.Lock()
	n := len(l.pledges)
	l.mu.Unlock()
	if !waitUntil(within, time.Millisecond, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.pledges) > n
	}) {
		t.Fatalf("no pledge acknowledged within %s", within)
	}
}

// acknowledgedPledges are the names of the pledges acknowledged so far.
func (l *writeLoad) acknowledgedPledges() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	names := make([]string, 0, len(l.pledges))
	for _, name := range l.pledges {
		names = append(names, name)
	}
	return names
}

func setOf(names []string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, name := range names {
		set[name] = true
	}
	return set
}

// pledgeNames are the names of every pledge of the district gwangsan.
func (s *runningSuite) pledgeNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for token := ""; ; {
		page := s.must(t, "GET", "/v1/districts/gwangsan/pledges?pageSize=500&pageToken="+url.QueryEscape(token), nil)
		items, _ := page.get("pledges").([]any)
		for _, item := range items {
			names[item.(map[string]any)["name"].(string)] = true
		}
		if token = page.str("nextPageToken"); token == "" {
			return names
		}
	}
}
