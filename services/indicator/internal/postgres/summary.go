package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/pagetoken"
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

var dimensions = map[string]string{"district": "r.district_id", "term": "r.term", "year": "r.year"}

// Summarize reports achievement and overdue reporting by group, in SQL.
func (s *Store) Summarize(ctx context.Context, q SummaryQuery) ([]SummaryRow, SummaryRow, string, error) {
	var v apierr.Violations
	seen := map[string]bool{}
	var cols []string
	for i, g := range q.GroupBy {
		col, ok := dimensions[g]
		switch {
		case !ok:
			v.Add(apierr.Path("group_by", i), "%q cannot be grouped by; use district, term or year", g)
		case seen[g]:
			v.Add(apierr.Path("group_by", i), "%q is listed twice", g)
		default:
			cols = append(cols, col)
		}
		seen[g] = true
	}
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
	after, err := pagetoken.Decode(q.Token, binding, 1)
	if err != nil {
		return nil, SummaryRow{}, "", err
	}
	offset := 0
	if after != nil {
		if offset, err = strconv.Atoi(after[0]); err != nil || offset < 0 {
			return nil, SummaryRow{}, "", apierr.Invalid("page_token", "is not a page token this listing issued")
		}
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
	selectCols := []string{"''", "0", "0"}
	for i, g := range []string{"district", "term", "year"} {
		if seen[g] && dimensions[g] != "" {
			selectCols[i] = dimensions[g]
		}
	}
	group := ""
	if len(cols) > 0 {
		group = " GROUP BY " + strings.Join(cols, ", ") + " ORDER BY " + strings.Join(cols, ", ")
	}
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`SELECT %s, %s %s%s LIMIT %d OFFSET %d`,
		strings.Join(selectCols, ", "), sums, from, group, q.Size+1, offset), args...)
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
	next := ""
	if len(out) > q.Size {
		out = out[:q.Size]
		next = pagetoken.Encode(binding, []string{strconv.Itoa(offset + q.Size)})
	}
	return out, total, next, nil
}
