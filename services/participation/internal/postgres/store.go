// Package postgres is the participation service's store: programs and
// their records in the `participation` schema, with tallies, results and
// summaries computed in SQL.
package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store reads and writes participation records.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store on pool, whose search_path starts with the
// participation schema.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

func dateOf(t *time.Time) participation.Date {
	if t == nil {
		return participation.Date{}
	}
	return participation.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

func sqlDate(d participation.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
	return &t
}

func sqlTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// child names a record of a program for errors and etags.
func child(district, program, collection, id string) string {
	return "districts/" + district + "/programs/" + program + "/" + collection + "/" + id
}

func notFound(err error, kind, name string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return apierr.NotFound(kind, name)
	}
	return err
}

// conflict turns a primary-key violation on a client-chosen id into
// ALREADY_EXISTS.
func conflict(err error, name string) error {
	if pgdb.IsCode(err, pgdb.UniqueViolation) {
		return apierr.AlreadyExists("%s already exists", name)
	}
	return err
}

// checkRevision locks a record and refuses a stale etag.
func checkRevision(ctx context.Context, tx pgx.Tx, table, district, program, id, name, tag string) error {
	var revision int64
	err := tx.QueryRow(ctx, `SELECT revision FROM `+table+` WHERE district_id = $1 AND program_id = $2 AND id = $3 FOR UPDATE`,
		district, program, id).Scan(&revision)
	if err != nil {
		return notFound(err, table[:len(table)-1], name)
	}
	return etag.Check(tag, name, revision)
}
