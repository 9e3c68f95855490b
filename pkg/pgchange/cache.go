package pgchange

import (
	"context"
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
}

type entry[V any] struct {
	count uint64
	value V
}

// NewCache returns a Cache of at most size values, valid while w counts no
// change.
func NewCache[K comparable, V any](w *Watcher, size int) *Cache[K, V] {
	return &Cache[K, V]{w: w, size: max(size, 1), entries: map[K]entry[V]{}}
}

// Get returns the value of key: the one kept, when no change has been
// counted since it was computed, or else what compute returns, which it
// keeps. compute must read the tables after Get is called (as it does
// when Get calls it); an error is returned and not kept.
func (c *Cache[K, V]) Get(ctx context.Context, key K, compute func(context.Context) (V, error)) (V, error) {
	stamp := c.w.Stamp()
	if stamp.ok {
		c.mu.Lock()
		e, found := c.entries[key]
		c.mu.Unlock()
		if found && e.count == stamp.count {
			return e.value, nil
		}
	}
	v, err := compute(ctx)
	if err != nil || !stamp.ok {
		return v, err
	}
	c.keep(key, stamp.count, v)
	return v, nil
}

// keep keeps v as key's value computed at count, unless one computed at a
// later count is kept already (two callers computing at once).
func (c *Cache[K, V]) keep(key K, count uint64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
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
