package webhook

import (
	"math/rand/v2"
	"time"
)

// Retry is how a failed delivery is tried again.
type Retry struct {
	// MaxAttempts is how many attempts a delivery gets before it goes to
	// the dead letters.
	MaxAttempts int
	// First is the wait after the first failure, doubled after each
	// further one up to Cap.
	First time.Duration
	Cap   time.Duration
}

// DefaultRetry gives a receiver about two and a half hours: 12 attempts, waits of
// 10 s, 20 s, 40 s … capped at 30 minutes.
var DefaultRetry = Retry{MaxAttempts: 12, First: 10 * time.Second, Cap: 30 * time.Minute}

// Wait is how long a delivery waits after its attempt-th failed attempt
// (1 for the first): First·2^(attempt-1), capped, of which a random half
// is taken off so that receivers failing at once are not retried at once.
func (r Retry) Wait(attempt int) time.Duration {
	d := r.First
	for i := 1; i < attempt && d < r.Cap; i++ {
		d *= 2
	}
	d = min(d, r.Cap)
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(half+1)
}
