package idempotency_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/jackc/pgx/v5"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var schema = pgtest.Schema{Name: "idem", Migrations: fstest.MapFS{"0001_init.sql": {Data: []byte(`-- +goose Up
CREATE TABLE request_ids (
    method text NOT NULL, request_id text NOT NULL, fingerprint bytea NOT NULL,
    result bytea NOT NULL DEFAULT '', create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (method, request_id));
CREATE TABLE counter (n integer NOT NULL);
INSERT INTO counter VALUES (0);`)}}}

// TestConcurrentRetriesWriteOnce runs the same request many times at once
// and again afterwards: the write happens once and every attempt sees its
// result.
func TestConcurrentRetriesWriteOnce(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t, schema)
	req := &errdetails.ErrorInfo{Reason: "add one"}
	key, err := idempotency.For("Add", "req-1", req)
	if err != nil {
		t.Fatal(err)
	}
	var writes atomic.Int32
	add := func(tx pgx.Tx) (int, error) {
		writes.Add(1)
		var n int
		err := tx.QueryRow(ctx, "UPDATE counter SET n = n + 1 RETURNING n").Scan(&n)
		return n, err
	}
	results := make([]int, 12)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			results[i], err = idempotency.Do(ctx, pool, key, add)
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r != 1 {
			t.Errorf("attempt %d saw %d, want the first result 1", i, r)
		}
	}
	var n int
	pool.QueryRow(ctx, "SELECT n FROM counter").Scan(&n)
	if n != 1 || writes.Load() != 1 {
		t.Errorf("counter = %d after %d writes; want one write", n, writes.Load())
	}

	// Another request under the same id is refused; a new id writes again.
	otherKey, _ := idempotency.For("Add", "req-1", &errdetails.ErrorInfo{Reason: "add two"})
	_, err = idempotency.Do(ctx, pool, otherKey, add)
	if e, ok := err.(*apierr.Error); !ok || e.Code != codes.InvalidArgument || e.Violations[0].Field != "request_id" {
		t.Errorf("reuse for another request: %v", err)
	}
	fresh, _ := idempotency.For("Add", "req-2", req)
	if r, err := idempotency.Do(ctx, pool, fresh, add); err != nil || r != 2 {
		t.Errorf("a new request id: %d, %v", r, err)
	}
}

// TestAFailedWriteCanBeRetried: the claim rolls back with the write.
func TestAFailedWriteCanBeRetried(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t, schema)
	key, _ := idempotency.For("Add", "req-1", &errdetails.ErrorInfo{})
	_, err := idempotency.Do(ctx, pool, key, func(tx pgx.Tx) (int, error) {
		tx.Exec(ctx, "UPDATE counter SET n = n + 1")
		return 0, apierr.FailedPrecondition("not now")
	})
	if err == nil {
		t.Fatal("the failing write succeeded")
	}
	n, err := idempotency.Do(ctx, pool, key, func(tx pgx.Tx) (int, error) {
		var n int
		err := tx.QueryRow(ctx, "UPDATE counter SET n = n + 1 RETURNING n").Scan(&n)
		return n, err
	})
	if err != nil || n != 1 {
		t.Errorf("retry after a failure: %d, %v; want 1", n, err)
	}
}

func TestRequestIDsMustBePrintableASCII(t *testing.T) {
	for _, id := range []string{"has space", "한글", string(make([]byte, 101))} {
		if _, err := idempotency.For("Add", id, &errdetails.ErrorInfo{}); err == nil {
			t.Errorf("request id %q accepted", id)
		}
	}
}

// TestPurgeForgetsOldRequestsOnly ages one record past the retention and
// keeps a fresh one: the old record, and the result it held, are gone, so a
// retry of it writes again, while the fresh one still replays.
func TestPurgeForgetsOldRequestsOnly(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t, schema)
	add := func(tx pgx.Tx) (int, error) {
		var n int
		err := tx.QueryRow(ctx, "UPDATE counter SET n = n + 1 RETURNING n").Scan(&n)
		return n, err
	}
	oldKey, _ := idempotency.For("Add", "old", &errdetails.ErrorInfo{Reason: "old"})
	newKey, _ := idempotency.For("Add", "new", &errdetails.ErrorInfo{Reason: "new"})
	for _, k := range []idempotency.Key{oldKey, newKey} {
		if _, err := idempotency.Do(ctx, pool, k, add); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE request_ids SET create_time = now() - interval '8 days'
		WHERE request_id = 'old'`); err != nil {
		t.Fatal(err)
	}
	n, err := idempotency.Purge(ctx, pool, 7*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1 record deleted", n, err)
	}
	if r, err := idempotency.Do(ctx, pool, newKey, add); err != nil || r != 2 {
		t.Errorf("retry within retention = %d, %v; want the first result 2", r, err)
	}
	if r, err := idempotency.Do(ctx, pool, oldKey, add); err != nil || r != 3 {
		t.Errorf("retry after retention = %d, %v; want a new write 3", r, err)
	}
}
