package postgres

import (
	"context"
	"fmt"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/batch"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/codes"
)

// BatchCreatePledges adds pledges, each checked by the caller as
// CreatePledge's is, to one district in one transaction. A term the
// district no longer has (changed since the check) is named under
// `requests[i].`. A pledge whose id, or code or title in its term,
// another pledge has (stored, or earlier in the batch) refuses the batch
// with ALREADY_EXISTS naming each. Nothing is written unless every pledge
// is accepted. Each table is written in one statement, and each pledge's
// first status and audit event as CreatePledge writes them.
func (s *Store) BatchCreatePledges(ctx context.Context, district string, ps []pledge.Pledge, key idempotency.Key) ([]PledgeWithTerm, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) ([]PledgeWithTerm, error) {
		d, err := lockDistrict(ctx, tx, district)
		if err != nil {
			return nil, err
		}
		var v apierr.Violations
		terms := make([]pledge.Term, len(ps))
		for i, p := range ps {
			t, err := d.TermOrCurrent("pledge.term", p.Term)
			batch.Merge(&v, i, err)
			terms[i] = t
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		if err := batchIdentitiesFree(ctx, tx, district, ps); err != nil {
			return nil, err
		}
		if err := copyPledges(ctx, tx, ps); err != nil {
			return nil, err
		}
		created, err := pledgesByID(ctx, tx, district, ps)
		if err != nil {
			return nil, err
		}
		changes := make([]audit.Change, len(created))
		out := make([]PledgeWithTerm, len(created))
		for i, p := range created {
			out[i] = PledgeWithTerm{Pledge: p, Term: terms[i]}
			changes[i] = audit.Change{Action: audit.Create, Resource: p.Name(), After: s.view(out[i])}
		}
		return out, audit.RecordAll(ctx, tx, changes)
	})
}

// copyPledges writes ps and the start of each one's status history, a
// statement (COPY) per table.
func copyPledges(ctx context.Context, tx pgx.Tx, ps []pledge.Pledge) error {
	rows := make([][]any, len(ps))
	history := make([][]any, len(ps))
	actor := auth.FromContext(ctx).Actor()
	for i, p := range ps {
		rows[i] = pledgeValues(p)
		if p.OwningDepartment == "" {
			rows[i][8] = nil // as insertPledge's nullif
		}
		history[i] = []any{p.DistrictID, p.ID, int64(1), pledge.StatusUnspecified, p.Status, "created", actor}
	}
	columns := []string{"district_id", "id", "term", "code", "title", "project_type", "implementing_levels",
		"completion_timing", "owning_department", "owning_team", "related_departments", "all_departments_related",
		"contacts", "required_budget", "status", "background", "overview", "final_goal", "yearly_goals",
		"progress_log", "future_plans", "risks", "photos"}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pledges"}, columns, pgx.CopyFromRows(rows)); err != nil {
		if pgdb.IsCode(err, pgdb.UniqueViolation) {
			// Another writer took an id, code or title since the batch
			// looked: nothing was written.
			return apierr.AlreadyExists("a pledge of the batch was created by someone else meanwhile; nothing was written")
		}
		return err
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"status_changes"},
		[]string{"district_id", "pledge_id", "number", "previous_status", "status", "reason", "actor"}, pgx.CopyFromRows(history))
	return err
}

// pledgesByID reads the pledges of district with the ids of ps, in the
// order of ps.
func pledgesByID(ctx context.Context, q pgdb.Querier, district string, ps []pledge.Pledge) ([]pledge.Pledge, error) {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	rows, err := q.Query(ctx, `SELECT `+pledgeColumns+` FROM pledges WHERE district_id = $1 AND id = ANY($2)`, district, ids)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (pledge.Pledge, error) { return scanPledge(row) })
	if err != nil {
		return nil, err
	}
	byID := map[string]pledge.Pledge{}
	for _, p := range found {
		byID[p.ID] = p
	}
	out := make([]pledge.Pledge, len(ps))
	for i, p := range ps {
		out[i] = byID[p.ID]
	}
	return out, nil
}

// batchIdentitiesFree refuses, with one ALREADY_EXISTS naming each, the
// pledges of a batch that pledge.BatchConflicts finds naming a pledge
// there already. It reads what that needs in two queries: the ids taken,
// and the live pledges that may share a pledge's identity.
func batchIdentitiesFree(ctx context.Context, q pgdb.Querier, district string, ps []pledge.Pledge) error {
	ids := make([]string, len(ps))
	terms := make([]int32, len(ps))
	codeOf := make([]string, len(ps))
	titles := make([]string, len(ps))
	for i, p := range ps {
		ids[i], terms[i], codeOf[i], titles[i] = p.ID, int32(p.Term), p.Code, p.Title
	}
	rows, err := q.Query(ctx, `SELECT id FROM pledges WHERE district_id = $1 AND id = ANY($2)`, district, ids)
	if err != nil {
		return err
	}
	taken, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	// The live pledges sharing a term and a code, or a term and a title
	// without a code, with a pledge of the batch: those whose identity
	// the batch may take.
	rows, err = q.Query(ctx, `SELECT s.id, s.term, s.code, s.title FROM pledges s
		JOIN unnest($2::int[], $3::text[], $4::text[]) AS b(term, code, title) ON s.term = b.term
			AND CASE WHEN b.code <> '' THEN s.code = b.code ELSE s.code = '' AND s.title = b.title END
		WHERE s.district_id = $1 AND s.delete_time IS NULL`, district, terms, codeOf, titles)
	if err != nil {
		return err
	}
	stored, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (pledge.Pledge, error) {
		s := pledge.Pledge{DistrictID: district}
		return s, row.Scan(&s.ID, &s.Term, &s.Code, &s.Title)
	})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, id := range taken {
		used[id] = true
	}
	e := &apierr.Error{Code: codes.AlreadyExists, Reason: apierr.ReasonAlreadyExists}
	for _, c := range pledge.BatchConflicts(ps, stored, used) {
		e.Violations = append(e.Violations, apierr.FieldViolation{Field: batch.Field(c.Index, c.Field), Description: c.Description})
	}
	if len(e.Violations) == 0 {
		return nil
	}
	e.Message = fmt.Sprintf("%d requests of the batch name pledges that are there already (by id, or by code or title in their term); nothing was written", len(e.Violations))
	return e
}
