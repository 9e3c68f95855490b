package postgres_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// exec runs SQL of the test's own making against the pledge schema.
func exec(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

// TestStandingsReadTheHistoryAsOfADay writes a status history straight
// into the tables, a pledge entered after the past it is then given among
// them, and reads it as of several days: each pledge stands at its last
// recorded change effective by then, and a period lists what changed in
// it.
func TestStandingsReadTheHistoryAsOfADay(t *testing.T) {
	pool := pgtest.NewPool(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	exec(t, pool, `INSERT INTO districts (id, display_name, kind, current_term) VALUES ('a', '가구', 1, 7), ('b', '나구', 1, 8)`)
	exec(t, pool, `INSERT INTO terms (district_id, number, display_name, start_date, end_date) VALUES
		('a', 7, '민선 7기', '2018-07-01', '2022-06-30'), ('a', 8, '민선 8기', '2022-07-01', '2026-06-30'),
		('b', 8, '민선 8기', '2022-07-01', '2026-06-30')`)
	exec(t, pool, `INSERT INTO pledges (district_id, id, term, title, status, completion_timing, delete_time) VALUES
		('a', 'p1', 7, '하나', 1, 1, NULL), ('a', 'p2', 7, '둘', 3, 2, NULL), ('a', 'p3', 7, '셋', 0, 0, NULL),
		('a', 'gone', 7, '삭제', 1, 1, now()), ('a', 'later', 8, '8기', 1, 1, NULL), ('b', 'q1', 8, '나하나', 6, 1, NULL)`)
	// p1: entered late (its first entry, 정상추진, dated the day it was
	// entered, 2022-01-10) and then given its past: 일부추진 from
	// 2019-05-01, 완료 from 2020-12-31 — before 2019-05-01 it has no status
	// yet. p2: created 정상추진 2018-07-01, two changes on one day (the
	// higher number is the later). p3: created without a status.
	exec(t, pool, `INSERT INTO status_changes (district_id, pledge_id, number, previous_status, status, reason, actor, effective_date) VALUES
		('a', 'p1', 1, 0, 3, 'created', 'x', '2022-01-10'),
		('a', 'p1', 2, 3, 4, 'r', 'x', '2019-05-01'),
		('a', 'p1', 3, 4, 1, 'r', 'x', '2020-12-31'),
		('a', 'p2', 1, 0, 3, 'created', 'x', '2018-07-01'),
		('a', 'p2', 2, 3, 5, 'r', 'x', '2020-03-01'),
		('a', 'p2', 3, 5, 3, 'r', 'x', '2020-03-01'),
		('a', 'p3', 1, 0, 0, 'created', 'x', '2018-07-01'),
		('a', 'gone', 1, 0, 1, 'created', 'x', '2018-07-01'),
		('a', 'later', 1, 0, 1, 'created', 'x', '2022-08-01'),
		('b', 'q1', 1, 0, 6, 'created', 'x', '2023-01-01')`)
	store := postgres.New(pool, nil)
	sevenFrom := func(start string) []postgres.ReportPeriod {
		return []postgres.ReportPeriod{{District: "a", Term: 7, Start: day(start)}}
	}
	for _, tt := range []struct {
		name    string
		periods []postgres.ReportPeriod
		asOf    string
		want    []postgres.Standing
	}{
		{"before anything took effect", sevenFrom("2018-07-01"), "2018-07-15", []postgres.Standing{
			{Status: pledge.StatusUnspecified},
			{AfterTerm: true, Status: pledge.StatusOnTrack, Changed: true, ID: "p2", Title: "둘", Previous: pledge.StatusUnspecified, Effective: day("2018-07-01")},
			{Status: pledge.StatusUnspecified},
		}},
		{"the first year", sevenFrom("2018-07-01"), "2019-06-30", []postgres.Standing{
			{Status: pledge.StatusPartial, Changed: true, ID: "p1", Title: "하나", Previous: pledge.StatusUnspecified, Effective: day("2019-05-01")},
			{AfterTerm: true, Status: pledge.StatusOnTrack, Changed: true, ID: "p2", Title: "둘", Previous: pledge.StatusUnspecified, Effective: day("2018-07-01")},
			{Status: pledge.StatusUnspecified},
		}},
		{"2020: one put on hold and back the same day", sevenFrom("2020-01-01"), "2020-06-30", []postgres.Standing{
			{Status: pledge.StatusPartial},
			{AfterTerm: true, Status: pledge.StatusOnTrack, Changed: true, ID: "p2", Title: "둘", Previous: pledge.StatusOnTrack, Effective: day("2020-03-01")},
			{Status: pledge.StatusUnspecified},
		}},
		{"the term's end", sevenFrom("2020-06-01"), "2022-06-30", []postgres.Standing{
			{Status: pledge.StatusCompleted, Changed: true, ID: "p1", Title: "하나", Previous: pledge.StatusPartial, Effective: day("2020-12-31")},
			{AfterTerm: true, Status: pledge.StatusOnTrack},
			{Status: pledge.StatusUnspecified},
		}},
		{"two districts in term 8", []postgres.ReportPeriod{{District: "a", Term: 8, Start: day("2022-07-01")}, {District: "b", Term: 8, Start: day("2023-06-01")}}, "2024-01-01", []postgres.Standing{
			{Status: pledge.StatusCompleted, Changed: true, ID: "later", Title: "8기", Previous: pledge.StatusUnspecified, Effective: day("2022-08-01")},
			{Period: 1, Status: pledge.StatusAbandoned},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := store.Standings(context.Background(), tt.periods, day(tt.asOf))
			if err != nil {
				t.Fatal(err)
			}
			// Unchanged pledges come without a name: order by what is left.
			order := func(a, b postgres.Standing) bool {
				return fmt.Sprint(a.Period, a.ID, a.Status) < fmt.Sprint(b.Period, b.ID, b.Status)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.SortSlices(order)); diff != "" {
				t.Errorf("standings as of %s (-want +got):\n%s", tt.asOf, diff)
			}
		})
	}

	// The history rewritten, as an import undone rewrites it: p1 loses
	// its 완료, p2's 보류 moves, q1 loses its history altogether.
	exec(t, pool, `DELETE FROM status_changes WHERE pledge_id = 'p1' AND number = 3`)
	exec(t, pool, `UPDATE status_changes SET effective_date = '2020-02-01' WHERE pledge_id = 'p2' AND number = 2`)
	exec(t, pool, `DELETE FROM status_changes WHERE pledge_id = 'q1'`)
	got, err := store.Standings(context.Background(), append(sevenFrom("2020-02-01"), postgres.ReportPeriod{District: "b", Term: 8, Start: day("2022-07-01")}), day("2022-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	want := []postgres.Standing{
		{Status: pledge.StatusPartial},
		{AfterTerm: true, Status: pledge.StatusOnTrack, Changed: true, ID: "p2", Title: "둘", Previous: pledge.StatusOnTrack, Effective: day("2020-03-01")},
		{Status: pledge.StatusUnspecified},
		{Period: 1, Status: pledge.StatusUnspecified},
	}
	order := func(a, b postgres.Standing) bool {
		return fmt.Sprint(a.Period, a.ID, a.Status) < fmt.Sprint(b.Period, b.ID, b.Status)
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(order)); diff != "" {
		t.Errorf("standings after the history changed (-want +got):\n%s", diff)
	}
	var kept int
	if err := pool.QueryRow(context.Background(), `SELECT cardinality(history_dates) FROM pledges WHERE id = 'q1'`).Scan(&kept); err != nil || kept != 0 {
		t.Errorf("q1's history: %d changes, %v", kept, err)
	}
}

// BenchmarkStandingsAtFullScale reads every district's pledges as of a day
// at the scale, 243 districts × 150 pledges with four changes each
// and cards' worth of prose beside them, the cache warm: the pledge
// service's part of the all-district report.
func BenchmarkStandingsAtFullScale(b *testing.B) {
	pool := pgtest.NewPool(b, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	exec(b, pool, `INSERT INTO districts (id, display_name, kind, current_term)
		SELECT 'd' || i, '가람' || i || '구', 1, 8 FROM generate_series(1, 243) i`)
	exec(b, pool, `INSERT INTO terms (district_id, number, display_name, start_date, end_date)
		SELECT 'd' || i, 8, '민선 8기', '2022-07-01', '2026-06-30' FROM generate_series(1, 243) i`)
	exec(b, pool, `INSERT INTO pledges (district_id, id, term, title, status, completion_timing, progress_log)
		SELECT 'd' || i, 'p' || j, 8, '주민 참여형 생활권 도시재생 뉴딜사업 추진 ' || i || '-' || j, 1 + (i + j) % 6, 1 + (j % 7 = 0)::int,
			jsonb_build_array(jsonb_build_object('date', '2023-01', 'items', repeat('추진 내용 ', 150)))
		FROM generate_series(1, 243) i, generate_series(1, 150) j`)
	exec(b, pool, `INSERT INTO status_changes (district_id, pledge_id, number, previous_status, status, reason, actor, effective_date)
		SELECT p.district_id, p.id, n, CASE WHEN n = 1 THEN 0 ELSE 1 + (n + length(p.id)) % 6 END, 1 + (n + 1 + length(p.id)) % 6,
			'r', 'x', date '2022-07-01' + (n - 1) * 300 + length(p.id)
		FROM pledges p, generate_series(1, 4) n`)
	exec(b, pool, `VACUUM ANALYZE`)
	store := postgres.New(pool, nil)
	var periods []postgres.ReportPeriod
	for i := 1; i <= 243; i++ {
		periods = append(periods, postgres.ReportPeriod{District: "d" + strconv.Itoa(i), Term: 8, Start: day("2022-07-01")})
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		got, err := store.Standings(ctx, periods, day("2026-06-30"))
		if err != nil || len(got) != 243*150 {
			b.Fatalf("%d standings, %v", len(got), err)
		}
	}
}
