package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/pkg/summary"
)

func sortParts(parts []IndicatorAchievement, results map[string]indicatorResult) {
	slices.SortFunc(parts, func(a, b IndicatorAchievement) int {
		if d := results[a.ID].Position - results[b.ID].Position; d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// SummaryQuery is what SummarizeIndicators reports on.
type SummaryQuery struct {
	District    string // "" for every district
	GroupBy     []string
	Filter      string
	Size        int
	Token       string
	CurrentYear int
}

// SummaryRow is one group's entries.
type SummaryRow struct {
	District                    string
	Term, Year                  int
	Measured, NoData, NotYetDue int
	MeanAchievement             string
	OverdueIndicators           int
}

// dimensions are what an achievement summary can be grouped by, in the
// order its rows carry them.
var dimensions = []summary.Dimension{
	summary.District("r.district_id"),
	summary.Term("r.term"),
	{Name: "year", Column: "r.year", Zero: "0"},
}

// Summarize reports achievement and overdue reporting by group, with the
// total, in one SQL statement.
//
// The entries' counts and mean achievement are sums over entries, taken
// by group and in total in one pass (GROUPING SETS). Overdue reporting
// counts indicators, once however many of their past years lack an
// actual, so it is taken apart: the overdue entries are reduced to one row
// per indicator and group first, and those rows counted.
func (s *Store) Summarize(ctx context.Context, q SummaryQuery) ([]SummaryRow, SummaryRow, string, error) {
	sq := q.query()
	inDistrict, args := sq.InDistrict("r.district_id", []any{q.CurrentYear}) // $1 is the current year
	// summarySQL writes the grouping's SQL itself.
	p, err := sq.Prepare("indicators:summarize", dimensions, filter.Schema{
		"district": {Column: resourcename.District.SQL("r.district_id"), Kind: filter.Text},
		"term":     {Column: "r.term", Kind: filter.Int},
		"year":     {Column: "r.year", Kind: filter.Int},
	}, len(args)+1)
	if err != nil {
		return nil, SummaryRow{}, "", err
	}
	sql := summarySQL(q.GroupBy, inDistrict+" AND "+p.Where, p.Cursor)
	return summary.Flagged(ctx, s.pool, p.Cursor, sql, append(args, p.Args...), func(r *SummaryRow) []any {
		return []any{&r.District, &r.Term, &r.Year, &r.Measured, &r.NoData, &r.NotYetDue, &r.MeanAchievement, &r.OverdueIndicators}
	})
}

// query is q as every summary reads it.
func (q SummaryQuery) query() summary.Query {
	return summary.Query{District: q.District, GroupBy: q.GroupBy, Filter: q.Filter, Size: q.Size, Token: q.Token}
}

// summarySQL is the statement Summarize runs, for a group_by already
// checked and the entries' condition (filter and district), with the
// current year as $1. Its rows are flagged as summary.Flagged reads them,
// the listed groups in the order of the groups.
func summarySQL(groupBy []string, where string, c summary.Cursor) string {
	sel, cols := groupColumns(groupBy)
	// The groups and the total; with nothing grouped, the total alone.
	sets, total := "", "true"
	if len(cols) > 0 {
		sets = " GROUP BY GROUPING SETS ((" + strings.Join(cols, ", ") + "), ())"
		total = "GROUPING(" + strings.Join(cols, ", ") + ") <> 0"
	}
	// One row per overdue indicator and group. A year grouped by parts an
	// indicator's rows, so the total then counts its indicators apart.
	byIndicator := "r.district_id, r.pledge_id, r.indicator_id, r.term"
	overdueTotal := "count(*)"
	if slices.Contains(groupBy, "year") {
		byIndicator += ", r.year"
		overdueTotal = "(SELECT count(*) FROM (SELECT DISTINCT district_id, pledge_id, indicator_id FROM overdue) i)"
	}
	order := "false"
	if len(cols) > 0 {
		order = strings.Join(prefixed("e.", groupBy), ", ")
	}
	return strings.NewReplacer(
		"{total}", total, "{dimensions}", sel, "{where}", where, "{sets}", sets,
		"{by_indicator}", byIndicator, "{overdue_total}", overdueTotal, "{order}", order,
		"{nothing_grouped}", fmt.Sprint(len(cols) == 0), "{after}", fmt.Sprint(c.Offset), "{last}", fmt.Sprint(c.Offset+c.Limit()),
	).Replace(`WITH entry_sums AS (
			SELECT {total} AS total, {dimensions},
				count(*) FILTER (WHERE r.state = 1) AS measured, count(*) FILTER (WHERE r.state = 2) AS no_data,
				count(*) FILTER (WHERE r.state = 3) AS not_yet_due,
				coalesce(round(avg(r.achievement) FILTER (WHERE r.state = 1), 2)::text, '') AS mean
			FROM entry_results($1) r WHERE {where}{sets}
		), overdue AS (
			SELECT DISTINCT {by_indicator} FROM entry_results($1) r WHERE r.year < $1 AND r.missing_actual AND {where}
		), overdue_groups AS (
			SELECT {total} AS total, {dimensions}, CASE WHEN {total} THEN {overdue_total} ELSE count(*) END AS indicators
			FROM overdue r{sets}
		)
		SELECT total, listed AND n > {after} AND n <= {last}, district, term, year,
			measured, no_data, not_yet_due, mean, overdue
		FROM (
			SELECT e.total, NOT e.total OR {nothing_grouped}, e.district, e.term, e.year,
				e.measured, e.no_data, e.not_yet_due, e.mean, coalesce(o.indicators, 0),
				row_number() OVER (ORDER BY e.total, {order})
			FROM entry_sums e LEFT JOIN overdue_groups o
				ON o.total = e.total AND o.district = e.district AND o.term = e.term AND o.year = e.year
		) s(total, listed, district, term, year, measured, no_data, not_yet_due, mean, overdue, n)
		WHERE total OR (listed AND n > {after} AND n <= {last})
		ORDER BY n`)
}

// groupColumns reads a checked group_by: sel lists every dimension as
// district, term and year, its column where grouped by (the total's NULL
// read as the zero) and its zero where not; cols are the grouped columns
// in the order asked.
func groupColumns(groupBy []string) (sel string, cols []string) {
	parts := make([]string, len(dimensions))
	for i, d := range dimensions {
		parts[i] = d.Zero + " AS " + d.Name
		if slices.Contains(groupBy, d.Name) {
			parts[i] = "coalesce(" + d.Column + ", " + d.Zero + ") AS " + d.Name
		}
	}
	for _, g := range groupBy {
		i := slices.IndexFunc(dimensions, func(d summary.Dimension) bool { return d.Name == g })
		cols = append(cols, dimensions[i].Column)
	}
	return strings.Join(parts, ", "), cols
}

// prefixed puts prefix before each of names.
func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}
