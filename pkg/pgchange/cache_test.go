package pgchange_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// schema is a table whose writes notify the channel "watched_changes", as
// a service's migrations set up theirs.
var schema = pgtest.Schema{Name: "watched", Migrations: fstest.MapFS{"0001_watched.sql": {Data: []byte(`-- +goose Up
CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL);
INSERT INTO counters VALUES (1, 0);
-- +goose StatementBegin
CREATE FUNCTION notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('watched_changes', '');
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER counters_changed AFTER INSERT OR UPDATE OR DELETE ON counters
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
`)}}}

// counter is a cached read of the one counter, with how many times it was
// read from the table.
type counter struct {
	pool  *pgxpool.Pool
	cache *pgchange.Cache[string, int]
	reads int
}

func (c *counter) get(t *testing.T) int {
	t.Helper()
	n, err := c.cache.Get(t.Context(), "n", func(ctx context.Context) (int, error) {
		c.reads++
		var n int
		err := c.pool.QueryRow(ctx, `SELECT n FROM counters WHERE id = 1`).Scan(&n)
		return n, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// listening waits until w listens, as it does soon after it starts or
// reconnects.
func listening(t *testing.T, c *counter) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c.get(t)
		before := c.reads
		c.get(t)
		if c.reads == before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the cache never kept a value: the watcher is not listening")
		}
	}
}

func newCounter(t *testing.T) *counter {
	pool := pgtest.NewPool(t, schema)
	w := pgchange.Watch(t.Context(), pool, "watched_changes", nil)
	c := &counter{pool: pool, cache: pgchange.NewCache[string, int](w, 4)}
	listening(t, c)
	return c
}

func TestAValueIsKeptUntilTheTablesChange(t *testing.T) {
	c := newCounter(t)
	before := c.reads
	for range 5 {
		if n := c.get(t); n != 0 {
			t.Fatalf("counter = %d, want 0", n)
		}
	}
	if c.reads != before {
		t.Fatalf("read the table %d times for five gets of a kept value", c.reads-before)
	}
}

func TestAWriteThroughThePoolIsReadAtOnce(t *testing.T) {
	c := newCounter(t)
	c.get(t)
	for want := 1; want <= 20; want++ {
		if _, err := c.pool.Exec(t.Context(), `UPDATE counters SET n = n + 1`); err != nil {
			t.Fatal(err)
		}
		// No wait for the notification: the pool's own write counts as
		// it returns.
		if n := c.get(t); n != want {
			t.Fatalf("after write %d the cache says %d", want, n)
		}
	}
	tx, err := c.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), `UPDATE counters SET n = 100`); err != nil {
		t.Fatal(err)
	}
	if n := c.get(t); n != 20 {
		t.Fatalf("before the commit the cache says %d, want 20", n)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := c.get(t); n != 100 {
		t.Fatalf("after the commit the cache says %d, want 100", n)
	}
}

func TestAnotherProcesssWriteIsReadWhenItsNotificationComes(t *testing.T) {
	c := newCounter(t)
	c.get(t)
	other, err := pgx.Connect(t.Context(), c.pool.Config().ConnConfig.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	if _, err := other.Exec(t.Context(), `UPDATE watched.counters SET n = 7`); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); c.get(t) != 7; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("5 s after another connection's commit the cache still says 0")
		}
	}
}

func TestNothingIsKeptWhileTheWatcherIsNotListening(t *testing.T) {
	c := newCounter(t)
	c.get(t)
	// A change no notification tells of: made with the trigger off, by a
	// connection of its own. The cache cannot know of it…
	other, err := pgx.Connect(t.Context(), c.pool.Config().ConnConfig.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	if _, err := other.Exec(t.Context(), `ALTER TABLE watched.counters DISABLE TRIGGER counters_changed;
		UPDATE watched.counters SET n = 42;
		ALTER TABLE watched.counters ENABLE TRIGGER counters_changed`); err != nil {
		t.Fatal(err)
	}
	if n := c.get(t); n != 0 {
		t.Fatalf("the cache saw a change nothing told it of: %d", n)
	}
	// …as it cannot know of one committed while its connection is down.
	// End that connection, as a restart of PostgreSQL would.
	if _, err := c.pool.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	// Within a second of its connection ending the watcher stops keeping
	// values; it listens again soon after, and what it then computes is
	// read after the change.
	for deadline := time.Now().Add(5 * time.Second); c.get(t) != 42; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the cache kept its value after the watcher's connection ended")
		}
	}
	listening(t, c)
	if n := c.get(t); n != 42 {
		t.Fatalf("listening again, the cache says %d, want 42", n)
	}
}

func TestTheOldestValueGoesWhenTheCacheIsFull(t *testing.T) {
	c := newCounter(t)
	keys := []string{"a", "b", "c", "d", "e"}
	reads := 0
	read := func(key string) {
		if _, err := c.cache.Get(t.Context(), key, func(context.Context) (int, error) { reads++; return 0, nil }); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range keys {
		read(k)
	}
	read("e")
	read("b")
	if reads != 5 {
		t.Fatalf("computed %d times for five keys then two kept ones", reads)
	}
	read("a") // the oldest of five in a cache of four: gone
	if reads != 6 {
		t.Fatalf("the oldest key was still kept in a cache of 4")
	}
}

// TestEveryWatcherOfAPoolCountsItsWrites watches two channels on one pool,
// as a service with a cache per kind of data does: the pool's own write
// moves both at once, whichever was started last.
func TestEveryWatcherOfAPoolCountsItsWrites(t *testing.T) {
	c := newCounter(t)
	other := &counter{pool: c.pool, cache: pgchange.NewCache[string, int](pgchange.Watch(t.Context(), c.pool, "other_changes", nil), 4)}
	listening(t, other)
	for want := 1; want <= 3; want++ {
		if _, err := c.pool.Exec(t.Context(), `UPDATE counters SET n = n + 1`); err != nil {
			t.Fatal(err)
		}
		if n, m := c.get(t), other.get(t); n != want || m != want {
			t.Fatalf("after write %d the caches say %d and %d", want, n, m)
		}
	}
}

// TestCallersAskingAtOnceShareOneComputation asks for one key from eight
// callers while its computation runs, as every client of a report does
// after a change: it is computed once. When that computation fails, the
// callers that waited for it compute their own.
func TestCallersAskingAtOnceShareOneComputation(t *testing.T) {
	c := newCounter(t)
	for _, fails := range []bool{false, true} {
		var computed atomic.Int32
		started, release := make(chan struct{}), make(chan struct{})
		first := true
		var mu sync.Mutex
		compute := func(context.Context) (int, error) {
			computed.Add(1)
			mu.Lock()
			leading := first
			first = false
			mu.Unlock()
			if !leading {
				return 2, nil
			}
			close(started)
			<-release
			if fails {
				return 0, errors.New("the first caller's computation failed")
			}
			return 1, nil
		}
		key := fmt.Sprint("shared-", fails)
		got := make([]int, 8)
		var wg sync.WaitGroup
		ask := func(i int) {
			defer wg.Done()
			v, err := c.cache.Get(t.Context(), key, compute)
			if err != nil && !(fails && i == 0) {
				t.Errorf("caller %d: %v", i, err)
			}
			got[i] = v
		}
		wg.Add(1)
		go ask(0)
		<-started
		for i := 1; i < 8; i++ {
			wg.Add(1)
			go ask(i)
		}
		time.Sleep(100 * time.Millisecond) // the seven reach the computation in flight
		close(release)
		wg.Wait()
		switch {
		case !fails && (computed.Load() != 1 || slices.ContainsFunc(got, func(v int) bool { return v != 1 })):
			t.Errorf("eight callers at once: computed %d times, got %v; want once, all 1", computed.Load(), got)
		case fails && (got[0] != 0 || slices.ContainsFunc(got[1:], func(v int) bool { return v != 2 })):
			t.Errorf("after the shared computation failed the others got %v, want their own (2)", got)
		}
	}
}
