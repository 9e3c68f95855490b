package summary

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Querier runs a summary's SQL: a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Flagged reads a summary that one statement answers whole: each of its
// rows begins with two flags, total (the row is the grand total) and
// listed (the row is a group on the page, one of the first Limit groups
// from the cursor's Offset), then scans into dest; a row may be both,
// when nothing is grouped. It returns the page's groups, the total and
// the next page's token.
func Flagged[T any](ctx context.Context, db Querier, c Cursor, sql string, args []any, dest func(*T) []any) ([]T, T, string, error) {
	var total T
	var isTotal, listed bool // the flags of the row scanned last
	flagged := func(r *T) []any { return append([]any{&isTotal, &listed}, dest(r)...) }
	out, err := scan(ctx, db, sql, args, flagged, func(r T) bool {
		if isTotal {
			total = r
		}
		return listed
	})
	if err != nil {
		return nil, total, "", err
	}
	out, next := cut(out, c)
	return out, total, next, nil
}

// Sums is a summary read in two statements over the same rows: the total,
// `SELECT {Select} {From}`, and the page's groups, `SELECT {the
// Grouping's Select}, {Select} {From}{the Grouping's Clause}` from the
// Cursor's Offset.
type Sums[T any] struct {
	// Select is the SQL of a group's sums; Values are where they scan in
	// a row, in its order.
	Select string
	Values func(*T) []any
	// From is the FROM and WHERE of the rows summed (with the Prepared
	// Where), with its Args.
	From string
	Args []any
	// Dimensions are where a group's dimensions scan, in the order of the
	// Grouping's Select.
	Dimensions func(*T) []any
}

// Read reads the total and the page's groups by p's Grouping from its
// Cursor, and the next page's token.
func (s Sums[T]) Read(ctx context.Context, db Querier, p Prepared) ([]T, T, string, error) {
	g, c := p.Grouping, p.Cursor
	var total T
	if err := db.QueryRow(ctx, `SELECT `+s.Select+s.From, s.Args...).Scan(s.Values(&total)...); err != nil {
		return nil, total, "", err
	}
	sql := fmt.Sprintf(`SELECT %s, %s %s%s LIMIT %d OFFSET %d`, g.Select, s.Select, s.From, g.Clause, c.Limit(), c.Offset)
	group := func(r *T) []any { return append(s.Dimensions(r), s.Values(r)...) }
	out, err := scan(ctx, db, sql, s.Args, group, func(T) bool { return true })
	if err != nil {
		return nil, total, "", err
	}
	out, next := cut(out, c)
	return out, total, next, nil
}

// scan runs sql and scans each of its rows into dest, keeping the rows
// keep takes.
func scan[T any](ctx context.Context, db Querier, sql string, args []any, dest func(*T) []any, keep func(T) bool) ([]T, error) {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var r T
		if err := rows.Scan(dest(&r)...); err != nil {
			return nil, err
		}
		if keep(r) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}
