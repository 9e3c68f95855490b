package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Relay publishes a service's outbox to the JetStream stream.
//
// It claims the oldest unsent rows with SELECT … FOR UPDATE SKIP LOCKED
// in a transaction, publishes them one by one in the order they were
// written with Nats-Msg-Id = the event's id, waiting for each
// acknowledgement, and marks them sent in that transaction. It never
// keeps a high-water mark: a transaction that commits after a later one
// has its rows found unsent all the same. Two relays (two replicas) never
// publish one row at once; a relay that dies between publishing and
// marking leaves its rows unsent, and their next publish is dropped by
// the stream's duplicate window. A relay passes over a resource whose
// earlier event another relay holds, so each resource's events reach the
// stream in order.
//
// It is woken by the outbox's notification at each commit that wrote
// events, and looks every PollInterval in case one was missed. While NATS
// is down it backs off and retries; the writes, which only insert rows,
// never wait for it. Sent rows are kept for KeepSent, then deleted.
type Relay struct {
	// Service names the events' source and type (kr.gongyak.<service>…).
	Service string
	// Schema is the service's schema, whose outbox the relay publishes.
	Schema string
	Pool   *pgxpool.Pool
	NATS   *nats.Conn
	Log    *slog.Logger

	// afterClaim, in tests, runs once the batch is claimed, before it is
	// published: where another relay may claim what follows.
	afterClaim func(ctx context.Context)
	// afterPublish, in tests, runs between publishing a batch and marking
	// it sent: where a crash costs duplicates, never losses.
	afterPublish func(ctx context.Context)
}

const (
	// BatchSize is how many rows one transaction claims at most.
	BatchSize = 100
	// PollInterval is how often the relay looks for unsent rows without
	// being woken.
	PollInterval = 2 * time.Second
	// KeepSent is how long a sent row stays in the outbox (to see what
	// went out, and when) before the relay deletes it; the stream keeps
	// the event for 30 days.
	KeepSent = 24 * time.Hour
	// purgeEvery is how often the relay deletes sent rows older than
	// KeepSent.
	purgeEvery = time.Hour
	// publishTimeout bounds the wait for one acknowledgement.
	publishTimeout = 5 * time.Second
	// maxBackoff is the longest wait between attempts while NATS is down.
	maxBackoff = 30 * time.Second
)

// Run publishes until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	js, err := jetstream.New(r.NATS)
	if err != nil {
		// Only a bad option fails here; there are none.
		log.Error("outbox relay: jetstream", "error", err.Error())
		return
	}
	wake := make(chan struct{}, 1)
	go r.listen(ctx, wake, log)

	backoff := time.Duration(0)
	streamReady := false
	lastPurge := time.Time{}
	for ctx.Err() == nil {
		if time.Since(lastPurge) > purgeEvery {
			if err := r.purge(ctx); err != nil && ctx.Err() == nil {
				log.Warn("outbox relay: deleting sent events", "error", err.Error())
			} else {
				lastPurge = time.Now()
			}
		}
		n, err := 0, error(nil)
		if !streamReady {
			// The stream is made by whatever starts NATS; a relay that
			// finds it missing (a NATS started bare) makes it.
			ectx, cancel := context.WithTimeout(ctx, publishTimeout)
			_, err = eventbus.EnsureStream(ectx, js)
			cancel()
			streamReady = err == nil
		}
		if err == nil {
			n, err = r.publishBatch(ctx, js)
		}
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			streamReady = false
			backoff = min(max(2*backoff, 100*time.Millisecond), maxBackoff)
			wait = backoff
			log.Warn("outbox relay: events wait unpublished", "published", n, "retry_in", wait.String(), "error", err.Error())
		case n == BatchSize:
			// More may be waiting.
			backoff = 0
			continue
		default:
			backoff = 0
			wait = PollInterval
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-wake:
			if err != nil {
				// A write does not end a back-off: NATS is still down.
				<-timer.C
			}
		case <-timer.C:
		}
		timer.Stop()
	}
}

// publishBatch publishes one batch of unsent rows and marks what the
// stream acknowledged; it returns how many rows it claimed.
func (r *Relay) publishBatch(ctx context.Context, js jetstream.JetStream) (int, error) {
	if !r.NATS.IsConnected() {
		return 0, errors.New("not connected to NATS")
	}
	tx, err := r.Pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it does nothing
	events, err := claim(ctx, tx)
	if err != nil {
		return 0, err
	}
	if r.afterClaim != nil && len(events) > 0 {
		r.afterClaim(ctx)
	}
	var sent []int64
	var failed error
	for _, e := range events {
		if failed = r.publish(ctx, js, e); failed != nil {
			break
		}
		sent = append(sent, e.seq)
	}
	if r.afterPublish != nil {
		r.afterPublish(ctx)
	}
	if len(sent) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE outbox SET sent_time = clock_timestamp() WHERE seq = ANY($1)`, sent); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	if failed != nil {
		return len(sent), failed
	}
	return len(events), nil
}

// row is a claimed outbox row.
type row struct {
	seq                            int64
	id, district, action, resource string
	time                           time.Time
	data                           json.RawMessage
}

// claim locks up to BatchSize of the oldest unsent rows no other relay
// holds, in order, leaving out a resource's rows while another relay
// holds an earlier row of it (it publishes them after that one).
func claim(ctx context.Context, tx pgx.Tx) ([]row, error) {
	rows, err := tx.Query(ctx, `WITH claimed AS (
			SELECT seq, id, district_id, action, resource, time, data FROM outbox
			WHERE sent_time IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
		SELECT seq, id::text, district_id, action, resource, time, data FROM claimed c
		WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.sent_time IS NULL AND o.resource = c.resource
			AND o.seq < c.seq AND o.seq NOT IN (SELECT seq FROM claimed))
		ORDER BY seq`, BatchSize)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(rs pgx.CollectableRow) (row, error) {
		var e row
		err := rs.Scan(&e.seq, &e.id, &e.district, &e.action, &e.resource, &e.time, &e.data)
		return e, err
	})
}

// publish sends one event and waits for the stream's acknowledgement.
func (r *Relay) publish(ctx context.Context, js jetstream.JetStream, e row) error {
	typ, err := eventbus.Type(r.Service, eventbus.ResourceType(e.resource), e.action)
	if err != nil {
		return err
	}
	subject, err := eventbus.Subject(e.district, typ)
	if err != nil {
		return err
	}
	body, err := json.Marshal(eventbus.Event{
		SpecVersion: eventbus.SpecVersion, ID: e.id, Source: eventbus.Source(r.Service), Type: typ,
		Subject: e.resource, Time: e.time.UTC(), DataContentType: "application/json", District: e.district, Data: e.data,
	})
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	if _, err := js.Publish(pctx, subject, body, jetstream.WithMsgID(e.id), jetstream.WithExpectStream(eventbus.StreamName)); err != nil {
		return fmt.Errorf("publish %s: %w", e.id, err)
	}
	return nil
}

// purge deletes sent rows older than KeepSent.
func (r *Relay) purge(ctx context.Context) error {
	_, err := r.Pool.Exec(ctx, `DELETE FROM outbox WHERE sent_time < now() - $1::interval`, KeepSent.String())
	return err
}

// listen holds a LISTEN on the outbox's channel and wakes the relay at
// each notification, until ctx ends; when its connection fails it listens
// again after a second (the poll covers the gap).
func (r *Relay) listen(ctx context.Context, wake chan<- struct{}, log *slog.Logger) {
	for ctx.Err() == nil {
		err := r.listenOnce(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		log.Warn("outbox relay: not listening for new events; looking every "+PollInterval.String(), "error", err.Error())
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (r *Relay) listenOnce(ctx context.Context, wake chan<- struct{}) error {
	pooled, err := r.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A listening connection must not go back to the pool.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // done with either way
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{Channel(r.Schema)}.Sanitize()); err != nil {
		return err
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}
