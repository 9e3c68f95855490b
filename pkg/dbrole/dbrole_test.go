package dbrole_test

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"testing"

	"github.com/gongyak/gongyak/pkg/dbrole"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

// legacyBudget is a schema as earlier versions left it: made and migrated
// by the superuser, with every kind of object a migration makes.
const legacyBudget = `
CREATE SCHEMA budget;
CREATE TYPE budget.source AS ENUM ('local', 'national');
CREATE DOMAIN budget.won AS bigint CHECK (VALUE >= 0);
CREATE TABLE budget.plans (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source budget.source NOT NULL, planned budget.won NOT NULL);
CREATE TABLE budget.notes (id serial PRIMARY KEY, plan_id bigint REFERENCES budget.plans (id), body text);
CREATE SEQUENCE budget.numbers;
CREATE VIEW budget.local_plans AS SELECT * FROM budget.plans WHERE source = 'local';
CREATE FUNCTION budget.total(s budget.source) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT coalesce(sum(planned), 0) FROM budget.plans WHERE source = s $$;
CREATE TABLE budget.schema_migrations (version integer PRIMARY KEY, name text NOT NULL);
INSERT INTO budget.plans (source, planned) VALUES ('local', 2500000);`

// notOwnedByItsRole lists what in schema its role does not own.
const notOwnedByItsRole = `
SELECT c.relname FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relowner <> $2::regrole
UNION ALL SELECT p.proname FROM pg_proc p WHERE p.pronamespace = $1::regnamespace AND p.proowner <> $2::regrole
UNION ALL SELECT t.typname FROM pg_type t WHERE t.typnamespace = $1::regnamespace AND t.typowner <> $2::regrole
UNION ALL SELECT n.nspname FROM pg_namespace n WHERE n.oid = $1::regnamespace AND n.nspowner <> $2::regrole`

func TestPrepareDatabaseHandsALegacySchemaToItsRole(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	admin := connect(t, url)
	if _, err := admin.Exec(ctx, legacyBudget); err != nil {
		t.Fatal(err)
	}

	adopted, err := dbrole.PrepareDatabase(ctx, admin, "budget")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(adopted, []string{"budget"}) {
		t.Errorf("adopted = %v, want [budget]", adopted)
	}
	rows, _ := admin.Query(ctx, notOwnedByItsRole, "budget", "gongyak_budget")
	others, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(others) > 0 {
		t.Errorf("still owned by another role: %v", others)
	}

	// The service, as its role, uses and migrates every bit of it.
	budget := connect(t, pgtest.ServiceURL(url, "budget"))
	for _, sql := range []string{
		"INSERT INTO budget.plans (source, planned) VALUES ('national', 3000000)",
		"INSERT INTO budget.notes (plan_id, body) VALUES (1, '구비')",
		"SELECT nextval('budget.numbers')",
		"ALTER TABLE budget.plans ADD COLUMN year integer",
		"INSERT INTO budget.schema_migrations VALUES (2, '0002_year.sql')",
	} {
		if _, err := budget.Exec(ctx, sql); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
	var local int64
	if err := budget.QueryRow(ctx, "SELECT budget.total('local') FROM budget.local_plans").Scan(&local); err != nil || local != 2500000 {
		t.Errorf("the data kept: total %d, %v; want 2500000", local, err)
	}

	if adopted, err := dbrole.PrepareDatabase(ctx, admin, "budget"); err != nil || len(adopted) != 0 {
		t.Errorf("preparing again: adopted %v, %v; want nothing", adopted, err)
	}
}

func TestPrepareDatabaseMakesAMissingSchemaForItsRoleAlone(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	admin := connect(t, url)
	adopted, err := dbrole.PrepareDatabase(ctx, admin, "indicator")
	if err != nil || len(adopted) != 0 {
		t.Fatalf("adopted %v, %v; want nothing", adopted, err)
	}
	var owner string
	if err := admin.QueryRow(ctx, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'indicator'").Scan(&owner); err != nil || owner != "gongyak_indicator" {
		t.Errorf("the schema indicator is owned by %q (%v), want gongyak_indicator", owner, err)
	}
	if _, err := connect(t, pgtest.ServiceURL(url, "indicator")).Exec(ctx, "CREATE TABLE indicator.indicators (id bigint)"); err != nil {
		t.Errorf("gongyak_indicator in its schema: %v", err)
	}
	budget := connect(t, pgtest.ServiceURL(url, "budget"))
	for _, sql := range []string{"CREATE TABLE indicator.plans (id bigint)", "SELECT * FROM indicator.indicators", "CREATE SCHEMA elsewhere"} {
		if _, err := budget.Exec(ctx, sql); !pgdb.IsCode(err, "42501") {
			t.Errorf("gongyak_budget: %s: %v, want insufficient_privilege", sql, err)
		}
	}
	var trgm bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')").Scan(&trgm); err != nil || !trgm {
		t.Errorf("pg_trgm: %v, %v; want it created", trgm, err)
	}
}

func TestTheRolesMayLogInAndNothingMore(t *testing.T) {
	ctx := context.Background()
	admin := connect(t, pgtest.NewDatabase(t))
	for _, s := range dbrole.Schemas {
		var login, super, createDB, createRole, replication, bypassRLS bool
		err := admin.QueryRow(ctx, "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1",
			dbrole.Name(s)).Scan(&login, &super, &createDB, &createRole, &replication, &bypassRLS)
		if err != nil {
			t.Fatalf("%s: %v", dbrole.Name(s), err)
		}
		if !login || super || createDB || createRole || replication || bypassRLS {
			t.Errorf("%s: login %v, superuser %v, createdb %v, createrole %v, replication %v, bypassrls %v; want it to log in and nothing more",
				dbrole.Name(s), login, super, createDB, createRole, replication, bypassRLS)
		}
	}
}

func TestEnsureRolesSaysTheUserNeedsCreateRole(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	admin := connect(t, url)
	// Roles belong to the server, which other test binaries share: the
	// name is this test's own.
	user := "dbrole_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(ctx, "CREATE ROLE "+user+" LOGIN PASSWORD 'plain-user-password'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+user) }) //nolint:errcheck // the server goes with the run
	plainURL, err := dbrole.URL(url, user, "plain-user-password")
	if err != nil {
		t.Fatal(err)
	}
	plain := connect(t, plainURL)
	err = dbrole.EnsureRoles(ctx, plain, map[string]string{"budget": "whatever"})
	if err == nil || !strings.Contains(err.Error(), "CREATEROLE") || !strings.Contains(err.Error(), user) {
		t.Errorf("EnsureRoles as %s: %v, want it to say the user needs CREATEROLE", user, err)
	}
}

func TestURLConnectsAsAnotherUser(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://postgres:secret@127.0.0.1:54329/gongyak?sslmode=disable", "postgres://gongyak_budget:p%20w%2F%40@127.0.0.1:54329/gongyak?sslmode=disable"},
		{"postgres://127.0.0.1/gongyak", "postgres://gongyak_budget:p%20w%2F%40@127.0.0.1/gongyak"},
	} {
		got, err := dbrole.URL(tc.in, "gongyak_budget", "p w/@")
		if err != nil || got != tc.want {
			t.Errorf("URL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := dbrole.URL("postgres://postgres:secret@[bad/db", "u", "p"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("a URL that does not parse: %v, want an error that does not repeat it", err)
	}
}
