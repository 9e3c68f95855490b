package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/gongyak/gongyak/services/budget/internal/budget"
)

// SummaryQuery is what SummarizeBudgets sums.
type SummaryQuery struct {
	// District limits the sum to one district; "" sums every district.
	District string
	GroupBy  []string
	Filter   string
	Size     int
	Token    string
	// SourceNames are the enum names a filter on source compares against.
	SourceNames map[string]int32
}

// SummaryRow is the sum of one group's lines; the fields not grouped by
// are zero.
type SummaryRow struct {
	District    string
	Term        int
	Source      budget.Source
	Year        int
	PledgeCount int
	Amounts     budget.Amounts
	// Rates are computed by PostgreSQL from the exact sums, as percents
	// with two decimals; "" when the denominator is zero.
	SecuringRate, ExecutionRate string
}

// dimensions are what a plan summary can be grouped by, in the order its
// rows carry them.
var dimensions = []summary.Dimension{
	{Name: "district", Column: "l.district_id", Zero: "''"},
	{Name: "term", Column: "p.term", Zero: "0"},
	{Name: "source", Column: "l.source", Zero: "0::smallint"},
	{Name: "year", Column: "l.year", Zero: "0"},
}

// Summarize sums plan lines by the requested groups in one SQL statement,
// and the grand total in another; it never loops over rows to add them up.
func (s *Store) Summarize(ctx context.Context, q SummaryQuery) ([]SummaryRow, SummaryRow, string, error) {
	var v apierr.Violations
	grouping := summary.Group(q.GroupBy, dimensions, &v)
	schema := filter.Schema{
		"district": {Column: "('districts/' || l.district_id)", Kind: filter.Text},
		"term":     {Column: "p.term", Kind: filter.Int},
		"source":   {Column: "l.source", Kind: filter.Enum, Values: q.SourceNames},
		"year":     {Column: "l.year", Kind: filter.Int},
	}
	args := []any{q.District}
	cond, fargs, err := filter.SQL(q.Filter, schema, 2)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, SummaryRow{}, "", err
	}
	args = append(args, fargs...)
	binding := pagetoken.Bind("budgets:summarize", q.District, strings.Join(q.GroupBy, ","), q.Filter)
	offset, err := summary.Offset(q.Token, binding)
	if err != nil {
		return nil, SummaryRow{}, "", err
	}
	where := `($1 = '' OR l.district_id = $1) AND ` + cond
	sums := `count(DISTINCT (l.district_id, l.pledge_id)),
		sum(l.planned_won)::bigint, sum(l.secured_won)::bigint, sum(l.executed_won)::bigint,
		coalesce(round(100.0 * sum(l.secured_won) / nullif(sum(l.planned_won), 0), 2)::text, ''),
		coalesce(round(100.0 * sum(l.executed_won) / nullif(sum(l.secured_won), 0), 2)::text, '')`
	from := ` FROM lines l JOIN plans p USING (district_id, pledge_id) WHERE ` + where

	total := SummaryRow{}
	if err := s.pool.QueryRow(ctx, `SELECT `+sums+from, args...).Scan(&total.PledgeCount,
		nullInt{&total.Amounts.Planned}, nullInt{&total.Amounts.Secured}, nullInt{&total.Amounts.Executed},
		&total.SecuringRate, &total.ExecutionRate); err != nil {
		return nil, SummaryRow{}, "", err
	}

	sql := fmt.Sprintf(`SELECT %s, %s %s%s LIMIT %d OFFSET %d`, grouping.Select, sums, from, grouping.Clause, q.Size+1, offset)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, SummaryRow{}, "", err
	}
	defer rows.Close()
	var out []SummaryRow
	for rows.Next() {
		var r SummaryRow
		if err := rows.Scan(&r.District, &r.Term, &r.Source, &r.Year, &r.PledgeCount,
			nullInt{&r.Amounts.Planned}, nullInt{&r.Amounts.Secured}, nullInt{&r.Amounts.Executed},
			&r.SecuringRate, &r.ExecutionRate); err != nil {
			return nil, SummaryRow{}, "", err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, SummaryRow{}, "", err
	}
	out, next := summary.Page(out, q.Size, offset, binding)
	return out, total, next, nil
}

// nullInt scans a sum that is NULL over no rows as 0.
type nullInt struct{ p *int64 }

func (n nullInt) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.p = 0
	case int64:
		*n.p = v
	default:
		return fmt.Errorf("unexpected %T for a sum", src)
	}
	return nil
}
