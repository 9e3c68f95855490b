package pgtest_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Two services' schemas with made-up migrations, in goose's format.
var (
	pledge = pgtest.Schema{Name: "pledge", Migrations: fstest.MapFS{
		"0001_pledges.sql": {Data: []byte("-- +goose Up\nCREATE TABLE pledges (id text PRIMARY KEY); INSERT INTO pledges VALUES ('happy-clubs');")},
	}}
	budget = pgtest.Schema{Name: "budget", Migrations: fstest.MapFS{
		"0001_plans.sql": {Data: []byte("-- +goose Up\nCREATE TABLE plans (pledge_id text PRIMARY KEY); INSERT INTO plans VALUES ('happy-clubs');")},
	}}
)

func TestAServiceSchemaIsMigratedAsItsRoleAndReadByItAlone(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t, budget, pledge)
	var user, owner string
	if err := pool.QueryRow(ctx, "SELECT current_user, (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'plans'::regclass)").Scan(&user, &owner); err != nil {
		t.Fatal(err)
	}
	if user != "gongyak_budget" || owner != "gongyak_budget" {
		t.Errorf("NewPool(budget, …) connects as %s and plans is owned by %s; want gongyak_budget for both", user, owner)
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM plans").Scan(&n); err != nil || n != 1 {
		t.Errorf("its own table: %d rows, %v", n, err)
	}
	for _, sql := range []string{"SELECT * FROM pledge.pledges", "CREATE TABLE pledge.plans (id int)", "CREATE DATABASE budget_copy"} {
		if _, err := pool.Exec(ctx, sql); !pgdb.IsCode(err, "42501") {
			t.Errorf("%s as gongyak_budget: %v, want insufficient_privilege", sql, err)
		}
	}
}

func TestServiceURLConnectsAsTheServiceRole(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t, pledge)
	for schema, want := range map[string]string{"pledge": "gongyak_pledge", "participation": "gongyak_participation"} {
		pool, err := pgdb.Open(ctx, pgtest.ServiceURL(url, schema), schema, "test")
		if err != nil {
			t.Fatalf("%s: %v", schema, err)
		}
		var user string
		err = pool.QueryRow(ctx, "SELECT current_user").Scan(&user)
		pool.Close()
		if err != nil || user != want {
			t.Errorf("ServiceURL(%s) connects as %q (%v), want %s", schema, user, err, want)
		}
	}
}

func TestAPoolOfNoServiceSchemaIsTheAdmins(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t, pgtest.Schema{Name: "things", Migrations: fstest.MapFS{"0001_things.sql": {Data: []byte("-- +goose Up\nCREATE TABLE things (id int);")}}})
	var super bool
	if err := pool.QueryRow(ctx, "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil || !super {
		t.Errorf("the pool of the schema things: may create roles %v (%v), want the admin", super, err)
	}
}
