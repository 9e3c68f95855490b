package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/scalegen"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// loadScale writes the pledges of scalegen's first districts (their
// titles, codes and final goals, which search reads) straight into the
// tables, for searches over as many pledges as a deployment holds. It
// returns how many pledges it wrote.
func loadScale(tb testing.TB, pool *pgxpool.Pool, districts, pledges int) int {
	tb.Helper()
	plan, err := scalegen.New(scalegen.Config{Seed: 13, Districts: districts, Pledges: pledges, Today: scalegen.Day(2025, 11, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	var ids, names, pledgeDistricts, pledgeIDs, codes, titles, goals []string
	var terms []int32
	var deleted []bool
	for i := range plan.Districts() {
		d := plan.District(i)
		ids, names = append(ids, d.ID), append(names, d.District.GetDisplayName())
		for _, p := range d.Pledges {
			pledgeDistricts, pledgeIDs = append(pledgeDistricts, d.ID), append(pledgeIDs, p.ID)
			codes, titles, goals = append(codes, p.Pledge.GetCode()), append(titles, p.Pledge.GetTitle()), append(goals, p.Pledge.GetFinalGoal())
			terms, deleted = append(terms, p.Pledge.GetTerm()), append(deleted, p.Deleted)
		}
	}
	exec(tb, pool, `INSERT INTO districts (id, display_name, kind, current_term)
		SELECT id, name, 1, 8 FROM unnest($1::text[], $2::text[]) AS d(id, name)`, ids, names)
	exec(tb, pool, `INSERT INTO terms (district_id, number, display_name, start_date, end_date, public)
		SELECT id, n, '민선 ' || n || '기', make_date(2018 + (n - 7) * 4, 7, 1), make_date(2022 + (n - 7) * 4, 6, 30), n = 8
		FROM unnest($1::text[]) id, (VALUES (7), (8)) t(n)`, ids)
	// Created a minute apart, as a district enters its pledges one by one.
	exec(tb, pool, `INSERT INTO pledges (district_id, id, term, code, title, final_goal, status, create_time, delete_time)
		SELECT d, id, term, code, title, goal, 1, timestamptz '2022-08-01' + n * interval '1 minute',
			CASE WHEN gone THEN timestamptz '2023-01-01' END
		FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bool[])
			WITH ORDINALITY AS p(d, id, term, code, title, goal, gone, n)`,
		pledgeDistricts, pledgeIDs, terms, codes, titles, goals, deleted)
	exec(tb, pool, `ANALYZE`)
	return len(pledgeIDs)
}

// indexOnly returns a pool on the same database as pool whose sessions
// read no table whole where an index can serve: a search then goes
// through the grams' index even over a table this small.
func indexOnly(t *testing.T, pool *pgxpool.Pool) *pgxpool.Pool {
	t.Helper()
	cfg := pool.Config().Copy()
	cfg.ConnConfig.RuntimeParams["enable_seqscan"] = "off"
	forced, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(forced.Close)
	return forced
}

// TestSearchFindsWhatILIKEFinds searches, through the index, for words of
// one, two and more characters, Korean and Latin, in either case and with
// the characters LIKE treats specially, and finds exactly the pledges the
// search always found: those whose title, code or final goal holds the
// word ignoring case (ILIKE '%word%' with % and _ taken as themselves) or
// that are similar to it by word, read with no index at all.
func TestSearchFindsWhatILIKEFinds(t *testing.T) {
	pool := pgtest.NewPool(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	loadScale(t, pool, 3, 60)
	exec(t, pool, `INSERT INTO districts (id, display_name, kind, current_term) VALUES ('x', '엑스구', 1, 8)`)
	exec(t, pool, `INSERT INTO terms (district_id, number, display_name, start_date, end_date) VALUES ('x', 8, '민선 8기', '2022-07-01', '2026-06-30')`)
	exec(t, pool, `INSERT INTO pledges (district_id, id, term, code, title, final_goal, status) VALUES
		('x', 'wifi', 8, 'IT-1', 'Wi-Fi 공공와이파이 SMART 도시', '버스정류장 100% 설치', 1),
		('x', 'snake', 8, 'a_b', '숲 가꾸기', 'a\b 경로와 50% 절감', 1),
		('x', 'upper', 8, '', 'ÉCOLE 돌봄 Straße', '', 1),
		('x', 'percent', 8, '', '만족도 100%', '', 1),
		('x', 'ab', 8, '', 'aXb', 'a%b', 1)`)
	exec(t, pool, `ANALYZE`)
	store := postgres.New(indexOnly(t, pool), nil)
	ctx := context.Background()
	for _, word := range []string{
		"돌", "숲", "돌봄", "센터", "돌봄센터", "공영주차장 조성", "주민 삶의 질", "없는말",
		"w", "W", "wi", "WI-FI", "smart", "soc", "école", "STRASSE", "straße", "it-1",
		"%", "_", "100%", "50%", "a_b", "a%b", `\`, `a\b`, "1-", " 돌봄 ",
	} {
		var got []string
		token := ""
		total := -1
		for {
			page, err := store.ListPledges(ctx, postgres.PledgeQuery{District: auth.AllDistricts, Size: 37, Token: token, Query: word, ShowDeleted: true})
			if err != nil {
				t.Fatalf("search %q: %v", word, err)
			}
			for _, p := range page.Pledges {
				got = append(got, p.Pledge.DistrictID+"/"+p.Pledge.ID)
			}
			total = page.Total
			if token = page.NextToken; token == "" {
				break
			}
		}
		want := plainSearch(t, pool, strings.TrimSpace(word))
		slices.Sort(got)
		if !slices.Equal(got, want) || total != len(want) {
			t.Errorf("search %q found %d pledges (total %d), plain ILIKE finds %d\n got %v\nwant %v", word, len(got), total, len(want), got, want)
		}
	}
}

// plainSearch is the search as it was before any index of grams, read
// without an index: ILIKE with the word's LIKE characters escaped, or
// word similarity.
func plainSearch(t *testing.T, pool *pgxpool.Pool, word string) []string {
	t.Helper()
	var found []string
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), `SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off`); err != nil {
			return err
		}
		escaped := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(word)
		rows, err := tx.Query(context.Background(), `SELECT district_id || '/' || id FROM pledges
			WHERE search_text ILIKE $1 OR $2 <% search_text ORDER BY 1`, "%"+escaped+"%", word)
		if err != nil {
			return err
		}
		found, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// BenchmarkListPledgesByKoreanWord lists, as make bench does, every
// district's pledges of 민선 8기 that a word finds, a page of 50 by
// relevance with the total, over 20 districts of 150 pledges made by
// scalegen: words of one, two and five Korean characters.
func BenchmarkListPledgesByKoreanWord(b *testing.B) {
	pool := pgtest.NewPool(b, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	loadScale(b, pool, 20, 150)
	store := postgres.New(pool, nil)
	for _, word := range []string{"돌", "돌봄", "공영주차장"} {
		b.Run(word, func(b *testing.B) {
			ctx := context.Background()
			q := postgres.PledgeQuery{District: auth.AllDistricts, Size: 50, Filter: "term = 8", Query: word}
			for b.Loop() {
				page, err := store.ListPledges(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				if page.Total == 0 {
					b.Fatalf("%q found nothing", word)
				}
			}
		})
	}
}
