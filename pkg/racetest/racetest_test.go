package racetest

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestTogetherReleasesEveryCallerBeforeAnyFinishes shows the callers run
// at once: each waits until all have started, which would never happen if
// they ran one after another.
func TestTogetherReleasesEveryCallerBeforeAnyFinishes(t *testing.T) {
	const n = 8
	var started atomic.Int32
	var ran [n]bool
	Together(n, func(i int) {
		started.Add(1)
		deadline := time.Now().Add(10 * time.Second)
		for started.Load() < n {
			if time.Now().After(deadline) {
				t.Errorf("caller %d waited 10 s for the others to start", i)
				return
			}
			time.Sleep(time.Millisecond)
		}
		ran[i] = true
	})
	for i, r := range ran {
		if !r {
			t.Errorf("caller %d did not run", i)
		}
	}
}
