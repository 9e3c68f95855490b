package postgres

import (
	"context"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
)

// Page is what a list of a program's records asks for.
type Page struct {
	District, Program, Token, Filter string
	Size                             int
}

// updateTimeFilter is the filter of a list of records that filters on
// update_time alone: a poller's question, what changed since.
var updateTimeFilter = filter.Schema{"update_time": {Column: "update_time", Kind: filter.Time}}

// listFiltered is list of the records p.Filter takes, over schema.
func listFiltered[T any](ctx context.Context, q pgdb.Querier, p Page, table, columns string, schema filter.Schema,
	scan func(pgx.Row) (T, string, string, error)) ([]T, string, error) {
	where, args, err := filter.SQL(p.Filter, schema, 4)
	if err != nil {
		return nil, "", err
	}
	return list(ctx, q, p, table, columns, where, args, scan)
}

// list runs a keyset-paged listing of a program's records ordered by
// (sort key, id); scan reads one row and returns its sort key and id.
func list[T any](ctx context.Context, q pgdb.Querier, p Page, table, columns, where string, whereArgs []any,
	scan func(pgx.Row) (T, string, string, error)) ([]T, string, error) {
	binding := pagetoken.Bind(table, p.District, p.Program, p.Filter)
	after, err := pagetoken.Decode(p.Token, binding, 2)
	if err != nil {
		return nil, "", err
	}
	if _, err := getProgram(ctx, q, p.District, p.Program, ""); err != nil {
		return nil, "", err
	}
	keys := []pagetoken.Key{{Expr: "sort_key", Type: "text"}, {Expr: "id", Type: "text"}}
	args := append([]any{p.District, p.Program, p.Size + 1}, whereArgs...)
	cond, afterArgs := pagetoken.After(keys, after, len(args)+1)
	rows, err := q.Query(ctx, `SELECT `+columns+` FROM (SELECT *, `+sortKey(table)+` AS sort_key FROM `+table+`) t
		WHERE district_id = $1 AND program_id = $2 AND `+where+` AND `+cond+` ORDER BY `+pagetoken.OrderBy(keys)+` LIMIT $3`,
		append(args, afterArgs...)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []T
	var lastKey, lastID string
	for rows.Next() {
		item, key, id, err := scan(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, item)
		if len(out) <= p.Size {
			lastKey, lastID = key, id
		}
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > p.Size {
		out = out[:p.Size]
		next = pagetoken.Encode(binding, []string{lastKey, lastID})
	}
	return out, next, nil
}

// sortKey is the order records list in, as text that sorts the same way:
// entries and questions by their position, the others in the order they
// were created.
func sortKey(table string) string {
	switch table {
	case "entries", "questions":
		return "lpad(position::text, 10, '0')"
	case "ballots":
		return "to_char(cast_time AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')"
	case "responses":
		return "to_char(submit_time AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')"
	}
	return "to_char(create_time AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')"
}

// getter reads one record of a program in q.
type getter[T any] func(ctx context.Context, q pgdb.Querier, district, program, id string) (T, error)

// create adds a record of a program in one transaction with its request id
// and audit event: insert writes it, given the program, held against
// change meanwhile.
func create[T any](ctx context.Context, s *Store, key idempotency.Key, table, district, program, id string,
	get getter[T], insert func(tx pgx.Tx, p participation.Program) error) (T, error) {
	name := child(district, program, table, id)
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (T, error) {
		var created T
		p, err := lockProgram(ctx, tx, district, program)
		if err != nil {
			return created, err
		}
		if err := insert(tx, p); err != nil {
			return created, conflict(err, name)
		}
		if created, err = get(ctx, tx, district, program, id); err != nil {
			return created, err
		}
		return created, s.record(ctx, tx, audit.Create, name, district, program, nil, created)
	})
}

// update changes a record of a program in one transaction: it holds the
// program, locks the record and refuses a stale etag, applies change to
// what is stored, and has write check and write the result; the change is
// recorded in the same transaction.
func update[T any](ctx context.Context, s *Store, table, district, program, id, tag string,
	get getter[T], change func(*T) error, write func(tx pgx.Tx, next T) error) (T, error) {
	var out T
	name := child(district, program, table, id)
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lockProgram(ctx, tx, district, program); err != nil {
			return err
		}
		if err := lockRecord(ctx, tx, table, district, program, id, name, tag); err != nil {
			return err
		}
		before, err := get(ctx, tx, district, program, id)
		if err != nil {
			return err
		}
		next := before
		if err := change(&next); err != nil {
			return err
		}
		if err := write(tx, next); err != nil {
			return err
		}
		if out, err = get(ctx, tx, district, program, id); err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Update, name, district, program, before, out)
	})
	return out, err
}

// DeleteRecord removes a member, submission, entry or question, refusing a
// stale etag; an entry with ballots or a question with answers stays.
func (s *Store) DeleteRecord(ctx context.Context, table, district, program, id, tag string) error {
	name := child(district, program, table, id)
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lockProgram(ctx, tx, district, program); err != nil {
			return err
		}
		if err := lockRecord(ctx, tx, table, district, program, id, name, tag); err != nil {
			return err
		}
		before, err := getAny(ctx, tx, table, district, program, id)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM `+table+` WHERE district_id = $1 AND program_id = $2 AND id = $3`, district, program, id)
		if pgdb.IsCode(err, pgdb.ForeignKeyViolation) {
			return apierr.FailedPrecondition("%s has ballots or answers and cannot be removed", name)
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Delete, name, district, program, before, nil)
	})
}

// getAny reads a record of table as the value its getter returns.
func getAny(ctx context.Context, q pgdb.Querier, table, district, program, id string) (any, error) {
	switch table {
	case "members":
		return getMember(ctx, q, district, program, id)
	case "submissions":
		return getSubmission(ctx, q, district, program, id)
	case "entries":
		return getEntry(ctx, q, district, program, id)
	case "questions":
		return getQuestion(ctx, q, district, program, id)
	}
	return nil, apierr.NotFound("record", child(district, program, table, id))
}
