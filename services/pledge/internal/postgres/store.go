// Package postgres is the pledge service's store: districts, terms,
// departments, pledges and their status history in the `pledge` schema.
// Every write runs in one transaction together with its request_id record,
// so a retried write replays its first result.
package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store reads and writes the pledge service's data.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store on pool, whose search_path must start with the
// pledge schema.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Ping checks the database answers, for readiness.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

func toDate(t time.Time) pledge.Date {
	return pledge.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

func fromDate(d pledge.Date) time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

func notFound(err error, notFound error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound
	}
	return err
}

// lockDistrict reads a district's current term and whether it exists,
// holding it against concurrent changes of its terms.
func lockDistrict(ctx context.Context, q pgdb.Querier, id string) (pledge.District, error) {
	d, err := getDistrict(ctx, q, id, " FOR SHARE")
	return d, err
}
