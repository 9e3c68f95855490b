// Package racetest starts concurrent callers in tests so that they really
// overlap: each goroutine is started and waiting before any is let go, so
// the scheduler's start-up order does not serialise them.
package racetest

import (
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Together runs fn(0) … fn(n-1) in n goroutines released at one instant,
// and returns when all have returned.
func Together(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-release
			fn(i)
		}()
	}
	ready.Wait()
	close(release)
	done.Wait()
}

// OneWinner returns which of errs, the answers of writers that raced with
// one etag, is the one that succeeded; it fails t unless exactly one
// succeeded and every other was refused as stale (ABORTED).
func OneWinner(t testing.TB, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch status.Code(err) {
		case codes.OK:
			if winner >= 0 {
				t.Fatalf("writers %d and %d, racing with one etag, both succeeded", winner, i)
			}
			winner = i
		case codes.Aborted:
		default:
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer succeeded")
	}
	return winner
}
