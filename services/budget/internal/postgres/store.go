// Package postgres is the budget service's store: plans and their lines in
// the `budget` schema, their audit log, and the summaries reporting reads,
// computed in SQL.
package postgres

import (
	"context"
	"errors"
	"slices"
	"time"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/budget/internal/budget"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store reads and writes plans, and records every change in the audit log
// in the change's own transaction.
type Store struct {
	pool *pgxpool.Pool
	view View
}

// View writes a plan as the API shows it, which is what the audit log
// keeps.
type View = audit.View[budget.Plan]

// New returns a store on pool, whose search_path starts with the budget
// schema; view writes what the audit log records.
func New(pool *pgxpool.Pool, view View) *Store { return &Store{pool: pool, view: view} }

// Name is a plan's resource name.
func Name(district, pledge string) string {
	return resourcename.Budget.Format(district, pledge)
}

// ErrNoPlan is the NOT_FOUND of a pledge without a plan.
func ErrNoPlan(district, pledge string) error {
	e := apierr.NotFound("budget", Name(district, pledge))
	e.Message = "pledge " + resourcename.Pledge.Format(district, pledge) + " has no investment plan yet; create it with UpdateBudget and allow_missing"
	return e
}

// Get returns a pledge's plan.
func (s *Store) Get(ctx context.Context, district, pledge string) (budget.Plan, error) {
	return get(ctx, s.pool, district, pledge, "")
}

func get(ctx context.Context, q pgdb.Querier, district, pledge, lock string) (budget.Plan, error) {
	p := budget.Plan{DistrictID: district, PledgeID: pledge}
	var asOf *time.Time
	// The plan and its lines in one round trip; the lines of a plan that
	// does not exist are none.
	batch := &pgx.Batch{}
	batch.Queue(`SELECT term, as_of_date, revision, create_time, update_time FROM plans
		WHERE district_id = $1 AND pledge_id = $2`+lock, district, pledge)
	batch.Queue(`SELECT source, source_label, year, planned_won, secured_won, executed_won, carry_over, note
		FROM lines WHERE district_id = $1 AND pledge_id = $2 ORDER BY position`, district, pledge)
	br := q.SendBatch(ctx, batch)
	defer br.Close()
	err := br.QueryRow().Scan(&p.Term, &asOf, &p.Revision, &p.CreateTime, &p.UpdateTime)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNoPlan(district, pledge)
	}
	if err != nil {
		return p, err
	}
	if asOf != nil {
		p.AsOf = budget.Date{Year: asOf.Year(), Month: int(asOf.Month()), Day: asOf.Day()}
	}
	rows, err := br.Query()
	if err != nil {
		return p, err
	}
	p.Lines, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (budget.Line, error) {
		var l budget.Line
		err := row.Scan(&l.Source, &l.SourceLabel, &l.Year, &l.Planned, &l.Secured, &l.Executed, &l.CarryOver, &l.Note)
		return l, err
	})
	if err != nil {
		return p, err
	}
	return p, br.Close()
}

// Update changes the plan named name
// (`districts/{district}/pledges/{pledge}/budget`) in one transaction: the
// store's one way to write a plan. It reads the plan,
// locked against other writers — a new plan, at revision 0, when there is
// none and allowMissing — refuses a stale tag with ABORTED, lets change
// edit it and check it, writes it whole and records the change in the
// audit log. A plan that does not exist is NOT_FOUND without
// allowMissing. An empty tag asks for no check: change decides whether it
// may be empty.
func (s *Store) Update(ctx context.Context, name, tag string, allowMissing bool, change func(*budget.Plan) error) (budget.Plan, error) {
	var out budget.Plan
	ids, err := resourcename.Budget.Parse("name", name)
	if err != nil {
		return out, err
	}
	district, pledge := ids[0], ids[1]
	err = pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := get(ctx, tx, district, pledge, " FOR UPDATE")
		p, err := editable(cur, err, name, tag, allowMissing)
		if err != nil {
			return err
		}
		if err := change(&p); err != nil {
			return err
		}
		var asOf *time.Time
		if !p.AsOf.IsZero() {
			t := time.Date(p.AsOf.Year, time.Month(p.AsOf.Month), p.AsOf.Day, 0, 0, 0, 0, time.UTC)
			asOf = &t
		}
		// The plan and its lines are written in one round trip; what was
		// written is p with the revision and times the plan's row returns,
		// not read back. The audit event, which shows those, follows.
		written := &pgx.Batch{}
		out = p
		var taken bool // a new plan, created by someone else since this request looked
		if cur.Revision != 0 {
			written.Queue(`UPDATE plans SET as_of_date = $3, term = $4, revision = revision + 1, update_time = now()
				WHERE district_id = $1 AND pledge_id = $2 RETURNING revision, create_time, update_time`, district, pledge, asOf, p.Term).
				QueryRow(func(row pgx.Row) error { return row.Scan(&out.Revision, &out.CreateTime, &out.UpdateTime) })
		} else {
			written.Queue(`INSERT INTO plans (district_id, pledge_id, term, as_of_date) VALUES ($1, $2, $3, $4)
				ON CONFLICT DO NOTHING RETURNING revision, create_time, update_time`, district, pledge, p.Term, asOf).
				QueryRow(func(row pgx.Row) error {
					err := row.Scan(&out.Revision, &out.CreateTime, &out.UpdateTime)
					taken = errors.Is(err, pgx.ErrNoRows)
					return err
				})
		}
		written.Queue(`DELETE FROM lines WHERE district_id = $1 AND pledge_id = $2`, district, pledge)
		written.Queue(insertLines, append([]any{district, pledge}, lineArrays(p.Lines)...)...)
		if err := tx.SendBatch(ctx, written).Close(); taken {
			return apierr.EtagMismatch(name)
		} else if err != nil {
			return err
		}
		if cur.Revision == 0 {
			return s.view.Record(ctx, tx, audit.Create, name, nil, &out)
		}
		return s.view.Record(ctx, tx, audit.Update, name, &cur, &out)
	})
	return out, err
}

// insertLines writes a plan's lines ($1, $2 the plan; $3… one array per
// column, a line per index, in order) in one statement.
const insertLines = `INSERT INTO lines (district_id, pledge_id, position, source, year, source_label,
		planned_won, secured_won, executed_won, carry_over, note)
	SELECT $1, $2, l.position - 1, l.source, l.year, l.source_label, l.planned, l.secured, l.executed, l.carry_over, l.note
	FROM unnest($3::smallint[], $4::integer[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::boolean[], $10::text[])
		WITH ORDINALITY AS l (source, year, source_label, planned, secured, executed, carry_over, note, position)`

// lineArrays are lines as insertLines takes them: a column at a time.
func lineArrays(lines []budget.Line) []any {
	n := len(lines)
	sources, years, labels := make([]int16, n), make([]int32, n), make([]string, n)
	planned, secured, executed := make([]int64, n), make([]int64, n), make([]int64, n)
	carry, notes := make([]bool, n), make([]string, n)
	for i, l := range lines {
		sources[i], years[i], labels[i] = int16(l.Source), int32(l.Year), l.SourceLabel
		planned[i], secured[i], executed[i] = l.Planned, l.Secured, l.Executed
		carry[i], notes[i] = l.CarryOver, l.Note
	}
	return []any{sources, years, labels, planned, secured, executed, carry, notes}
}

// Draft is the plan Update would hand to change, read without a lock and
// without writing: for requests that only validate.
func (s *Store) Draft(ctx context.Context, name, tag string, allowMissing bool) (budget.Plan, error) {
	ids, err := resourcename.Budget.Parse("name", name)
	if err != nil {
		return budget.Plan{}, err
	}
	cur, err := get(ctx, s.pool, ids[0], ids[1], "")
	return editable(cur, err, name, tag, allowMissing)
}

// editable decides what an update starts from, given the plan read (or
// the error reading it): the plan itself when the tag is not stale, or a
// new one when there is none and allowMissing.
func editable(cur budget.Plan, err error, name, tag string, allowMissing bool) (budget.Plan, error) {
	switch {
	case err != nil && !isNotFound(err):
		return cur, err
	case err != nil && !allowMissing:
		return cur, err
	case err != nil && tag != "":
		// The caller saw a plan that has been deleted since.
		return cur, apierr.EtagMismatch(name)
	case err != nil:
		return budget.Plan{DistrictID: cur.DistrictID, PledgeID: cur.PledgeID}, nil
	}
	if err := etag.Check(tag, name, cur.Revision); err != nil {
		return cur, err
	}
	p := cur
	p.Lines = slices.Clone(cur.Lines)
	return p, nil
}

// Delete removes a pledge's plan, refusing a stale etag, and records it in
// the audit log.
func (s *Store) Delete(ctx context.Context, district, pledge, tag string) error {
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := get(ctx, tx, district, pledge, " FOR UPDATE")
		if err != nil {
			return err
		}
		name := Name(district, pledge)
		if err := etag.Check(tag, name, cur.Revision); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `DELETE FROM plans WHERE district_id = $1 AND pledge_id = $2`, district, pledge); err != nil {
			return err
		}
		return s.view.Record(ctx, tx, audit.Delete, name, &cur, nil)
	})
}

// AuditEvents lists the budget service's audit events of a page.
func (s *Store) AuditEvents(ctx context.Context, page audit.Page) ([]*typev1.AuditEvent, error) {
	return audit.List(ctx, s.pool, "budget", page)
}

func isNotFound(err error) bool {
	var e *apierr.Error
	return errors.As(err, &e) && e.Reason == apierr.ReasonNotFound
}
