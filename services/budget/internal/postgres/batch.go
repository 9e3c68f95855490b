package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/batch"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/budget/internal/budget"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/codes"
)

// BatchItem is one plan of a batch write, as Update takes it.
type BatchItem struct {
	Pledge       string
	Tag          string
	AllowMissing bool
	// Change edits and checks the plan, naming fields as the single
	// method does; nil for a request the caller refused already.
	Change func(*budget.Plan) error
}

// BatchUpdate writes the plans of a batch of one district's pledges in one
// transaction, each as Update writes one: read locked, its etag checked,
// edited and checked by its Change. Every field fault of every item is
// named under `requests[i].`, added to v, which holds what the caller
// found wrong already; any fault, or an item refused otherwise (a stale
// etag, a missing plan), writes nothing. Each table is written in one
// statement, and each plan's audit event as Update writes it.
func (s *Store) BatchUpdate(ctx context.Context, district string, items []BatchItem, v apierr.Violations, key idempotency.Key) ([]budget.Plan, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) ([]budget.Plan, error) {
		pledges := make([]string, 0, len(items))
		for _, it := range items {
			if it.Change != nil {
				pledges = append(pledges, it.Pledge)
			}
		}
		stored, err := getAll(ctx, tx, district, pledges, " FOR UPDATE")
		if err != nil {
			return nil, err
		}
		var refused error
		before := make([]budget.Plan, len(items))
		next := make([]budget.Plan, len(items))
		for i, it := range items {
			if it.Change == nil {
				continue
			}
			cur, found := stored[it.Pledge]
			var readErr error
			if !found {
				cur, readErr = budget.Plan{DistrictID: district, PledgeID: it.Pledge}, ErrNoPlan(district, it.Pledge)
			}
			p, err := editable(cur, readErr, Name(district, it.Pledge), it.Tag, it.AllowMissing)
			if err == nil {
				err = it.Change(&p)
			}
			if err != nil && !batch.Merge(&v, i, err) && refused == nil {
				refused = batch.Item(i, err)
			}
			before[i], next[i] = cur, p
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		if refused != nil {
			return nil, refused
		}
		if err := writePlans(ctx, tx, district, before, next); err != nil {
			return nil, err
		}
		saved, err := getAll(ctx, tx, district, pledges, "")
		if err != nil {
			return nil, err
		}
		out := make([]budget.Plan, len(items))
		changes := make([]audit.Change, len(items))
		for i, it := range items {
			out[i] = saved[it.Pledge]
			changes[i] = audit.Change{Action: audit.Create, Resource: Name(district, it.Pledge), After: s.view(out[i])}
			if before[i].Revision != 0 {
				changes[i].Action, changes[i].Before = audit.Update, s.view(before[i])
			}
		}
		return out, audit.RecordAll(ctx, tx, changes)
	})
}

// writePlans writes each plan of next over its stored one (before, at
// revision 0 when there is none): the new plans in one statement, the
// changed ones in another, and every line anew in a third.
func writePlans(ctx context.Context, tx pgx.Tx, district string, before, next []budget.Plan) error {
	var created [][]any
	var changed, pledges []string
	var changedAsOf []*time.Time
	var changedTerm []int32
	var lines [][]any
	for i, p := range next {
		asOf := sqlDate(p.AsOf)
		pledges = append(pledges, p.PledgeID)
		if before[i].Revision == 0 {
			created = append(created, []any{district, p.PledgeID, int32(p.Term), asOf})
		} else {
			changed, changedAsOf, changedTerm = append(changed, p.PledgeID), append(changedAsOf, asOf), append(changedTerm, int32(p.Term))
		}
		for n, l := range p.Lines {
			lines = append(lines, []any{district, p.PledgeID, l.Source, int32(l.Year), int32(n), l.SourceLabel,
				l.Planned, l.Secured, l.Executed, l.CarryOver, l.Note})
		}
	}
	if len(changed) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE plans p SET as_of_date = b.as_of, term = b.term, revision = p.revision + 1, update_time = now()
			FROM unnest($2::text[], $3::date[], $4::int[]) AS b(pledge_id, as_of, term)
			WHERE p.district_id = $1 AND p.pledge_id = b.pledge_id`, district, changed, changedAsOf, changedTerm); err != nil {
			return err
		}
	}
	if len(created) > 0 {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"plans"}, []string{"district_id", "pledge_id", "term", "as_of_date"}, pgx.CopyFromRows(created))
		if pgdb.IsCode(err, pgdb.UniqueViolation) {
			// Created by someone else since the batch looked.
			return &apierr.Error{Code: codes.Aborted, Reason: apierr.ReasonConcurrentChange,
				Message: "a plan of the batch was created by someone else meanwhile; nothing was written: read it and send the batch again with its etag"}
		}
		if err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM lines WHERE district_id = $1 AND pledge_id = ANY($2)`, district, pledges); err != nil {
		return err
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"lines"}, []string{"district_id", "pledge_id", "source", "year", "position",
		"source_label", "planned_won", "secured_won", "executed_won", "carry_over", "note"}, pgx.CopyFromRows(lines))
	return err
}

func sqlDate(d budget.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
	return &t
}

// getAll reads the stored plans of the pledges of district, by pledge, in
// two queries; lock is appended to the plans' (" FOR UPDATE").
func getAll(ctx context.Context, q pgdb.Querier, district string, pledges []string, lock string) (map[string]budget.Plan, error) {
	out := map[string]budget.Plan{}
	rows, err := q.Query(ctx, `SELECT pledge_id, term, as_of_date, revision, create_time, update_time FROM plans
		WHERE district_id = $1 AND pledge_id = ANY($2) ORDER BY pledge_id`+lock, district, pledges)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		p := budget.Plan{DistrictID: district}
		var asOf *time.Time
		if err := rows.Scan(&p.PledgeID, &p.Term, &asOf, &p.Revision, &p.CreateTime, &p.UpdateTime); err != nil {
			rows.Close()
			return nil, err
		}
		if asOf != nil {
			p.AsOf = budget.Date{Year: asOf.Year(), Month: int(asOf.Month()), Day: asOf.Day()}
		}
		out[p.PledgeID] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, `SELECT pledge_id, source, source_label, year, planned_won, secured_won, executed_won, carry_over, note
		FROM lines WHERE district_id = $1 AND pledge_id = ANY($2) ORDER BY pledge_id, position`, district, pledges)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pledge string
		var l budget.Line
		if err := rows.Scan(&pledge, &l.Source, &l.SourceLabel, &l.Year, &l.Planned, &l.Secured, &l.Executed, &l.CarryOver, &l.Note); err != nil {
			return nil, err
		}
		p, ok := out[pledge]
		if !ok {
			return nil, errors.New("a plan's lines without the plan")
		}
		p.Lines = append(p.Lines, l)
		out[pledge] = p
	}
	return out, rows.Err()
}
