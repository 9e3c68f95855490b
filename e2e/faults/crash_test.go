//go:build faults

package faults

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// comebackLimit is how soon a part must serve again by itself.
const comebackLimit = 10 * time.Second

// TestAServiceKilledDuringWritesComesBackAndLosesNothing is fault (a):
// under four clients creating pledges and casting ballots, kill -9 the
// pledge service, then the participation service. Each is started again
// by gongyak run within 10 s, the gateway's readiness naming it while it
// is down; the others keep their pids. The clients, retrying with their
// request ids, find every acknowledged pledge and ballot once.
func TestAServiceKilledDuringWritesComesBackAndLosesNothing(t *testing.T) {
	s := startSuite(t, suiteOptions{})
	load := startLoad(t, s, 4)
	load.waitAcks(t, 40, 30*time.Second)
	load.runFor(t, 3*time.Second)

	var backs []string
	for _, victim := range []string{"pledge", "participation"} {
		others := s.pids(parts...)
		delete(others, victim)
		killedAt := time.Now()
		old := s.kill(t, victim)
		c := s.waitBack(t, victim, old, killedAt, comebackLimit)
		t.Logf("kill -9 %s (pid %d): serving again as pid %d after %s; readiness named it not serving meanwhile: %t",
			victim, old, c.pid, c.took.Round(time.Millisecond), c.named)
		backs = append(backs, fmt.Sprintf("%s back in %s", victim, c.took.Round(100*time.Millisecond)))
		if !c.named {
			t.Errorf("the gateway's readiness never named %s while it was down", victim)
		}
		if n := s.restarts(victim); n != 1 {
			t.Errorf("the supervisor said it started %s again %d times, want 1", victim, n)
		}
		if !strings.Contains(s.Out.String(), fmt.Sprintf("supervisor| %s (pid %d) exited (signal: killed)", victim, old)) {
			t.Errorf("the supervisor did not say %s (pid %d) was killed:\n%s", victim, old, s.own())
		}
		for name, pid := range others {
			if now := s.pid(name); now != pid {
				t.Errorf("%s changed pid from %d to %d when %s was killed", name, pid, now, victim)
			}
		}
		// Writes go on after it is back, through both services.
		load.waitAcks(t, 20, 30*time.Second)
		load.runFor(t, 3*time.Second)
	}

	o := load.check(t)
	t.Logf("SUMMARY (a) kill -9 pledge, participation: %s; pledges %s; ballots %s; answers %s; retries %d",
		strings.Join(backs, ", "), o.pledges, o.ballots, o.answersLine(), o.retries)
}
