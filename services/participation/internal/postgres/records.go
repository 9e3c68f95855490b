package postgres

import (
	"context"
	"fmt"
	"strings"

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

// recordPtr is a pointer to a record of a program of any kind: the store
// reads a new record's id through it.
type recordPtr[T any] interface {
	*T
	Base() *participation.Record
}

// kind is one kind of a program's records as the store keeps them: its
// table, the noun its messages call one by, the columns a read takes and
// how a row of them reads, what a list of them filters on, and how one
// is written.
type kind[T any] struct {
	table, noun string
	// columns are what scan reads, ending in sort_key; scan returns the
	// record, its sort key and its id.
	columns string
	scan    func(pgx.Row) (T, string, string, error)
	filter  filter.Schema
	// insert writes a new record (by its copied columns when nil), write
	// an update of one at id.
	insert func(ctx context.Context, tx pgx.Tx, district, program string, v T) error
	write  func(ctx context.Context, tx pgx.Tx, district, program, id string, v T) error
	// position, when set, is where a record stands in its program's
	// list: a record written at position 0 goes last.
	position func(v *T) *int
	// frozen, when set, refuses to change a record that may no longer
	// change (a question with answers); it runs before the change does.
	frozen func(ctx context.Context, tx pgx.Tx, district, program, id string) error
	// copied are the columns a batch of them writes after district_id
	// and program_id, and row a record's values of them; nil for a kind
	// without batches.
	copied []string
	row    func(v T) []any
}

// Records keeps one kind of a program's records (members, submissions,
// entries or questions). Every write runs in one transaction that holds
// the program against change and records the audit event; an update
// locks the record, refuses a stale etag, applies the caller's change
// and writes the result, all in that transaction. What is written is
// checked by the caller: the store only keeps it.
type Records[T any, PT recordPtr[T]] struct {
	store *Store
	kind  kind[T]
}

func newRecords[T any, PT recordPtr[T]](s *Store, k kind[T]) *Records[T, PT] {
	return &Records[T, PT]{store: s, kind: k}
}

// name is a record's resource name, for errors, etags and the audit log.
func (r *Records[T, PT]) name(district, program, id string) string {
	return child(district, program, r.kind.table, id)
}

func (r *Records[T, PT]) get(ctx context.Context, q pgdb.Querier, district, program, id string) (T, error) {
	v, _, _, err := r.kind.scan(q.QueryRow(ctx, `SELECT `+r.kind.columns+` FROM (SELECT *, '' AS sort_key FROM `+r.kind.table+`) t
		WHERE district_id = $1 AND program_id = $2 AND id = $3`, district, program, id))
	return v, notFound(err, r.kind.noun, r.name(district, program, id))
}

// Get returns one record.
func (r *Records[T, PT]) Get(ctx context.Context, district, program, id string) (T, error) {
	return r.get(ctx, r.store.pool, district, program, id)
}

// List lists a program's records: entries and questions by position, the
// others in the order they were added.
func (r *Records[T, PT]) List(ctx context.Context, p Page) ([]T, string, error) {
	return listFiltered(ctx, r.store.pool, p, r.kind.table, r.kind.columns, r.kind.filter, r.kind.scan)
}

// Create adds a record in one transaction with its request id and audit
// event. admit, when set, sees the program, held against change
// meanwhile, before anything is written: it may refuse the record, or
// complete it (when a submission counts as received).
func (r *Records[T, PT]) Create(ctx context.Context, district, program string, v T, key idempotency.Key,
	admit func(participation.Program, *T) error) (T, error) {
	id := PT(&v).Base().ID
	name := r.name(district, program, id)
	return idempotency.Do(ctx, r.store.pool, key, func(tx pgx.Tx) (T, error) {
		var created T
		p, err := lockProgram(ctx, tx, district, program)
		if err != nil {
			return created, err
		}
		if admit != nil {
			if err := admit(p, &v); err != nil {
				return created, err
			}
		}
		if err := r.kind.place(ctx, tx, district, program, &v); err != nil {
			return created, err
		}
		insert := r.kind.insert
		if insert == nil {
			insert = r.kind.insertCopied
		}
		if err := insert(ctx, tx, district, program, v); err != nil {
			return created, conflict(err, name)
		}
		if created, err = r.get(ctx, tx, district, program, id); err != nil {
			return created, err
		}
		return created, r.store.record(ctx, tx, audit.Create, name, district, program, nil, created)
	})
}

// Update changes a record in one transaction: it holds the program, locks
// the record and refuses a stale etag, has change edit what is stored
// (and check it: change refuses what may not be written), writes the
// result and records the change.
func (r *Records[T, PT]) Update(ctx context.Context, district, program, id, tag string, change func(*T) error) (T, error) {
	var out T
	name := r.name(district, program, id)
	err := pgdb.InTx(ctx, r.store.pool, func(tx pgx.Tx) error {
		if _, err := lockProgram(ctx, tx, district, program); err != nil {
			return err
		}
		if err := lockRecord(ctx, tx, r.kind.table, r.kind.noun, district, program, id, tag); err != nil {
			return err
		}
		if r.kind.frozen != nil {
			if err := r.kind.frozen(ctx, tx, district, program, id); err != nil {
				return err
			}
		}
		before, err := r.get(ctx, tx, district, program, id)
		if err != nil {
			return err
		}
		next := before
		if err := change(&next); err != nil {
			return err
		}
		if err := r.kind.place(ctx, tx, district, program, &next); err != nil {
			return err
		}
		if err := r.kind.write(ctx, tx, district, program, id, next); err != nil {
			return err
		}
		if out, err = r.get(ctx, tx, district, program, id); err != nil {
			return err
		}
		return r.store.record(ctx, tx, audit.Update, name, district, program, before, out)
	})
	return out, err
}

// Delete removes a record in one transaction, refusing a stale etag; an
// entry with ballots or a question with answers stays.
func (r *Records[T, PT]) Delete(ctx context.Context, district, program, id, tag string) error {
	name := r.name(district, program, id)
	return pgdb.InTx(ctx, r.store.pool, func(tx pgx.Tx) error {
		if _, err := lockProgram(ctx, tx, district, program); err != nil {
			return err
		}
		if err := lockRecord(ctx, tx, r.kind.table, r.kind.noun, district, program, id, tag); err != nil {
			return err
		}
		before, err := r.get(ctx, tx, district, program, id)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM `+r.kind.table+` WHERE district_id = $1 AND program_id = $2 AND id = $3`, district, program, id)
		if pgdb.IsCode(err, pgdb.ForeignKeyViolation) {
			return apierr.FailedPrecondition("%s has ballots or answers and cannot be removed", name)
		}
		if err != nil {
			return err
		}
		return r.store.record(ctx, tx, audit.Delete, name, district, program, before, nil)
	})
}

// insertCopied writes a new record of a kind with batches by the columns
// a batch copies.
func (k kind[T]) insertCopied(ctx context.Context, tx pgx.Tx, district, program string, v T) error {
	columns := append([]string{"district_id", "program_id"}, k.copied...)
	params := make([]string, len(columns))
	for i := range params {
		params[i] = fmt.Sprintf("$%d", i+1)
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+k.table+` (`+strings.Join(columns, ", ")+`) VALUES (`+strings.Join(params, ", ")+`)`,
		append([]any{district, program}, k.row(v)...)...)
	return err
}

// place puts a record of a kind with positions written at position 0
// last.
func (k kind[T]) place(ctx context.Context, q pgdb.Querier, district, program string, v *T) error {
	if k.position == nil || *k.position(v) != 0 {
		return nil
	}
	return q.QueryRow(ctx, `SELECT coalesce(max(position), 0) + 1 FROM `+k.table+` WHERE district_id = $1 AND program_id = $2`,
		district, program).Scan(k.position(v))
}
