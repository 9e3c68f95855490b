package summary_test

import (
	"context"
	"testing"

	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// group is a row of the test summaries: a group's key and its sum.
type group struct {
	Key string
	Sum int
}

func (g *group) dimensions() []any { return []any{&g.Key} }
func (g *group) values() []any     { return []any{&g.Sum} }

// numbers sums the numbers 1 to 10 grouped by their remainder by 4, in
// two statements.
var numbers = summary.Sums[group]{
	Select:     "sum(n)::int",
	Values:     (*group).values,
	From:       " FROM generate_series(1, 10) n WHERE n > $1",
	Args:       []any{0},
	Dimensions: (*group).dimensions,
}

// byRemainder groups numbers by their remainder by 4.
var byRemainder = summary.Grouping{Select: "(n % 4)::text", Clause: " GROUP BY n % 4 ORDER BY n % 4"}

// everyPage reads every page of a summary as a report client pages
// through one, and the total of each page (they should agree), and how
// many pages it took.
func everyPage(t *testing.T, q summary.Query, read func(summary.Cursor) ([]group, group, string, error)) ([]group, group, int) {
	t.Helper()
	var all, totals []group
	for q.Token = ""; ; {
		rows, total, next, err := read(mustStart(t, q))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > q.Size {
			t.Errorf("a page of %d rows, more than %d", len(rows), q.Size)
		}
		all, totals = append(all, rows...), append(totals, total)
		if q.Token = next; next == "" {
			break
		}
	}
	for i, total := range totals {
		if total != totals[0] {
			t.Errorf("page %d's total %+v, the first page's %+v", i, total, totals[0])
		}
	}
	return all, totals[0], len(totals)
}

// 1..10 by remainder by 4: 0 → 4+8, 1 → 1+5+9, 2 → 2+6+10, 3 → 3+7.
var wantGroups = []group{{"0", 12}, {"1", 15}, {"2", 18}, {"3", 10}}

func TestSumsReadTheTotalAndEveryGroupPageByPage(t *testing.T) {
	pool := pgtest.NewPool(t)
	q := summary.Query{Size: 3}
	rows, total, pages := everyPage(t, q, func(c summary.Cursor) ([]group, group, string, error) {
		return numbers.Read(context.Background(), pool, summary.Prepared{Grouping: byRemainder, Cursor: c})
	})
	if diff := cmp.Diff(wantGroups, rows); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if total != (group{Sum: 55}) || pages != 2 {
		t.Errorf("total %+v in %d pages, want a sum of 55 in 2", total, pages)
	}
	// Nothing grouped: one group, the total.
	rows, _, next, err := numbers.Read(context.Background(), pool, summary.Prepared{Grouping: summary.Grouping{Select: "''"}, Cursor: mustStart(t, q)})
	if err != nil || next != "" || !cmp.Equal(rows, []group{{"", 55}}) {
		t.Errorf("ungrouped = %+v, %q, %v; want one group of 55 and no next page", rows, next, err)
	}
}

// flaggedSQL answers numbers' summary in one statement, as the budget and
// indicator services do: the total flagged, the groups numbered and those
// on the page flagged listed.
const flaggedSQL = `SELECT total, listed AND n > $1 AND n <= $2, key, sum FROM (
		SELECT true, false, 0, '', sum(n)::int FROM generate_series(1, 10) n
		UNION ALL
		SELECT false, true, row_number() OVER (ORDER BY n % 4), (n % 4)::text, sum(n)::int
		FROM generate_series(1, 10) n GROUP BY n % 4
	) s(total, listed, n, key, sum)
	WHERE total OR (listed AND n > $1 AND n <= $2) ORDER BY n`

func TestFlaggedReadsTheTotalAndEveryGroupPageByPage(t *testing.T) {
	pool := pgtest.NewPool(t)
	for _, size := range []int{1, 3, 4, 10} {
		rows, total, _ := everyPage(t, summary.Query{Size: size}, func(c summary.Cursor) ([]group, group, string, error) {
			return readFlagged(pool, c)
		})
		if diff := cmp.Diff(wantGroups, rows); diff != "" {
			t.Errorf("size %d: groups (-want +got):\n%s", size, diff)
		}
		if total != (group{Sum: 55}) {
			t.Errorf("size %d: total %+v, want a sum of 55", size, total)
		}
	}
}

func readFlagged(pool *pgxpool.Pool, c summary.Cursor) ([]group, group, string, error) {
	return summary.Flagged(context.Background(), pool, c, flaggedSQL, []any{c.Offset, c.Offset + c.Limit()},
		func(g *group) []any { return []any{&g.Key, &g.Sum} })
}

func TestAPageTokenServesItsOwnQueryAlone(t *testing.T) {
	pool := pgtest.NewPool(t)
	q := summary.Query{District: "gwangsan", GroupBy: []string{"remainder"}, Filter: "n > 0", Size: 2}
	_, _, next, err := readFlagged(pool, mustStart(t, q))
	if err != nil || next == "" {
		t.Fatalf("first page: next %q, %v; want a next page", next, err)
	}
	same := q
	same.Token = next
	if c, err := same.Start("numbers:summarize"); err != nil || c.Offset != 2 {
		t.Errorf("the next page starts at %d (%v), want 2", c.Offset, err)
	}
	for name, other := range map[string]summary.Query{
		"district": {District: "buk", GroupBy: q.GroupBy, Filter: q.Filter, Size: 2, Token: next},
		"group_by": {District: q.District, GroupBy: []string{"other"}, Filter: q.Filter, Size: 2, Token: next},
		"filter":   {District: q.District, GroupBy: q.GroupBy, Filter: "n > 1", Size: 2, Token: next},
	} {
		if _, err := other.Start("numbers:summarize"); err == nil {
			t.Errorf("a token was taken for another %s", name)
		}
	}
	if _, err := same.Start("letters:summarize"); err == nil {
		t.Error("a token was taken by another summary")
	}
	if _, err := (summary.Query{Token: "garbage"}).Start("numbers:summarize"); err == nil {
		t.Error("a token that is none was taken")
	}
}

func mustStart(t *testing.T, q summary.Query) summary.Cursor {
	t.Helper()
	c, err := q.Start("numbers:summarize")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
