package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/pagetoken"
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
	{Name: "district", Column: "r.district_id", Zero: "''"},
	{Name: "term", Column: "r.term", Zero: "0"},
	{Name: "year", Column: "r.year", Zero: "0"},
}

// Summarize reports achievement and overdue reporting by group, in SQL.
func (s *Store) Summarize(ctx context.Context, q SummaryQuery) ([]SummaryRow, SummaryRow, string, error) {
	var v apierr.Violations
	grouping := summary.Group(q.GroupBy, dimensions, &v)
	cond, fargs, err := filter.SQL(q.Filter, filter.Schema{
		"district": {Column: "('districts/' || r.district_id)", Kind: filter.Text},
		"term":     {Column: "r.term", Kind: filter.Int},
		"year":     {Column: "r.year", Kind: filter.Int},
	}, 3)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, SummaryRow{}, "", err
	}
	binding := pagetoken.Bind("indicators:summarize", q.District, strings.Join(q.GroupBy, ","), q.Filter)
	offset, err := summary.Offset(q.Token, binding)
	if err != nil {
		return nil, SummaryRow{}, "", err
	}
	args := append([]any{q.CurrentYear, q.District}, fargs...)
	sums := `count(*) FILTER (WHERE r.state = 1), count(*) FILTER (WHERE r.state = 2), count(*) FILTER (WHERE r.state = 3),
		coalesce(round(avg(r.achievement) FILTER (WHERE r.state = 1), 2)::text, ''),
		count(DISTINCT (r.district_id, r.pledge_id, r.indicator_id)) FILTER (WHERE r.year < $1 AND r.missing_actual)`
	from := ` FROM entry_results($1) r WHERE ($2 = '' OR r.district_id = $2) AND ` + cond
	var total SummaryRow
	if err := s.pool.QueryRow(ctx, `SELECT `+sums+from, args...).Scan(&total.Measured, &total.NoData, &total.NotYetDue,
		&total.MeanAchievement, &total.OverdueIndicators); err != nil {
		return nil, SummaryRow{}, "", err
	}
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`SELECT %s, %s %s%s LIMIT %d OFFSET %d`,
		grouping.Select, sums, from, grouping.Clause, q.Size+1, offset), args...)
	if err != nil {
		return nil, SummaryRow{}, "", err
	}
	defer rows.Close()
	var out []SummaryRow
	for rows.Next() {
		var r SummaryRow
		if err := rows.Scan(&r.District, &r.Term, &r.Year, &r.Measured, &r.NoData, &r.NotYetDue, &r.MeanAchievement, &r.OverdueIndicators); err != nil {
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
