package gateway

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"golang.org/x/time/rate"
	"google.golang.org/grpc/codes"
)

// rateLimits bounds the requests of each client address and of each
// credential with token buckets. A credential is known only by a SHA-256
// of the Authorization header: the credential itself is never kept.
type rateLimits struct {
	byAddr *buckets // nil: no limit
	byKey  *buckets
	now    func() time.Time
}

func newRateLimits(perAddr, perKey int) *rateLimits {
	return &rateLimits{byAddr: newBuckets(perAddr), byKey: newBuckets(perKey), now: time.Now}
}

// allow takes a token for r from its address's bucket and its
// credential's, and reports whether it may go on. When either bucket is
// empty it gives back what it took and answers 429 with the whole seconds
// until a token is free.
func (l *rateLimits) allow(w http.ResponseWriter, r *http.Request) bool {
	now := l.now()
	res, wait := l.byAddr.take(remoteHost(r.RemoteAddr), now)
	if wait > 0 {
		refuse(w, wait, "client_address")
		return false
	}
	cred := r.Header.Get("Authorization")
	if cred == "" {
		return true
	}
	sum := sha256.Sum256([]byte(cred))
	if _, wait := l.byKey.take(string(sum[:]), now); wait > 0 {
		if res != nil {
			res.CancelAt(now)
		}
		refuse(w, wait, "credential")
		return false
	}
	return true
}

func refuse(w http.ResponseWriter, wait time.Duration, limit string) {
	secs := setRetryAfter(w, wait)
	writeStatus(w, http.StatusTooManyRequests, &apierr.Error{
		Code: codes.ResourceExhausted, Reason: "RATE_LIMITED",
		Message:  fmt.Sprintf("too many requests: retry in %d s", secs),
		Metadata: map[string]string{"limit": limit},
	})
}

// forgetAfter is how often idle buckets are forgotten.
const forgetAfter = time.Minute

// buckets are the token buckets of one limit, by key. A bucket left alone
// long enough to fill again is no different from a new one, so it is
// forgotten: memory holds only the keys seen lately.
type buckets struct {
	limit     rate.Limit
	burst     int
	refill    time.Duration // from empty to full
	mu        sync.Mutex
	byKey     map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	limiter  *rate.Limiter
	lastUsed time.Time
}

// newBuckets allows perSecond requests a second in bursts of twice as
// many; nil, no limit, when perSecond is not positive.
func newBuckets(perSecond int) *buckets {
	if perSecond <= 0 {
		return nil
	}
	return &buckets{
		limit:  rate.Limit(perSecond),
		burst:  2 * perSecond,
		refill: 2 * time.Second,
		byKey:  map[string]*bucket{},
	}
}

// take reserves a token of key's bucket at now. It returns the
// reservation, to give the token back, and 0; or, when the bucket is
// empty, nil and how long until a token is free.
func (b *buckets) take(key string, now time.Time) (*rate.Reservation, time.Duration) {
	if b == nil {
		return nil, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.lastSweep) >= forgetAfter {
		b.forgetIdle(now)
	}
	bk := b.byKey[key]
	if bk == nil {
		bk = &bucket{limiter: rate.NewLimiter(b.limit, b.burst)}
		b.byKey[key] = bk
	}
	bk.lastUsed = now
	res := bk.limiter.ReserveN(now, 1)
	if wait := res.DelayFrom(now); wait > 0 {
		res.CancelAt(now)
		return nil, wait
	}
	return res, 0
}

// forgetIdle drops the buckets full again by now.
func (b *buckets) forgetIdle(now time.Time) {
	for k, bk := range b.byKey {
		if now.Sub(bk.lastUsed) >= b.refill {
			delete(b.byKey, k)
		}
	}
	b.lastSweep = now
}
