package pagetoken_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestTokensAreBoundToTheirRequest(t *testing.T) {
	b := pagetoken.Bind("pledges", "gwangsan", "term = 7")
	tok := pagetoken.Encode(b, []string{"구정혁신", "abc"})
	got, err := pagetoken.Decode(tok, b, 2)
	if err != nil || !slices.Equal(got, []string{"구정혁신", "abc"}) {
		t.Fatalf("Decode = %v, %v", got, err)
	}
	if _, err := pagetoken.Decode(tok, pagetoken.Bind("pledges", "gwangsan", "term = 8"), 2); err == nil {
		t.Error("a token was accepted for a request with another filter")
	}
	if _, err := pagetoken.Decode(tok, b, 3); err == nil {
		t.Error("a token was accepted for another sort order")
	}
	for _, bad := range []string{"x", "!!!", "e30"} {
		if _, err := pagetoken.Decode(bad, b, 2); err == nil {
			t.Errorf("Decode(%q) accepted a token it never issued", bad)
		}
	}
	// Binding separates its arguments: ("ab", "c") is not ("a", "bc").
	if pagetoken.Bind("ab", "c") == pagetoken.Bind("a", "bc") {
		t.Error("different arguments share a binding")
	}
}

func TestSizeDefaultsAndCaps(t *testing.T) {
	for req, want := range map[int32]int{0: 50, 1: 1, 500: 500, 501: 500, 100000: 500} {
		if got, err := pagetoken.Size(req); err != nil || got != want {
			t.Errorf("Size(%d) = %d, %v; want %d", req, got, err, want)
		}
	}
	if _, err := pagetoken.Size(-1); err == nil {
		t.Error("a negative size was accepted")
	}
}

// TestKeysetPagesVisitEveryRowOnceInOrder pages through rows on a real
// PostgreSQL with every mix of directions and many ties, and checks the
// pages concatenate to the full ordered listing.
func TestKeysetPagesVisitEveryRowOnceInOrder(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	if _, err := pool.Exec(ctx, `CREATE TABLE items (id text PRIMARY KEY, grp integer NOT NULL, title text NOT NULL, at timestamptz NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		_, err := pool.Exec(ctx, `INSERT INTO items VALUES ($1, $2, $3, '2026-01-01'::timestamptz + $4 * interval '1 microsecond')`,
			fmt.Sprintf("id-%03d", i), r.IntN(4), []string{"가", "나", "다"}[r.IntN(3)], r.IntN(5))
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, dirs := range [][3]bool{{false, false, false}, {true, false, true}, {false, true, false}, {true, true, true}} {
		keys := []pagetoken.Key{
			{Expr: "grp", Type: "integer", Desc: dirs[0]},
			{Expr: "title", Type: "text", Desc: dirs[1]},
			{Expr: "at", Type: "timestamptz", Desc: dirs[2]},
			{Expr: "id", Type: "text"},
		}
		all := ids(t, pool, "SELECT id FROM items ORDER BY "+pagetoken.OrderBy(keys))
		var paged []string
		var after []string
		for range 100 {
			cond, args := pagetoken.After(keys, after, 1)
			rows, err := pool.Query(ctx, `SELECT id, grp::text, title, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM items WHERE `+cond+
				` ORDER BY `+pagetoken.OrderBy(keys)+` LIMIT 7`, args...)
			if err != nil {
				t.Fatal(err)
			}
			page, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([]string, error) {
				var id, grp, title, at string
				err := row.Scan(&id, &grp, &title, &at)
				return []string{grp, title, at, id}, err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, p := range page {
				paged = append(paged, p[3])
			}
			after = page[len(page)-1]
		}
		if !slices.Equal(paged, all) {
			t.Errorf("directions %v: pages gave %d rows in another order than the %d of one listing", dirs, len(paged), len(all))
		}
	}
}

func ids(t *testing.T, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string) []string {
	rows, err := q.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}
