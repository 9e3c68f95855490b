package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/gongyak/gongyak/services/budget/internal/postgres"
	"github.com/gongyak/gongyak/services/budget/migrations"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestSummariesAgreeWithThePlainStatement fills the tables with plans of
// many shapes (lines spread over sources and years, plans with no line,
// two terms, three districts) and reads every grouping under filters on
// each dimension, page by page: each page, and the total, must be what
// the plain statement gives, which counts a group's pledges with
// count(DISTINCT …) over the joined lines.
func TestSummariesAgreeWithThePlainStatement(t *testing.T) {
	pool := pgtest.NewPool(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	fillPlans(t, pool)
	store := postgres.New(pool, nil)
	groupings := [][]string{nil, {"district"}, {"term"}, {"source"}, {"year"}, {"district", "source"},
		{"source", "district"}, {"year", "term"}, {"district", "term", "source", "year"}}
	filters := []string{"", "term = 8", "year >= 2023", "source = FUNDING_SOURCE_LOCAL OR term = 7",
		`NOT year = 2022 AND district = "districts/a"`, "term = 3"}
	for _, district := range []string{"", "b"} {
		for _, g := range groupings {
			for _, f := range filters {
				t.Run(fmt.Sprintf("%s/%s/%s", district, strings.Join(g, ","), f), func(t *testing.T) {
					wantRows, wantTotal := plainSummary(t, pool, district, g, f)
					gotRows, gotTotal := everyPage(t, store, postgres.SummaryQuery{District: district, GroupBy: g, Filter: f, Size: 3,
						SourceNames: typev1.FundingSource_value})
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

// fillPlans writes 3 districts × 12 plans, in terms 7 and 8, each with
// lines of random sources, years and amounts (some none at all, some
// amounts zero), the same every run.
func fillPlans(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(12, 12))
	var plans, lines [][]any
	for _, d := range []string{"a", "b", "c"} {
		for p := range 12 {
			pledge := fmt.Sprintf("p%d", p)
			plans = append(plans, []any{d, pledge, 7 + p%2})
			for source := int16(1); source <= 4; source++ {
				for year := int32(2021); year <= 2025; year++ {
					if r.IntN(3) != 0 {
						continue
					}
					planned := int64(r.IntN(4)) * 1_000_000
					secured := int64(r.IntN(4)) * 700_000
					executed := min(secured, int64(r.IntN(4))*300_000)
					lines = append(lines, []any{d, pledge, source, year, len(lines), "", planned, secured, executed})
				}
			}
		}
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"plans"}, []string{"district_id", "pledge_id", "term"}, pgx.CopyFromRows(plans)); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"lines"}, []string{"district_id", "pledge_id", "source", "year", "position",
		"source_label", "planned_won", "secured_won", "executed_won"}, pgx.CopyFromRows(lines)); err != nil {
		t.Fatal(err)
	}
}

// plainSummary is what the plain statement gives: every group, in order,
// and the total.
func plainSummary(t *testing.T, pool *pgxpool.Pool, district string, groupBy []string, f string) ([]postgres.SummaryRow, postgres.SummaryRow) {
	t.Helper()
	var v apierr.Violations
	grouping := summary.Group(groupBy, []summary.Dimension{
		{Name: "district", Column: "l.district_id", Zero: "''"},
		{Name: "term", Column: "p.term", Zero: "0"},
		{Name: "source", Column: "l.source", Zero: "0::smallint"},
		{Name: "year", Column: "l.year", Zero: "0"},
	}, &v)
	cond, args, err := filter.SQL(f, filter.Schema{
		"district": {Column: "('districts/' || l.district_id)", Kind: filter.Text},
		"term":     {Column: "p.term", Kind: filter.Int},
		"source":   {Column: "l.source", Kind: filter.Enum, Values: typev1.FundingSource_value},
		"year":     {Column: "l.year", Kind: filter.Int},
	}, 2)
	if err != nil || !v.Empty() {
		t.Fatal(err, v.Err())
	}
	sums := `count(DISTINCT (l.district_id, l.pledge_id)), coalesce(sum(l.planned_won), 0)::bigint,
		coalesce(sum(l.secured_won), 0)::bigint, coalesce(sum(l.executed_won), 0)::bigint,
		coalesce(round(100.0 * sum(l.secured_won) / nullif(sum(l.planned_won), 0), 2)::text, ''),
		coalesce(round(100.0 * sum(l.executed_won) / nullif(sum(l.secured_won), 0), 2)::text, '')`
	from := ` FROM lines l JOIN plans p USING (district_id, pledge_id) WHERE ($1 = '' OR l.district_id = $1) AND ` + cond
	args = append([]any{district}, args...)
	read := func(sql string) []postgres.SummaryRow {
		rows, err := pool.Query(context.Background(), sql, args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
		out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (postgres.SummaryRow, error) {
			var r postgres.SummaryRow
			err := row.Scan(&r.District, &r.Term, &r.Source, &r.Year, &r.PledgeCount,
				&r.Amounts.Planned, &r.Amounts.Secured, &r.Amounts.Executed, &r.SecuringRate, &r.ExecutionRate)
			return r, err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	return read(`SELECT ` + grouping.Select + `, ` + sums + from + grouping.Clause), read(`SELECT '', 0, 0::smallint, 0, ` + sums + from)[0]
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
