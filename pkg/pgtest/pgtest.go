// Package pgtest gives each test a fresh database on a real PostgreSQL
// server: the one TEST_DATABASE_URL names, or else one private cluster
// started for the package's test run from the machine's installed server
// binaries and removed afterwards. A fresh database is a copy of a template
// that was migrated once, so it costs milliseconds.
//
// A package that uses it calls Main from TestMain. Without a server the
// tests fail, saying what is missing; they never skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/migrate"
	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// adminURL is the URL of a database on the test server from which test
// databases are created.
var adminURL string

// Main runs the package's tests with a PostgreSQL server and exits.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run runs the package's tests with a PostgreSQL server and returns their
// exit code, for a TestMain that has more to clean up before it exits.
func Run(m *testing.M) int {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		adminURL = u
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cluster, stop, err := pgcluster.StartTemp(ctx, "gongyak-pgtest-")
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: tests need PostgreSQL and none could be started:", err)
		return 1
	}
	defer stop()
	adminURL = cluster.URL("postgres")
	return m.Run()
}

// Schema is a service schema and its migrations.
type Schema struct {
	Name       string
	Migrations fs.FS
}

// NewDatabase creates an empty database for t, with schemas migrated, and
// drops it when t ends. It returns the database's URL.
func NewDatabase(t testing.TB, schemas ...Schema) string {
	t.Helper()
	if adminURL == "" {
		t.Fatal("pgtest: no PostgreSQL server: call pgtest.Main from TestMain, or set TEST_DATABASE_URL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("pgtest: connect to the test server: %v", err)
	}
	defer admin.Close(ctx)

	template, err := ensureTemplate(ctx, admin, schemas)
	if err != nil {
		t.Fatalf("pgtest: template database: %v", err)
	}
	name := "test_" + randomHex(8)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, adminURL); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") //nolint:errcheck // the server goes with the run anyway
			c.Close(ctx)
		}
	})
	return withDatabase(adminURL, name)
}

// NewPool creates a database as NewDatabase does and returns a pool on it
// whose search_path is schemas[0], closed when t ends.
func NewPool(t testing.TB, schemas ...Schema) *pgxpool.Pool {
	t.Helper()
	u := NewDatabase(t, schemas...)
	search := "public"
	if len(schemas) > 0 {
		search = schemas[0].Name
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgdb.Open(ctx, u, search, "pgtest")
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// ensureTemplate returns the name of a database with schemas migrated,
// creating it the first time. Test binaries running at once share the
// server, so creation holds an advisory lock.
func ensureTemplate(ctx context.Context, admin *pgx.Conn, schemas []Schema) (string, error) {
	h := sha256.New()
	for _, s := range schemas {
		ms, err := migrate.Load(s.Migrations)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00", s.Name)
		for _, m := range ms {
			fmt.Fprintf(h, "%s\x00%s\x00", m.Name, m.Checksum)
		}
	}
	name := "tmpl_" + hex.EncodeToString(h.Sum(nil)[:10])
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", name); err != nil {
		return "", err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext($1))", name) //nolint:errcheck // released with the session anyway

	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)") //nolint:errcheck // a leftover of a crashed run, if any
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	u := withDatabase(adminURL, building)
	for _, s := range schemas {
		pool, err := pgdb.Open(ctx, u, s.Name, "pgtest")
		if err != nil {
			return "", err
		}
		err = migrate.Apply(ctx, pool, s.Name, s.Migrations)
		pool.Close()
		if err != nil {
			return "", err
		}
	}
	// Renamed only once complete, so no test copies a half-built template.
	if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", err
	}
	return name, nil
}

// AdminURL returns the URL of the test server's maintenance database.
func AdminURL() string { return adminURL }

func withDatabase(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + db
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // never fails
	return hex.EncodeToString(b)
}
