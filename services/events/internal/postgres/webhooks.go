// Package postgres keeps the events service's webhooks, their secrets,
// deliveries and dead letters in its PostgreSQL schema.
package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/events/internal/webhook"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the webhooks' storage.
type Store struct {
	pool *pgxpool.Pool
}

// New returns the store on pool, whose search_path is the events schema.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// tx runs fn in a transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgdb.Classify(pgx.BeginFunc(ctx, s.pool, fn))
}

// CreateWebhook adds w with its first secret, key.
func (s *Store) CreateWebhook(ctx context.Context, w webhook.Webhook, key []byte) (webhook.Webhook, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO webhooks (district, id, url, event_types, resource_types) VALUES ($1, $2, $3, $4, $5)`,
			w.District, w.ID, w.URL, nonNil(w.EventTypes), nonNil(w.ResourceTypes))
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == pgdb.UniqueViolation {
			return apierr.AlreadyExists("%s exists already", w.Name())
		}
		if err != nil {
			return err
		}
		return addSecret(ctx, tx, w.District, w.ID, key)
	})
	if err != nil {
		return webhook.Webhook{}, err
	}
	return s.GetWebhook(ctx, w.District, w.ID)
}

func addSecret(ctx context.Context, tx pgx.Tx, district, id string, key []byte) error {
	_, err := tx.Exec(ctx, `INSERT INTO webhook_secrets (district, webhook, id, secret) VALUES ($1, $2, $3, $4)`,
		district, id, uuid.NewString(), key)
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const webhookColumns = `district, id, url, event_types, resource_types, create_time, update_time, revision`

func scanWebhook(row pgx.Row) (webhook.Webhook, error) {
	var w webhook.Webhook
	err := row.Scan(&w.District, &w.ID, &w.URL, &w.EventTypes, &w.ResourceTypes, &w.CreateTime, &w.UpdateTime, &w.Revision)
	return w, err
}

// GetWebhook reads a webhook with its live secrets' ids.
func (s *Store) GetWebhook(ctx context.Context, district, id string) (webhook.Webhook, error) {
	w, err := scanWebhook(s.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE district = $1 AND id = $2`, district, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, apierr.NotFound("webhook", resourcename.Webhook.Format(district, id))
	}
	if err != nil {
		return w, pgdb.Classify(err)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, create_time FROM webhook_secrets
		WHERE district = $1 AND webhook = $2 AND retire_time IS NULL ORDER BY create_time DESC`, district, id)
	if err != nil {
		return w, pgdb.Classify(err)
	}
	w.Secrets, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (webhook.Secret, error) {
		var sec webhook.Secret
		return sec, r.Scan(&sec.ID, &sec.CreateTime)
	})
	return w, pgdb.Classify(err)
}

// ListWebhooks lists at most limit of a district's webhooks by id, those
// after the id after, without their secrets.
func (s *Store) ListWebhooks(ctx context.Context, district, after string, limit int) ([]webhook.Webhook, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE district = $1 AND id > $2 ORDER BY id LIMIT $3`,
		district, after, limit)
	if err != nil {
		return nil, pgdb.Classify(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (webhook.Webhook, error) { return scanWebhook(r) })
	return list, pgdb.Classify(err)
}

// UpdateWebhook changes the webhook named name
// (`districts/{district}/webhooks/{webhook}`) to what change makes of its
// url and wanted types, as update does, refusing a stale tag.
func (s *Store) UpdateWebhook(ctx context.Context, name, tag string, change func(*webhook.Webhook) error) (webhook.Webhook, error) {
	ids, err := resourcename.Webhook.Parse("name", name)
	if err != nil {
		return webhook.Webhook{}, err
	}
	return s.update(ctx, ids[0], ids[1], tag, func(_ pgx.Tx, w *webhook.Webhook) error { return change(w) })
}

// update is the one way a webhook changes, in one transaction: it reads
// the webhook under the row's lock, refuses a stale tag (an empty one asks
// for no check), lets change edit it (and its secrets, in tx), writes its
// url and wanted types with a new revision and returns it as stored.
func (s *Store) update(ctx context.Context, district, id, tag string, change func(tx pgx.Tx, w *webhook.Webhook) error) (webhook.Webhook, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		w, err := lockWebhook(ctx, tx, district, id)
		if err != nil {
			return err
		}
		if err := etag.Check(tag, w.Name(), w.Revision); err != nil {
			return err
		}
		if err := change(tx, &w); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE webhooks SET url = $3, event_types = $4, resource_types = $5, update_time = now(),
			revision = revision + 1 WHERE district = $1 AND id = $2`, district, id, w.URL, nonNil(w.EventTypes), nonNil(w.ResourceTypes))
		return err
	})
	if err != nil {
		return webhook.Webhook{}, err
	}
	return s.GetWebhook(ctx, district, id)
}

func lockWebhook(ctx context.Context, tx pgx.Tx, district, id string) (webhook.Webhook, error) {
	w, err := scanWebhook(tx.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE district = $1 AND id = $2 FOR UPDATE`, district, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, apierr.NotFound("webhook", resourcename.Webhook.Format(district, id))
	}
	return w, err
}

// DeleteWebhook removes a webhook with its secrets, deliveries and dead
// letters, refusing a stale tag.
func (s *Store) DeleteWebhook(ctx context.Context, district, id, tag string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		w, err := lockWebhook(ctx, tx, district, id)
		if err != nil {
			return err
		}
		if err := etag.Check(tag, w.Name(), w.Revision); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM webhooks WHERE district = $1 AND id = $2`, district, id)
		return err
	})
}

// RotateSecret adds key as the webhook's newest secret; with two live
// already it refuses, so that the old one is retired first.
func (s *Store) RotateSecret(ctx context.Context, district, id string, key []byte) (webhook.Webhook, error) {
	return s.update(ctx, district, id, "", func(tx pgx.Tx, w *webhook.Webhook) error {
		var live int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM webhook_secrets WHERE district = $1 AND webhook = $2 AND retire_time IS NULL`,
			district, id).Scan(&live); err != nil {
			return err
		}
		if live >= webhook.MaxLiveSecrets {
			return apierr.FailedPrecondition("%s has %d live secrets already: retire the old one (:retireSecrets) before rotating again", w.Name(), live)
		}
		return addSecret(ctx, tx, district, id, key)
	})
}

// RetireSecrets retires every live secret of the webhook but its newest.
func (s *Store) RetireSecrets(ctx context.Context, district, id string) (webhook.Webhook, error) {
	return s.update(ctx, district, id, "", func(tx pgx.Tx, _ *webhook.Webhook) error {
		_, err := tx.Exec(ctx, `UPDATE webhook_secrets SET retire_time = now()
			WHERE district = $1 AND webhook = $2 AND retire_time IS NULL
			  AND id <> (SELECT id FROM webhook_secrets WHERE district = $1 AND webhook = $2 AND retire_time IS NULL
			             ORDER BY create_time DESC LIMIT 1)`, district, id)
		return err
	})
}

// timeOrZero is t, or the zero time for NULL.
func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
