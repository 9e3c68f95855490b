package supervise

import "time"

// Backoff says how long a child that died waits before it is started
// again: Initial after its first death, twice as long after each death
// that follows a short run, never more than Max. A child that ran for
// ResetAfter or longer before it died is started again after Initial: its
// death is news, not a loop.
type Backoff struct {
	Initial    time.Duration
	Max        time.Duration
	ResetAfter time.Duration
}

// DefaultBackoff starts a dead child again after 200 ms, then 400 ms,
// 800 ms … up to 5 s while it keeps dying within 30 s of its start.
var DefaultBackoff = Backoff{Initial: 200 * time.Millisecond, Max: 5 * time.Second, ResetAfter: 30 * time.Second}

// delays hands out the waits of one child, death after death.
type delays struct {
	policy Backoff
	next   time.Duration
}

// after returns how long to wait before starting again a child that died
// after running for ran.
func (d *delays) after(ran time.Duration) time.Duration {
	if d.next == 0 || ran >= d.policy.ResetAfter {
		d.next = d.policy.Initial
	}
	wait := d.next
	d.next = min(2*d.next, d.policy.Max)
	return wait
}
