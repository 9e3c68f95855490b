package migrate_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gongyak/gongyak/pkg/migrate"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestApplyCreatesSchemaAndRecordsVersions(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t, pgtest.Schema{Name: "things", Migrations: os.DirFS("testdata/ok")})

	// Applying again is a no-op.
	if err := migrate.Apply(ctx, pool, "things", os.DirFS("testdata/ok")); err != nil {
		t.Fatalf("second apply: %v", err)
	}
	var label, note string
	if err := pool.QueryRow(ctx, "SELECT label, note FROM things.things WHERE id = 1").Scan(&label, &note); err != nil {
		t.Fatal(err)
	}
	if label != "구정혁신" || note != "" {
		t.Errorf("row = %q, %q", label, note)
	}
	var versions []int
	rows, _ := pool.Query(ctx, "SELECT version FROM things.schema_migrations ORDER BY version")
	for rows.Next() {
		var v int
		rows.Scan(&v)
		versions = append(versions, v)
	}
	if len(versions) != 2 || versions[0] != 1 || versions[1] != 2 {
		t.Errorf("recorded versions = %v, want [1 2]", versions)
	}
}

// TestApplyAsAServiceRole migrates as a service does: connected as its
// role, which owns its schema and may create no other.
func TestApplyAsAServiceRole(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t, pgtest.Schema{Name: "budget"}) // empty, owned by gongyak_budget
	pool, err := pgdb.Open(ctx, pgtest.ServiceURL(url, "budget"), "budget", "test")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for range 2 {
		if err := migrate.Apply(ctx, pool, "budget", os.DirFS("testdata/ok")); err != nil {
			t.Fatalf("gongyak_budget migrating its own schema: %v", err)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM budget.things").Scan(&n); err != nil || n != 1 {
		t.Errorf("budget.things: %d rows, %v", n, err)
	}
	err = migrate.Apply(ctx, pool, "indicator", os.DirFS("testdata/ok"))
	if !pgdb.IsCode(err, "42501") || !strings.Contains(err.Error(), "create schema indicator") {
		t.Errorf("gongyak_budget making another schema: %v, want insufficient_privilege", err)
	}
}

func TestApplyRefusesAnEditedMigration(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t, pgtest.Schema{Name: "things", Migrations: os.DirFS("testdata/ok")})
	edited := fstest.MapFS{
		"0001_create_things.sql": {Data: []byte("CREATE TABLE things (id bigint PRIMARY KEY);")},
	}
	err := migrate.Apply(ctx, pool, "things", edited)
	if err == nil || !strings.Contains(err.Error(), "edited") {
		t.Fatalf("err = %v, want a complaint about an edited migration", err)
	}
}

func TestApplyRollsBackAFailedMigration(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	if err := migrate.Apply(ctx, pool, "broken", os.DirFS("testdata/bad")); err == nil {
		t.Fatal("a migration that fails halfway was applied")
	}
	var n int
	pool.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'broken'").Scan(&n)
	// Only the migration table exists: the failed file left nothing.
	if n != 1 {
		t.Errorf("tables in schema broken = %d, want 1 (schema_migrations)", n)
	}
}

func TestLoadRefusesBadNames(t *testing.T) {
	_, err := migrate.Load(fstest.MapFS{"create.sql": {Data: []byte("SELECT 1")}})
	if err == nil {
		t.Fatal("a migration without a version number was accepted")
	}
	_, err = migrate.Load(fstest.MapFS{"0001_a.sql": {}, "0001_b.sql": {}})
	if err == nil {
		t.Fatal("two migrations with one version were accepted")
	}
}
