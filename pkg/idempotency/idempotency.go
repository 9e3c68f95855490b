// Package idempotency makes retried writes safe (AIP-155): the first
// request with a request_id writes and records its result in the same
// transaction; a retry with the same id gets that result back and writes
// nothing. Concurrent retries wait for the first and then replay it.
//
// Each service keeps the records in its own schema, in a table its first
// migration creates:
//
//	CREATE TABLE request_ids (
//	    method text NOT NULL,
//	    request_id text NOT NULL,
//	    fingerprint bytea NOT NULL,
//	    result bytea NOT NULL DEFAULT '',
//	    create_time timestamptz NOT NULL DEFAULT now(),
//	    PRIMARY KEY (method, request_id));
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// maxIDLength bounds a request_id.
const maxIDLength = 100

// Key identifies one request that may be retried.
type Key struct {
	Method string
	ID     string
	// Fingerprint tells a true retry from another request that reuses the
	// id by mistake.
	Fingerprint []byte
}

// For returns the key of req, a request of method whose request_id field is
// id; the fingerprint covers every field of req but request_id. An empty id
// returns the zero Key: no protection asked for.
func For(method, id string, req proto.Message) (Key, error) {
	if id == "" {
		return Key{}, nil
	}
	if len(id) > maxIDLength {
		return Key{}, apierr.Invalid("request_id", "is longer than %d characters", maxIDLength)
	}
	for _, c := range []byte(id) {
		if c < 0x21 || c > 0x7e {
			return Key{}, apierr.Invalid("request_id", "must be printable ASCII without spaces, such as a UUID")
		}
	}
	m := proto.Clone(req)
	if fd := m.ProtoReflect().Descriptor().Fields().ByName(protoreflect.Name("request_id")); fd != nil {
		m.ProtoReflect().Clear(fd)
	}
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return Key{}, err
	}
	sum := sha256.Sum256(raw)
	return Key{Method: method, ID: id, Fingerprint: sum[:]}, nil
}

const claimSQL = `INSERT INTO request_ids (method, request_id, fingerprint) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`

// replayed returns the result saved under key, which another request
// claimed, when it was the same request.
func replayed(ctx context.Context, q pgdb.Querier, key Key) (result []byte, replay bool, err error) {
	var fingerprint []byte
	if err := q.QueryRow(ctx, `SELECT fingerprint, result FROM request_ids
		WHERE method = $1 AND request_id = $2`, key.Method, key.ID).Scan(&fingerprint, &result); err != nil {
		return nil, false, fmt.Errorf("read request id: %w", err)
	}
	if !bytes.Equal(fingerprint, key.Fingerprint) {
		return nil, false, apierr.Invalid("request_id", "was already used for a different request; use a new request_id for each distinct request")
	}
	return result, true, nil
}

// Save stores the result of the request claimed with key.
func Save(ctx context.Context, q pgdb.Querier, key Key, result []byte) error {
	if key.ID == "" {
		return nil
	}
	_, err := q.Exec(ctx, `UPDATE request_ids SET result = $3 WHERE method = $1 AND request_id = $2`,
		key.Method, key.ID, result)
	return err
}

// Purge deletes the records older than retention and reports how many it
// deleted. A retry after that writes again, so retention must outlast any
// client's retry window; it is bounded because a record keeps a copy of the
// result, which may carry personal data the service was asked to forget.
func Purge(ctx context.Context, q pgdb.Querier, retention time.Duration) (int64, error) {
	tag, err := q.Exec(ctx, `DELETE FROM request_ids WHERE create_time < now() - make_interval(secs => $1)`,
		retention.Seconds())
	if err != nil {
		return 0, fmt.Errorf("purge request ids: %w", err)
	}
	return tag.RowsAffected(), nil
}

// PurgeEvery runs Purge every interval until ctx ends, logging what it
// deleted and any failure; a failed purge is retried on the next tick.
func PurgeEvery(ctx context.Context, pool *pgxpool.Pool, retention, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := Purge(ctx, pool, retention)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn("purging request ids", "error", err.Error())
		case n > 0:
			log.Info("purged request ids", "count", n, "older_than", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Do runs write in one transaction together with key's record and returns
// its result; when key was seen before it returns the first result, decoded
// from JSON, and does not call write.
func Do[T any](ctx context.Context, pool *pgxpool.Pool, key Key, write func(tx pgx.Tx) (T, error)) (T, error) {
	var out T
	if key.ID == "" {
		err := pgdb.InTx(ctx, pool, func(tx pgx.Tx) (err error) {
			out, err = write(tx)
			return err
		})
		return out, err
	}
	// The transaction begins in the round trip that claims the key.
	batch := &pgx.Batch{}
	batch.BeginTx(pgx.TxOptions{})
	var claimed bool
	batch.Queue(claimSQL, key.Method, key.ID, key.Fingerprint).Exec(func(tag pgconn.CommandTag) error {
		claimed = tag.RowsAffected() == 1
		return nil
	})
	br := pool.SendBatch(ctx, batch)
	tx := br.Tx()
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit, or on a transaction that never began, it does nothing
	if err := br.Close(); err != nil {
		return out, fmt.Errorf("claim request id: %w", err)
	}
	if !claimed {
		prev, _, err := replayed(ctx, tx, key)
		if err != nil {
			return out, err
		}
		if err := json.Unmarshal(prev, &out); err != nil {
			return out, err
		}
		return out, tx.Commit(ctx)
	}
	out, err := write(tx)
	if err != nil {
		return out, err
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return out, err
	}
	if err := Save(ctx, tx, key, raw); err != nil {
		return out, err
	}
	return out, tx.Commit(ctx)
}
