package dbschema_test

import (
	"context"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/gongyak/gongyak/pkg/dbschema"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open returns a pool on the database at url with schema first in its
// search_path, as a service opens its own.
func open(t *testing.T, url, schema string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgdb.Open(context.Background(), url, schema, "dbschema-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// ints runs a query of one integer column.
func ints(t *testing.T, pool *pgxpool.Pool, sql string) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// counted are migrations that write down each time they run; the first
// takes a while, so that replicas starting together overlap, and the last
// has a body between $$ with semicolons in it.
var counted = fstest.MapFS{
	"0001_runs.sql": {Data: []byte(`-- +goose Up
CREATE TABLE runs (version integer NOT NULL);
INSERT INTO runs VALUES (1);
SELECT pg_sleep(0.3);
`)},
	"0002_more.sql": {Data: []byte("-- +goose Up\nINSERT INTO runs VALUES (2);\n")},
	"0003_function.sql": {Data: []byte(`-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION runs_of(v integer) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM runs WHERE version = v);
END $$;
-- +goose StatementEnd
INSERT INTO runs VALUES (3);
`)},
}

// TestReplicasStartingTogetherMigrateOnce starts four replicas of a
// service at once, each with its own pool: all of them start, and each
// migration runs once.
func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		schema string
		// database returns the URL each replica connects to.
		database func(t *testing.T) string
	}{
		{"a schema made for the service's role", "budget", func(t *testing.T) string {
			return pgtest.ServiceURL(pgtest.NewDatabase(t, pgtest.Schema{Name: "budget"}), "budget")
		}},
		{"a schema the first replica creates", "things", func(t *testing.T) string {
			return pgtest.NewDatabase(t)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.database(t)
			const replicas = 4
			pools := make([]*pgxpool.Pool, replicas)
			for i := range pools {
				pools[i] = open(t, url, tc.schema)
			}
			applied := make([][]string, replicas)
			errs := make([]error, replicas)
			var wg sync.WaitGroup
			for i := range replicas {
				wg.Go(func() {
					applied[i], errs[i] = dbschema.Migrate(context.Background(), pools[i], tc.schema, counted)
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
			}
			all := slices.Concat(applied...)
			slices.Sort(all)
			if want := []string{"0001_runs.sql", "0002_more.sql", "0003_function.sql"}; !slices.Equal(all, want) {
				t.Errorf("the replicas applied %v between them, want each migration once: %v", all, want)
			}
			if got := ints(t, pools[0], "SELECT version FROM runs ORDER BY version"); !slices.Equal(got, []int64{1, 2, 3}) {
				t.Errorf("migrations ran for versions %v, want [1 2 3]", got)
			}
			if got := ints(t, pools[0], "SELECT version_id FROM goose_db_version ORDER BY version_id"); !slices.Equal(got, []int64{0, 1, 2, 3}) {
				t.Errorf("goose recorded %v, want [0 1 2 3]", got)
			}
		})
	}
}

// TestMigratingAgainAppliesOnlyWhatIsNew migrates as a service does at
// every start: a restart has nothing to do, and a new file is applied
// alone.
func TestMigratingAgainAppliesOnlyWhatIsNew(t *testing.T) {
	ctx := context.Background()
	pool := open(t, pgtest.NewDatabase(t), "things")
	ok := os.DirFS("testdata/ok")
	first, err := fs.ReadFile(ok, "0001_create_things.sql")
	if err != nil {
		t.Fatal(err)
	}
	onlyFirst := fstest.MapFS{"0001_create_things.sql": {Data: first}}
	for _, step := range []struct {
		name string
		fsys fs.FS
		want []string
	}{
		{"first start", onlyFirst, []string{"0001_create_things.sql"}},
		{"restart", onlyFirst, nil},
		{"start with a new migration", ok, []string{"0002_add_note.sql"}},
		{"restart", ok, nil},
	} {
		got, err := dbschema.Migrate(ctx, pool, "things", step.fsys)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if !slices.Equal(got, step.want) {
			t.Errorf("%s: applied %v, want %v", step.name, got, step.want)
		}
	}
	var label, note string
	if err := pool.QueryRow(ctx, "SELECT label, note FROM things WHERE id = 1").Scan(&label, &note); err != nil || label != "구정혁신" || note != "" {
		t.Errorf("the row 0002 wrote: %q, %q, %v", label, note, err)
	}
}

// TestAFailedMigrationLeavesNothingBehind runs a migration that fails
// halfway: the error names it, nothing of it stays, the ones before it
// stay applied, and once fixed it is applied at the next start.
func TestAFailedMigrationLeavesNothingBehind(t *testing.T) {
	ctx := context.Background()
	pool := open(t, pgtest.NewDatabase(t), "things")
	broken := fstest.MapFS{
		"0001_runs.sql":   counted["0001_runs.sql"],
		"0002_broken.sql": {Data: []byte("-- +goose Up\nCREATE TABLE half (id integer);\nINSERT INTO runs VALUES (2);\nINSERT INTO nowhere VALUES (2);\n")},
	}
	_, err := dbschema.Migrate(ctx, pool, "things", broken)
	if err == nil || !strings.Contains(err.Error(), "migration 0002_broken.sql of schema things") || !pgdb.IsCode(err, "42P01") {
		t.Fatalf("err = %v, want undefined_table naming 0002_broken.sql of schema things", err)
	}
	var half bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass('things.half') IS NOT NULL").Scan(&half); err != nil || half {
		t.Errorf("the failed migration's table exists: %v (%v)", half, err)
	}
	if got := ints(t, pool, "SELECT version FROM runs ORDER BY version"); !slices.Equal(got, []int64{1}) {
		t.Errorf("rows written by migrations: %v, want only 0001's [1]", got)
	}
	if got := ints(t, pool, "SELECT version_id FROM goose_db_version ORDER BY version_id"); !slices.Equal(got, []int64{0, 1}) {
		t.Errorf("goose recorded %v, want [0 1]", got)
	}

	broken["0002_broken.sql"] = &fstest.MapFile{Data: []byte("-- +goose Up\nCREATE TABLE half (id integer);\nINSERT INTO runs VALUES (2);\n")}
	applied, err := dbschema.Migrate(ctx, pool, "things", broken)
	if err != nil || !slices.Equal(applied, []string{"0002_broken.sql"}) {
		t.Fatalf("after the fix: applied %v, %v; want 0002_broken.sql", applied, err)
	}
	if got := ints(t, pool, "SELECT version FROM runs ORDER BY version"); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("rows written by migrations: %v, want [1 2]", got)
	}
}

// TestAnEditedMigrationIsRefused edits a migration after it was applied:
// the service refuses to start, naming it, and applies nothing new. An
// annotation added for goose is no edit.
func TestAnEditedMigrationIsRefused(t *testing.T) {
	ctx := context.Background()
	pool := open(t, pgtest.NewDatabase(t), "things")
	if _, err := dbschema.Migrate(ctx, pool, "things", os.DirFS("testdata/ok")); err != nil {
		t.Fatal(err)
	}
	reannotated := fstest.MapFS{
		"0001_create_things.sql": {Data: []byte("-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE things (id bigint PRIMARY KEY, label text NOT NULL);\n-- +goose StatementEnd\n")},
	}
	if _, err := dbschema.Migrate(ctx, pool, "things", reannotated); err != nil {
		t.Errorf("annotations added to an applied migration: %v, want no complaint", err)
	}
	edited := fstest.MapFS{
		"0001_create_things.sql": {Data: []byte("-- +goose Up\nCREATE TABLE things (id bigint PRIMARY KEY);\n")},
		"0003_more.sql":          {Data: []byte("-- +goose Up\nCREATE TABLE more (id integer);\n")},
	}
	_, err := dbschema.Migrate(ctx, pool, "things", edited)
	if err == nil || !strings.Contains(err.Error(), "0001_create_things.sql of schema things was edited") {
		t.Fatalf("err = %v, want a complaint that 0001_create_things.sql was edited", err)
	}
	var more bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass('things.more') IS NOT NULL").Scan(&more); err != nil || more {
		t.Errorf("a new migration was applied beside an edited one: %v (%v)", more, err)
	}
}

// TestAServiceRoleMigratesItsSchemaAndNoOther migrates as a service does:
// connected as its role, which owns its schema and may create no other.
func TestAServiceRoleMigratesItsSchemaAndNoOther(t *testing.T) {
	ctx := context.Background()
	url := pgtest.ServiceURL(pgtest.NewDatabase(t, pgtest.Schema{Name: "budget"}), "budget")
	pool := open(t, url, "budget")
	if _, err := dbschema.Migrate(ctx, pool, "budget", os.DirFS("testdata/ok")); err != nil {
		t.Fatalf("gongyak_budget migrating its own schema: %v", err)
	}
	var owner string
	if err := pool.QueryRow(ctx, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'budget.goose_db_version'::regclass").Scan(&owner); err != nil || owner != "gongyak_budget" {
		t.Errorf("goose's table is owned by %q (%v), want gongyak_budget", owner, err)
	}
	_, err := dbschema.Migrate(ctx, open(t, url, "indicator"), "indicator", os.DirFS("testdata/ok"))
	if !pgdb.IsCode(err, "42501") || !strings.Contains(err.Error(), "create schema indicator") {
		t.Errorf("gongyak_budget making another schema: %v, want insufficient_privilege", err)
	}
}

// TestASearchPathOfAnotherSchemaIsRefused migrates through a pool that
// would create the tables elsewhere.
func TestASearchPathOfAnotherSchemaIsRefused(t *testing.T) {
	_, err := dbschema.Migrate(context.Background(), open(t, pgtest.NewDatabase(t), "public"), "things", os.DirFS("testdata/ok"))
	if err == nil || !strings.Contains(err.Error(), "search_path") {
		t.Errorf("err = %v, want a complaint about the search_path", err)
	}
}
