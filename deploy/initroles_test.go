package deploy

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestInitRoles runs postgres/init-roles.sql with psql, as the stack's
// db-init does on every start, on a real PostgreSQL (TEST_DATABASE_URL,
// which `go run ./cmd/withpg` sets; the roles it makes belong to the whole
// server, so it wants a server of its own) and checks what the services
// then find: each role logs in with its password, owns its schema, may not
// touch another's, and is no superuser; a second run changes nothing but a
// changed password.
func TestInitRoles(t *testing.T) {
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		t.Fatal("TEST_DATABASE_URL is not set: run under a PostgreSQL of its own, go run ./cmd/withpg -- go test ./... (make test-images does)")
	}
	psql := findPsql(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := fmt.Sprintf("compose_init_%d", time.Now().UnixNano())
	adminConn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adminConn.Close(ctx)
	if _, err := adminConn.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { adminConn.Exec(context.Background(), "DROP DATABASE "+db+" WITH (FORCE)") }) //nolint:errcheck // cleanup

	passwords := map[string]string{}
	for _, s := range []string{"pledge", "budget", "indicator", "participation", "events"} {
		passwords[s] = s + "-pw-" + fmt.Sprint(time.Now().UnixNano())
	}
	for run := 1; run <= 2; run++ {
		runInitRoles(t, psql, admin, db, passwords)
	}
	for s, pw := range passwords {
		conn := connectAs(ctx, t, admin, db, s, pw)
		var user string
		var super, createRole, createDB bool
		if err := conn.QueryRow(ctx, `SELECT current_user, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user`).
			Scan(&user, &super, &createRole, &createDB); err != nil {
			t.Fatal(err)
		}
		if user != "gongyak_"+s || super || createRole || createDB {
			t.Errorf("%s logs in as %s (superuser %v, createrole %v, createdb %v); want gongyak_%s with none of them", s, user, super, createRole, createDB, s)
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s.t (x int)", s)); err != nil {
			t.Errorf("gongyak_%s may not create a table in its schema: %v", s, err)
		}
		other := "pledge"
		if s == "pledge" {
			other = "budget"
		}
		_, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s.intruder (x int)", other))
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("gongyak_%s creating a table in %s: %v; want refused (42501)", s, other, err)
		}
		var sim float64
		if err := conn.QueryRow(ctx, "SELECT similarity('공약', '공약')").Scan(&sim); err != nil || sim != 1 {
			t.Errorf("pg_trgm for gongyak_%s: %v, %v", s, sim, err)
		}
		conn.Close(ctx)
	}

	// A password changed in .env is the role's after the next start.
	old := passwords["pledge"]
	passwords["pledge"] = "rotated-" + old
	runInitRoles(t, psql, admin, db, passwords)
	connectAs(ctx, t, admin, db, "pledge", passwords["pledge"]).Close(ctx)
	if c, err := pgx.Connect(ctx, roleURL(t, admin, db, "pledge", old)); err == nil {
		c.Close(ctx)
		t.Error("gongyak_pledge still logs in with its old password")
	}
}

func runInitRoles(t *testing.T, psql, admin, db string, passwords map[string]string) {
	t.Helper()
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	cmd := exec.Command(psql, "--no-psqlrc", "--quiet", "--file=postgres/init-roles.sql")
	cmd.Env = []string{"PGHOST=" + u.Hostname(), "PGPORT=" + u.Port(), "PGUSER=" + u.User.Username(),
		"PGPASSWORD=" + pw, "PGDATABASE=" + db}
	for s, p := range passwords {
		cmd.Env = append(cmd.Env, "GONGYAK_"+strings.ToUpper(s)+"_DB_PASSWORD="+p)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("psql -f postgres/init-roles.sql: %v\n%s", err, out)
	}
}

func roleURL(t *testing.T, admin, db, service, password string) string {
	t.Helper()
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("gongyak_"+service, password)
	u.Path = "/" + db
	return u.String()
}

func connectAs(ctx context.Context, t *testing.T, admin, db, service, password string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, roleURL(t, admin, db, service, password))
	if err != nil {
		t.Fatalf("gongyak_%s cannot log in with its password: %v", service, err)
	}
	return conn
}

// findPsql looks where `make run` looks for PostgreSQL's programs: PG_BIN,
// then the PATH, then Debian's /usr/lib/postgresql/*/bin.
func findPsql(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("PG_BIN"); dir != "" {
		return filepath.Join(dir, "psql")
	}
	if p, err := exec.LookPath("psql"); err == nil {
		return p
	}
	if found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql"); len(found) > 0 {
		return found[len(found)-1]
	}
	t.Fatal("no psql: install PostgreSQL's client (Debian: postgresql-client) or set PG_BIN")
	return ""
}
