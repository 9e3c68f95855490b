package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/events/internal/webhook"
	"github.com/jackc/pgx/v5"
)

// Record records, in one transaction, the deliveries of ev (the stream's
// seq-th message, body as it is POSTed) owed to the district's webhooks
// that want it, and returns how many it added. A repeat of an event adds
// nothing: a delivery is unique by webhook and event id.
func (s *Store) Record(ctx context.Context, ev eventbus.Event, seq uint64, body []byte) (int, error) {
	added := 0
	err := s.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE district = $1`, ev.District)
		if err != nil {
			return err
		}
		hooks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (webhook.Webhook, error) { return scanWebhook(r) })
		if err != nil {
			return err
		}
		resourceType := eventbus.ResourceType(ev.Subject)
		for _, w := range hooks {
			if !w.Wants(ev.Type, resourceType) {
				continue
			}
			tag, err := tx.Exec(ctx, `INSERT INTO deliveries (district, webhook, event_id, event_type, subject, seq, body)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (district, webhook, event_id) DO NOTHING`,
				w.District, w.ID, ev.ID, ev.Type, ev.Subject, int64(seq), body)
			if err != nil {
				return err
			}
			added += int(tag.RowsAffected())
		}
		return nil
	})
	return added, err
}

// Claimed is a delivery a worker holds: what to POST where, signed with
// which keys.
type Claimed struct {
	ID       int64
	EventID  string
	URL      string
	Body     []byte
	Keys     [][]byte
	Attempts int // this attempt's number, 1 for the first
}

// Claim takes up to n due deliveries, each the earliest pending one of its
// (webhook, resource): a later event of a resource waits while an earlier
// one is not delivered. Claiming counts the attempt and puts the next one
// lease away, so a worker that dies holding it leaves it to be taken again
// then (at least once); the row lock (SKIP LOCKED) is held only for the
// claim, not for the POST.
func (s *Store) Claim(ctx context.Context, n int, lease time.Duration) ([]Claimed, error) {
	var claimed []Claimed
	err := s.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH due AS (
				SELECT d.id FROM deliveries d
				WHERE d.state = 'pending' AND d.next_attempt_time <= now()
				  AND NOT EXISTS (SELECT 1 FROM deliveries e
				                  WHERE e.district = d.district AND e.webhook = d.webhook AND e.subject = d.subject
				                    AND e.state = 'pending' AND e.seq < d.seq)
				ORDER BY d.next_attempt_time, d.id
				LIMIT $1
				FOR UPDATE OF d SKIP LOCKED)
			UPDATE deliveries SET attempts = attempts + 1, next_attempt_time = now() + $2::interval
			FROM due, webhooks w
			WHERE deliveries.id = due.id AND w.district = deliveries.district AND w.id = deliveries.webhook
			RETURNING deliveries.id, deliveries.district, deliveries.webhook, deliveries.event_id, w.url, deliveries.body, deliveries.attempts`,
			n, lease)
		if err != nil {
			return err
		}
		type row struct {
			Claimed
			district, webhook string
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var c row
			return c, r.Scan(&c.ID, &c.district, &c.webhook, &c.EventID, &c.URL, &c.Body, &c.Attempts)
		})
		if err != nil {
			return err
		}
		for _, c := range list {
			krows, err := tx.Query(ctx, `SELECT secret FROM webhook_secrets
				WHERE district = $1 AND webhook = $2 AND retire_time IS NULL ORDER BY create_time DESC`, c.district, c.webhook)
			if err != nil {
				return err
			}
			if c.Keys, err = pgx.CollectRows(krows, pgx.RowTo[[]byte]); err != nil {
				return err
			}
			claimed = append(claimed, c.Claimed)
		}
		return nil
	})
	return claimed, err
}

// MarkDelivered records that the receiver accepted attempt of delivery id
// with status. A mark of an attempt that is no longer the latest (its
// lease ran out and another worker took it) changes nothing.
func (s *Store) MarkDelivered(ctx context.Context, id int64, attempt, status int) error {
	_, err := s.pool.Exec(ctx, `UPDATE deliveries SET state = 'delivered', deliver_time = now(), last_status = $3, last_error = ''
		WHERE id = $1 AND attempts = $2 AND state = 'pending'`, id, attempt, status)
	return pgdb.Classify(err)
}

// MarkFailed records a failed attempt: the delivery is due again after
// retry's wait, or, its attempts spent, becomes a dead letter, and the
// resource's later events for the webhook go on.
func (s *Store) MarkFailed(ctx context.Context, id int64, attempt, status int, reason string, retry webhook.Retry) error {
	if attempt >= retry.MaxAttempts {
		return s.tx(ctx, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `UPDATE deliveries SET state = 'dead', last_status = $3, last_error = $4
				WHERE id = $1 AND attempts = $2 AND state = 'pending'`, id, attempt, status, reason)
			if err != nil || tag.RowsAffected() == 0 {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO dead_letters (delivery, district, webhook, attempts, last_status, last_error)
				SELECT id, district, webhook, attempts, last_status, last_error FROM deliveries WHERE id = $1`, id)
			return err
		})
	}
	_, err := s.pool.Exec(ctx, `UPDATE deliveries SET next_attempt_time = now() + $5::interval, last_status = $3, last_error = $4
		WHERE id = $1 AND attempts = $2 AND state = 'pending'`, id, attempt, status, reason, retry.Wait(attempt))
	return pgdb.Classify(err)
}

// NextDue is when the earliest pending delivery is due, or ok false when
// none is pending.
func (s *Store) NextDue(ctx context.Context) (t time.Time, ok bool, err error) {
	var next *time.Time
	err = s.pool.QueryRow(ctx, `SELECT min(next_attempt_time) FROM deliveries WHERE state = 'pending'`).Scan(&next)
	if err != nil || next == nil {
		return time.Time{}, false, pgdb.Classify(err)
	}
	return *next, true, nil
}

const deliveryColumns = `id, district, webhook, event_id, event_type, subject, state, attempts, last_status, last_error,
	next_attempt_time, create_time, deliver_time`

func scanDelivery(r pgx.Row) (webhook.Delivery, error) {
	var d webhook.Delivery
	var delivered *time.Time
	err := r.Scan(&d.ID, &d.District, &d.Webhook, &d.EventID, &d.EventType, &d.Subject, &d.State, &d.Attempts,
		&d.LastStatus, &d.LastError, &d.NextAttempt, &d.CreateTime, &delivered)
	d.DeliverTime = timeOrZero(delivered)
	return d, err
}

// ListDeliveries lists a webhook's deliveries newest first, n from before
// id before (0: from the newest).
func (s *Store) ListDeliveries(ctx context.Context, district, id string, before int64, n int) ([]webhook.Delivery, error) {
	if _, err := s.GetWebhook(ctx, district, id); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE district = $1 AND webhook = $2 AND ($3 = 0 OR id < $3) ORDER BY id DESC LIMIT $4`, district, id, before, n)
	if err != nil {
		return nil, pgdb.Classify(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (webhook.Delivery, error) { return scanDelivery(r) })
	return list, pgdb.Classify(err)
}

const deadLetterQuery = `SELECT l.id, l.delivery, l.district, l.webhook, d.event_id, d.event_type, d.subject,
	l.attempts, l.last_status, l.last_error, l.create_time, l.redeliver_time
	FROM dead_letters l JOIN deliveries d ON d.id = l.delivery`

func scanDeadLetter(r pgx.Row) (webhook.DeadLetter, error) {
	var l webhook.DeadLetter
	var redelivered *time.Time
	err := r.Scan(&l.ID, &l.Delivery, &l.District, &l.Webhook, &l.EventID, &l.EventType, &l.Subject,
		&l.Attempts, &l.LastStatus, &l.LastError, &l.CreateTime, &redelivered)
	l.RedeliverTime = timeOrZero(redelivered)
	return l, err
}

// ListDeadLetters lists a webhook's dead letters newest first, n from
// before id before (0: from the newest).
func (s *Store) ListDeadLetters(ctx context.Context, district, id string, before int64, n int) ([]webhook.DeadLetter, error) {
	if _, err := s.GetWebhook(ctx, district, id); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, deadLetterQuery+`
		WHERE l.district = $1 AND l.webhook = $2 AND ($3 = 0 OR l.id < $3) ORDER BY l.id DESC LIMIT $4`, district, id, before, n)
	if err != nil {
		return nil, pgdb.Classify(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (webhook.DeadLetter, error) { return scanDeadLetter(r) })
	return list, pgdb.Classify(err)
}

// Redeliver makes a dead letter's delivery pending again, due now with its
// attempts counted afresh, and marks the dead letter redelivered. A dead
// letter redelivered already is FAILED_PRECONDITION: its delivery is under
// way, or a newer dead letter stands for it.
func (s *Store) Redeliver(ctx context.Context, district, id string, deadLetter int64) (webhook.Delivery, error) {
	name := resourcename.DeadLetter.Format(district, id, strconv.FormatInt(deadLetter, 10))
	var d webhook.Delivery
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var delivery int64
		var redelivered *time.Time
		err := tx.QueryRow(ctx, `SELECT delivery, redeliver_time FROM dead_letters WHERE district = $1 AND webhook = $2 AND id = $3 FOR UPDATE`,
			district, id, deadLetter).Scan(&delivery, &redelivered)
		if errors.Is(err, pgx.ErrNoRows) {
			return apierr.NotFound("dead letter", name)
		}
		if err != nil {
			return err
		}
		if redelivered != nil {
			return apierr.FailedPrecondition("%s was redelivered already at %s", name, redelivered.UTC().Format(time.RFC3339))
		}
		if _, err := tx.Exec(ctx, `UPDATE dead_letters SET redeliver_time = now() WHERE id = $1`, deadLetter); err != nil {
			return err
		}
		d, err = scanDelivery(tx.QueryRow(ctx, `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_time = now(), last_error = ''
			WHERE id = $1 RETURNING `+deliveryColumns, delivery))
		return err
	})
	return d, err
}
