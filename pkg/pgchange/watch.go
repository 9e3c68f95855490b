// Package pgchange lets a service keep what it computed from its tables
// until those tables change: a Watcher counts changes, told of them by
// PostgreSQL (LISTEN on a channel the schema's triggers notify at each
// commit that writes) and by the service's own pool (every write it makes,
// as it returns); a Cache keeps each value with the count it was computed
// at, and computes again once the count has moved.
//
// A value is never older than its count says. The count is read before
// the value's snapshot is taken, so a change committed after the count
// was read moves it again. What another process commits is seen when its
// notification arrives, within milliseconds; what this process writes is
// seen before the caller who wrote hears it is done, so a client reads
// its own writes. While the listening connection is down the Cache keeps
// nothing and computes every time, since a notification could be missed.
package pgchange

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Watcher counts the changes to one schema's tables.
type Watcher struct {
	count     atomic.Uint64
	listening atomic.Bool
	channel   string
	log       *slog.Logger
}

// retry is how long the Watcher waits before listening again after its
// connection failed.
const retry = time.Second

// Watch starts a Watcher of channel, which the schema's triggers notify
// at each commit that writes, on a connection of its own taken from pool,
// and counts pool's own writes too. It listens until ctx ends,
// reconnecting when its connection fails, and says so in log (the
// default logger when nil).
func Watch(ctx context.Context, pool *pgxpool.Pool, channel string, log *slog.Logger) *Watcher {
	if log == nil {
		log = slog.Default()
	}
	w := &Watcher{channel: channel, log: log}
	pgdb.OnWrite(pool, w.Changed)
	go w.listen(ctx, pool)
	return w
}

// Changed counts a change the caller knows of.
func (w *Watcher) Changed() { w.count.Add(1) }

// Stamp is the count of changes at a moment, and whether it can be
// trusted: it cannot while the Watcher is not listening.
type Stamp struct {
	count uint64
	ok    bool
}

// Stamp reads the count now. Read it before reading the tables a value is
// computed from.
func (w *Watcher) Stamp() Stamp {
	ok := w.listening.Load()
	return Stamp{count: w.count.Load(), ok: ok}
}

// listen holds a LISTEN on the Watcher's channel until ctx ends. Each
// time it starts listening it counts a change, because what was committed
// while it was not listening went unseen.
func (w *Watcher) listen(ctx context.Context, pool *pgxpool.Pool) {
	for ctx.Err() == nil {
		err := w.listenOnce(ctx, pool)
		w.listening.Store(false)
		w.Changed()
		if ctx.Err() != nil {
			return
		}
		w.log.Warn("not listening for changes; caches are off until it is back", "channel", w.channel, "error", err.Error())
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
	}
}

func (w *Watcher) listenOnce(ctx context.Context, pool *pgxpool.Pool) error {
	pooled, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// Taken out of the pool for good: a connection that listens must not
	// be handed to a caller, and it goes when this does.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // the connection is done with either way
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{w.channel}.Sanitize()); err != nil {
		return err
	}
	w.Changed()
	w.listening.Store(true)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		w.Changed()
	}
}
