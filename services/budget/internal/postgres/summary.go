package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/resourcename"
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
// rows carry them, as columns of a plan's rows (planRows).
var dimensions = []summary.Dimension{
	summary.District("t.district_id"),
	summary.Term("t.term"),
	{Name: "source", Column: "t.source", Zero: "0::smallint"},
	{Name: "year", Column: "t.year", Zero: "0"},
}

// lineDimensions are the dimensions in which one plan's lines differ, in
// the order of the lines' key; district and term are the plan's own.
var lineDimensions = []string{"source", "year"}

// Summarize sums plan lines by the requested groups, with the grand total,
// in one SQL statement; it never loops over rows to add them up.
//
// A pledge counts once in a group however many of its lines fall in it,
// so the statement first sums each plan's lines (per source and year only
// where the request needs them), and the groups then count and add those
// plan rows; the lines are read once, before they meet the plans, so the
// join is of a few rows per plan, hashed, never a lookup per plan.
func (s *Store) Summarize(ctx context.Context, q SummaryQuery) ([]SummaryRow, SummaryRow, string, error) {
	sq := q.query()
	inDistrict, args := sq.InDistrict("district_id", nil)
	// summarySQL writes the grouping's SQL itself.
	p, err := sq.Prepare("budgets:summarize", dimensions, filter.Schema{
		"district": {Column: resourcename.District.SQL("x.district_id"), Kind: filter.Text},
		"term":     {Column: "p.term", Kind: filter.Int},
		"source":   {Column: "x.source", Kind: filter.Enum, Values: q.SourceNames},
		"year":     {Column: "x.year", Kind: filter.Int},
	}, len(args)+1)
	if err != nil {
		return nil, SummaryRow{}, "", err
	}
	sql := summarySQL(q.GroupBy, filteredLineDimensions(q.Filter), "lines WHERE "+inDistrict, p.Where, p.Cursor)
	return summary.Flagged(ctx, s.pool, p.Cursor, sql, append(args, p.Args...), func(r *SummaryRow) []any {
		return []any{&r.District, &r.Term, &r.Source, &r.Year, &r.PledgeCount,
			nullInt{&r.Amounts.Planned}, nullInt{&r.Amounts.Secured}, nullInt{&r.Amounts.Executed},
			&r.SecuringRate, &r.ExecutionRate}
	})
}

// query is q as every summary reads it.
func (q SummaryQuery) query() summary.Query {
	return summary.Query{District: q.District, GroupBy: q.GroupBy, Filter: q.Filter, Size: q.Size, Token: q.Token}
}

// summarySQL is the statement Summarize runs, for a group_by already
// checked, the line dimensions the filter names, the lines to read (the
// table, or one district's rows) and the filter's condition. Its rows are
// flagged as summary.Flagged reads them, the listed groups numbered in
// the order of the groups.
//
// When the groups are of whole plans (district, term), one pass over the
// plans' rows gives the groups and the total (GROUPING SETS). When they
// split plans by source or year, a pledge may fall in several groups, so
// the total counts the distinct plans among the rows the groups add up.
func summarySQL(groupBy, filterDims []string, lines, cond string, c summary.Cursor) string {
	sel, cols, lineDims := groupColumns(groupBy)
	amounts := `sum(t.planned)::bigint, sum(t.secured)::bigint, sum(t.executed)::bigint,
		coalesce(round(100.0 * sum(t.secured) / nullif(sum(t.planned), 0), 2)::text, ''),
		coalesce(round(100.0 * sum(t.executed) / nullif(sum(t.secured), 0), 2)::text, '')`
	var body string
	switch {
	case len(cols) == 0:
		body = `SELECT true, true, 1::bigint, ` + sel + `, count(*), ` + amounts + `
			FROM (` + planRows(nil, filterDims, lines, cond) + `) t`
	case len(lineDims) == 0:
		grouping := "GROUPING(" + strings.Join(cols, ", ") + ")"
		body = `SELECT ` + grouping + ` <> 0, ` + grouping + ` = 0,
				row_number() OVER (ORDER BY ` + grouping + `, ` + strings.Join(cols, ", ") + `), ` + sel + `, count(*), ` + amounts + `
			FROM (` + planRows(nil, filterDims, lines, cond) + `) t
			GROUP BY GROUPING SETS ((` + strings.Join(cols, ", ") + `), ())`
	default:
		zeros, _, _ := groupColumns(nil)
		body = `WITH t AS (` + planRows(lineDims, filterDims, lines, cond) + `)
			SELECT false, true, row_number() OVER (ORDER BY ` + strings.Join(cols, ", ") + `), ` + sel + `, count(*), ` + amounts + `
			FROM t GROUP BY ` + strings.Join(cols, ", ") + `
			UNION ALL
			SELECT true, false, 0, ` + zeros + `,
				(SELECT count(*) FROM (SELECT DISTINCT district_id, pledge_id FROM t) plans), ` + amounts + `
			FROM t`
	}
	return fmt.Sprintf(`SELECT total, listed AND n > %d AND n <= %d, district, term, source, year,
			pledges, planned, secured, executed, securing, execution
		FROM (%s) s(total, listed, n, district, term, source, year, pledges, planned, secured, executed, securing, execution)
		WHERE total OR (listed AND n > %[1]d AND n <= %[2]d)
		ORDER BY n`, c.Offset, c.Offset+c.Limit(), body)
}

// groupColumns reads a checked group_by: sel lists every dimension, its
// column where grouped by (the total's NULL read as the zero) and its zero
// where not; cols are the grouped columns in the order asked; lineDims
// are the line dimensions among them, in the order of lineDimensions.
func groupColumns(groupBy []string) (sel string, cols, lineDims []string) {
	parts := make([]string, len(dimensions))
	for i, d := range dimensions {
		parts[i] = d.Zero
		if slices.Contains(groupBy, d.Name) {
			parts[i] = "coalesce(" + d.Column + ", " + d.Zero + ")"
		}
	}
	for _, g := range groupBy {
		i := slices.IndexFunc(dimensions, func(d summary.Dimension) bool { return d.Name == g })
		cols = append(cols, dimensions[i].Column)
	}
	for _, d := range lineDimensions {
		if slices.Contains(groupBy, d) {
			lineDims = append(lineDims, d)
		}
	}
	return strings.Join(parts, ", "), cols, lineDims
}

// planRows is a query of the sums of each plan's lines that match the
// filter, one row per plan and value of keep (line dimensions, in the
// order of lineDimensions), with the plan's district_id, pledge_id and
// term. The lines are summed per plan before they are joined to the
// plans, by the dimensions kept and those the filter names, so the
// filter (cond) reads every column it names; when it names one not kept,
// the matching rows are added up again per plan and kept dimension.
func planRows(keep, filterDims []string, lines, cond string) string {
	var byLine []string
	for _, d := range lineDimensions {
		if slices.Contains(keep, d) || slices.Contains(filterDims, d) {
			byLine = append(byLine, d)
		}
	}
	lineCols := prefixed("", byLine)
	joined := `SELECT x.district_id, x.pledge_id, p.term` + prefixed("x.", byLine) + `, x.planned, x.secured, x.executed
		FROM (SELECT district_id, pledge_id` + lineCols + `,
				sum_bigint(planned_won) AS planned, sum_bigint(secured_won) AS secured, sum_bigint(executed_won) AS executed
			FROM ` + lines + `
			GROUP BY district_id, pledge_id` + lineCols + `) x
		JOIN plans p ON p.district_id = x.district_id AND p.pledge_id = x.pledge_id
		WHERE ` + cond
	if len(byLine) == len(keep) {
		return joined
	}
	keepCols := prefixed("", keep)
	return `SELECT district_id, pledge_id, term` + keepCols + `,
			sum_bigint(planned) AS planned, sum_bigint(secured) AS secured, sum_bigint(executed) AS executed
		FROM (` + joined + `) m
		GROUP BY district_id, pledge_id, term` + keepCols
}

// prefixed lists cols, each after ", " and prefix.
func prefixed(prefix string, cols []string) string {
	s := ""
	for _, c := range cols {
		s += ", " + prefix + c
	}
	return s
}

// filteredLineDimensions are the line dimensions a filter compares; an
// unreadable filter names none (filter.SQL reports it).
func filteredLineDimensions(f string) []string {
	e, err := filter.Parse(f)
	if err != nil {
		return nil
	}
	var named []string
	var walk func(filter.Expr)
	walk = func(e filter.Expr) {
		switch e := e.(type) {
		case filter.And:
			walk(e.Left)
			walk(e.Right)
		case filter.Or:
			walk(e.Left)
			walk(e.Right)
		case filter.Not:
			walk(e.X)
		case filter.Compare:
			if slices.Contains(lineDimensions, e.Field) && !slices.Contains(named, e.Field) {
				named = append(named, e.Field)
			}
		}
	}
	walk(e)
	return named
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
