// Package postgres is the budget service's store: plans and their lines in
// the `budget` schema, and the summaries reporting reads, computed in SQL.
package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/budget/internal/budget"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store reads and writes plans.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store on pool, whose search_path starts with the budget
// schema.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Name is a plan's resource name.
func Name(district, pledge string) string {
	return "districts/" + district + "/pledges/" + pledge + "/budget"
}

// ErrNoPlan is the NOT_FOUND of a pledge without a plan.
func ErrNoPlan(district, pledge string) error {
	e := apierr.NotFound("budget", Name(district, pledge))
	e.Message = "pledge districts/" + district + "/pledges/" + pledge + " has no investment plan yet; create it with UpdateBudget and allow_missing"
	return e
}

// Get returns a pledge's plan.
func (s *Store) Get(ctx context.Context, district, pledge string) (budget.Plan, error) {
	return get(ctx, s.pool, district, pledge, "")
}

func get(ctx context.Context, q pgdb.Querier, district, pledge, lock string) (budget.Plan, error) {
	p := budget.Plan{DistrictID: district, PledgeID: pledge}
	var asOf *time.Time
	err := q.QueryRow(ctx, `SELECT term, as_of_date, revision, create_time, update_time FROM plans
		WHERE district_id = $1 AND pledge_id = $2`+lock, district, pledge).
		Scan(&p.Term, &asOf, &p.Revision, &p.CreateTime, &p.UpdateTime)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNoPlan(district, pledge)
	}
	if err != nil {
		return p, err
	}
	if asOf != nil {
		p.AsOf = budget.Date{Year: asOf.Year(), Month: int(asOf.Month()), Day: asOf.Day()}
	}
	rows, err := q.Query(ctx, `SELECT source, source_label, year, planned_won, secured_won, executed_won, carry_over, note
		FROM lines WHERE district_id = $1 AND pledge_id = $2 ORDER BY position`, district, pledge)
	if err != nil {
		return p, err
	}
	p.Lines, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (budget.Line, error) {
		var l budget.Line
		err := row.Scan(&l.Source, &l.SourceLabel, &l.Year, &l.Planned, &l.Secured, &l.Executed, &l.CarryOver, &l.Note)
		return l, err
	})
	return p, err
}

// Save writes a plan. The plan must still be at revision read (0 when it
// did not exist) and, when the caller sent one, match its etag; otherwise
// the write is refused with ABORTED and nothing changes. A plan that does
// not exist is created only when allowMissing.
func (s *Store) Save(ctx context.Context, p budget.Plan, read int64, tag string, allowMissing bool) (budget.Plan, error) {
	var out budget.Plan
	name := Name(p.DistrictID, p.PledgeID)
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := get(ctx, tx, p.DistrictID, p.PledgeID, " FOR UPDATE")
		exists := err == nil
		if err != nil && !isNotFound(err) {
			return err
		}
		switch {
		case !exists && !allowMissing:
			return err
		case !exists && tag != "":
			return apierr.EtagMismatch(name)
		case exists:
			if err := etag.Check(tag, name, cur.Revision); err != nil {
				return err
			}
			if cur.Revision != read {
				return apierr.EtagMismatch(name)
			}
		case read != 0:
			// It was read, and deleted since: the caller saw another plan.
			return apierr.EtagMismatch(name)
		}
		var asOf *time.Time
		if !p.AsOf.IsZero() {
			t := time.Date(p.AsOf.Year, time.Month(p.AsOf.Month), p.AsOf.Day, 0, 0, 0, 0, time.UTC)
			asOf = &t
		}
		if exists {
			_, err = tx.Exec(ctx, `UPDATE plans SET as_of_date = $3, term = $4, revision = revision + 1, update_time = now()
				WHERE district_id = $1 AND pledge_id = $2`, p.DistrictID, p.PledgeID, asOf, p.Term)
		} else {
			var tag2 pgconn.CommandTag
			tag2, err = tx.Exec(ctx, `INSERT INTO plans (district_id, pledge_id, term, as_of_date) VALUES ($1, $2, $3, $4)
				ON CONFLICT DO NOTHING`, p.DistrictID, p.PledgeID, p.Term, asOf)
			if err == nil && tag2.RowsAffected() == 0 {
				// Created by someone else since this request looked.
				return apierr.EtagMismatch(name)
			}
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM lines WHERE district_id = $1 AND pledge_id = $2`, p.DistrictID, p.PledgeID); err != nil {
			return err
		}
		batch := &pgx.Batch{}
		for i, l := range p.Lines {
			batch.Queue(`INSERT INTO lines (district_id, pledge_id, source, year, position, source_label,
				planned_won, secured_won, executed_won, carry_over, note)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				p.DistrictID, p.PledgeID, l.Source, l.Year, i, l.SourceLabel, l.Planned, l.Secured, l.Executed, l.CarryOver, l.Note)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		out, err = get(ctx, tx, p.DistrictID, p.PledgeID, "")
		return err
	})
	return out, err
}

// Delete removes a pledge's plan, refusing a stale etag.
func (s *Store) Delete(ctx context.Context, district, pledge, tag string) error {
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := get(ctx, tx, district, pledge, " FOR UPDATE")
		if err != nil {
			return err
		}
		if err := etag.Check(tag, Name(district, pledge), cur.Revision); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM plans WHERE district_id = $1 AND pledge_id = $2`, district, pledge)
		return err
	})
}

func isNotFound(err error) bool {
	var e *apierr.Error
	return errors.As(err, &e) && e.Reason == apierr.ReasonNotFound
}
