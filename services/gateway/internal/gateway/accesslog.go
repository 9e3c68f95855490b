package gateway

import (
	"sync/atomic"
	"time"
)

// accessSampler decides which answered requests the access log records:
// every failure and every slow request, and one in every so many of the
// rest. A line per request, written through the suite's log pipe, costs
// the gateway more than many of the requests it records.
type accessSampler struct {
	every uint64        // 1 keeps every request
	slow  time.Duration // 0 is 500 ms
	seen  atomic.Uint64 // ordinary requests answered
}

// keep reports whether a request answered with status after took is
// logged, and, when it is an ordinary one, one in how many such requests
// are (1 when failures or slow requests are kept regardless).
func (s *accessSampler) keep(status int, took time.Duration) (every uint64, keep bool) {
	slow := s.slow
	if slow == 0 {
		slow = 500 * time.Millisecond
	}
	if status >= 400 || took >= slow || s.every <= 1 {
		return 1, true
	}
	return s.every, s.seen.Add(1)%s.every == 1
}
