package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/gongyak/gongyak/services/indicator/internal/postgres"
	"github.com/gongyak/gongyak/services/indicator/migrations"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// currentYear is the year the summaries are read in: the entries before it
// are past, those from it on not yet due.
const currentYear = 2024

// TestSummariesAgreeWithThePlainStatement fills the tables with indicators
// of both kinds and every direction, each with entries over six years in
// every state (measured, no data, not yet due; actuals missing in several
// past years), and reads every grouping under filters on each dimension,
// page by page: each page, and the total, must be what the plain statement
// gives, which counts overdue indicators with count(DISTINCT …) over the
// entries.
func TestSummariesAgreeWithThePlainStatement(t *testing.T) {
	pool := pgtest.NewPool(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	fillIndicators(t, pool)
	store := postgres.New(pool, nil)
	groupings := [][]string{nil, {"district"}, {"term"}, {"year"}, {"district", "year"}, {"year", "district"}, {"term", "district", "year"}}
	filters := []string{"", "term = 8", "year >= 2022", `year < 2023 OR district = "districts/a"`, "NOT term = 7 AND year != 2021", "term = 3"}
	for _, district := range []string{"", "b"} {
		for _, g := range groupings {
			for _, f := range filters {
				t.Run(fmt.Sprintf("%s/%s/%s", district, strings.Join(g, ","), f), func(t *testing.T) {
					wantRows, wantTotal := plainSummary(t, pool, district, g, f)
					gotRows, gotTotal := everyPage(t, store, postgres.SummaryQuery{District: district, GroupBy: g, Filter: f, Size: 3, CurrentYear: currentYear})
					if diff := cmp.Diff(wantRows, gotRows, cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("rows (-plain +summary):\n%s", diff)
					}
					if diff := cmp.Diff(wantTotal, gotTotal); diff != "" {
						t.Errorf("total (-plain +summary):\n%s", diff)
					}
				})
			}
		}
	}
}

// fillIndicators writes 3 districts × 8 pledges × 2 indicators, in terms 7
// and 8, quantitative (higher or lower is better, or unsaid) or
// qualitative, each with entries of random years from 2019 to 2024 whose
// targets, actuals and assessments are each there or not, the same every
// run.
func fillIndicators(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(12, 12))
	maybe := func(n int) any {
		if r.IntN(3) == 0 {
			return nil
		}
		return int64(r.IntN(n))
	}
	var indicators, entries [][]any
	for _, d := range []string{"a", "b", "c"} {
		for p := range 8 {
			pledge := fmt.Sprintf("p%d", p)
			for i := range 2 {
				id := fmt.Sprintf("i%d", i)
				kind := int16(1 + r.IntN(2))
				indicators = append(indicators, []any{d, pledge, id, 7 + p%2, i, "지표", kind, int16(r.IntN(3))})
				for year := int32(2019); year <= 2024; year++ {
					if r.IntN(4) == 0 {
						continue
					}
					text := []string{"", "", "했음"}[r.IntN(3)]
					entries = append(entries, []any{d, pledge, id, year, maybe(50), maybe(60), text, int16(r.IntN(5))})
				}
			}
		}
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"indicators"}, []string{"district_id", "pledge_id", "id", "term", "position", "title", "kind", "direction"},
		pgx.CopyFromRows(indicators)); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"entries"}, []string{"district_id", "pledge_id", "indicator_id", "year", "target_number",
		"actual_number", "actual_text", "assessment"}, pgx.CopyFromRows(entries)); err != nil {
		t.Fatal(err)
	}
}

// plainSummary is what the plain statement gives: every group, in order,
// and the total.
func plainSummary(t *testing.T, pool *pgxpool.Pool, district string, groupBy []string, f string) ([]postgres.SummaryRow, postgres.SummaryRow) {
	t.Helper()
	var v apierr.Violations
	grouping := summary.Group(groupBy, []summary.Dimension{
		{Name: "district", Column: "r.district_id", Zero: "''"},
		{Name: "term", Column: "r.term", Zero: "0"},
		{Name: "year", Column: "r.year", Zero: "0"},
	}, &v)
	cond, args, err := filter.SQL(f, filter.Schema{
		"district": {Column: "('districts/' || r.district_id)", Kind: filter.Text},
		"term":     {Column: "r.term", Kind: filter.Int},
		"year":     {Column: "r.year", Kind: filter.Int},
	}, 3)
	if err != nil || !v.Empty() {
		t.Fatal(err, v.Err())
	}
	sums := `count(*) FILTER (WHERE r.state = 1), count(*) FILTER (WHERE r.state = 2), count(*) FILTER (WHERE r.state = 3),
		coalesce(round(avg(r.achievement) FILTER (WHERE r.state = 1), 2)::text, ''),
		count(DISTINCT (r.district_id, r.pledge_id, r.indicator_id)) FILTER (WHERE r.year < $1 AND r.missing_actual)`
	from := ` FROM entry_results($1) r WHERE ($2 = '' OR r.district_id = $2) AND ` + cond
	args = append([]any{currentYear, district}, args...)
	read := func(sql string) []postgres.SummaryRow {
		rows, err := pool.Query(context.Background(), sql, args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
		out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (postgres.SummaryRow, error) {
			var r postgres.SummaryRow
			err := row.Scan(&r.District, &r.Term, &r.Year, &r.Measured, &r.NoData, &r.NotYetDue, &r.MeanAchievement, &r.OverdueIndicators)
			return r, err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	return read(`SELECT ` + grouping.Select + `, ` + sums + from + grouping.Clause), read(`SELECT '', 0, 0, ` + sums + from)[0]
}

// everyPage reads a summary page by page, and its total, checking that
// every page gives the same total.
func everyPage(t *testing.T, store *postgres.Store, q postgres.SummaryQuery) ([]postgres.SummaryRow, postgres.SummaryRow) {
	t.Helper()
	var all []postgres.SummaryRow
	var first postgres.SummaryRow
	for page := 0; ; page++ {
		rows, total, next, err := store.Summarize(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if page == 0 {
			first = total
		} else if total != first {
			t.Errorf("page %d's total %+v, the first page's %+v", page, total, first)
		}
		if len(rows) > q.Size {
			t.Errorf("page %d has %d rows, more than %d", page, len(rows), q.Size)
		}
		all = append(all, rows...)
		if q.Token = next; next == "" {
			return all, first
		}
	}
}
