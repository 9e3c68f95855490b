package pgchange

import (
	"context"
	"errors"
	"sync"
)

// Cache keeps values computed from a Watcher's tables, by key, until the
// tables change. It holds at most its size of them, forgetting the oldest
// computed first. Its values are shared by every caller: they must not be
// changed once computed.
type Cache[K comparable, V any] struct {
	w    *Watcher
	size int

	mu      sync.Mutex
	entries map[K]entry[V]
	order   []K // keys, oldest computed first
	// flights are the values being computed, by key: callers asking for
	// one at the same count wait for it rather than compute it again
	// (after a change, every client of a report asks at once).
	flights map[K]*flight[V]
}

type entry[V any] struct {
	count uint64
	value V
}

// flight is a value being computed at count; done closes when value and
// err are set.
type flight[V any] struct {
	count uint64
	done  chan struct{}
	value V
	err   error
}

// NewCache returns a Cache of at most size values, valid while w counts no
// change.
func NewCache[K comparable, V any](w *Watcher, size int) *Cache[K, V] {
	return &Cache[K, V]{w: w, size: max(size, 1), entries: map[K]entry[V]{}, flights: map[K]*flight[V]{}}
}

// Get returns the value of key: the one kept, when no change has been
// counted since it was computed, or else what compute returns, which it
// keeps. compute must read the tables after Get is called (as it does
// when Get calls it); an error is returned and not kept. Callers asking at
// once, with no change counted between them, share one computation; one
// whose computation failed (its caller may have gone) leaves the others
// to compute their own.
func (c *Cache[K, V]) Get(ctx context.Context, key K, compute func(context.Context) (V, error)) (V, error) {
	stamp := c.w.Stamp()
	if !stamp.ok {
		return compute(ctx)
	}
	c.mu.Lock()
	if e, found := c.entries[key]; found && e.count == stamp.count {
		c.mu.Unlock()
		return e.value, nil
	}
	if f, found := c.flights[key]; found && f.count == stamp.count {
		c.mu.Unlock()
		select {
		case <-f.done:
			if f.err == nil {
				return f.value, nil
			}
			return compute(ctx)
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	f := &flight[V]{count: stamp.count, done: make(chan struct{})}
	c.flights[key] = f
	c.mu.Unlock()

	v, err := *new(V), errPanicked
	defer func() {
		c.mu.Lock()
		if c.flights[key] == f {
			delete(c.flights, key)
		}
		if err == nil {
			c.keep(key, stamp.count, v)
		}
		c.mu.Unlock()
		f.value, f.err = v, err
		close(f.done)
	}()
	v, err = compute(ctx)
	return v, err
}

// errPanicked is a computation's error while it runs: still its error if
// compute panics, so that those waiting for it compute their own.
var errPanicked = errors.New("pgchange: the computation panicked")

// keep keeps v as key's value computed at count, unless one computed at a
// later count is kept already (two callers computing at once). c.mu is
// held.
func (c *Cache[K, V]) keep(key K, count uint64, v V) {
	if e, found := c.entries[key]; found {
		if e.count > count {
			return
		}
		c.entries[key] = entry[V]{count: count, value: v}
		return
	}
	for len(c.order) >= c.size {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[key] = entry[V]{count: count, value: v}
	c.order = append(c.order, key)
}
