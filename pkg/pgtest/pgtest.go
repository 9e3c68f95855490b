// Package pgtest gives each test a fresh database on a real PostgreSQL
// server: the one TEST_DATABASE_URL names, or else one private cluster
// started for the package's test run from the machine's installed server
// binaries and removed afterwards. A fresh database is a copy of a template
// that was migrated once, so it costs milliseconds.
//
// The services' schemas are owned by their roles (gongyak_pledge, …, see
// dbrole), migrated as those roles, and tests connect as them
// (ServiceURL), as the services do in production. pgtest creates the roles
// on the server, so TEST_DATABASE_URL's user needs CREATEROLE as well as
// CREATEDB. Their passwords are derived from that user's password: every
// test binary sharing a server agrees on them, and a new server (withpg
// starts one per run) means new ones.
//
// A package that uses it calls Main from TestMain. Without a server the
// tests fail, saying what is missing; they never skip.
package pgtest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/dbrole"
	"github.com/gongyak/gongyak/pkg/dbschema"
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
	adminURL = os.Getenv("TEST_DATABASE_URL")
	if adminURL == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cluster, stop, err := pgcluster.StartTemp(ctx, "gongyak-pgtest-")
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: tests need PostgreSQL and none could be started:", err)
			return 1
		}
		defer stop()
		adminURL = cluster.URL("postgres")
	}
	if err := ensureRoles(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: the services' roles on the test server (TEST_DATABASE_URL):", err)
		return 1
	}
	return m.Run()
}

// ensureRoles creates the services' roles on the test server, or sets
// their passwords to this server's; test binaries sharing the server do
// it one after another (dbrole holds a lock) and agree on the passwords.
func ensureRoles() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	passwords := map[string]string{}
	for _, s := range dbrole.Schemas {
		passwords[s] = rolePassword(s)
	}
	return dbrole.EnsureRoles(ctx, conn, passwords)
}

// rolePassword is the password of schema's role on the test server, an
// HMAC of the role's name keyed with the admin's password. (A server whose
// URL carries no password gets passwords anyone reading this could work
// out; such a server lets people in without one anyway, or should be a
// throwaway.)
func rolePassword(schema string) string {
	var key string
	if u, err := url.Parse(adminURL); err == nil {
		key, _ = u.User.Password()
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(dbrole.Name(schema)))
	return hex.EncodeToString(mac.Sum(nil))[:32]
}

// ServiceURL returns dbURL, a test database's URL, connecting as the role
// of the service owning schema (gongyak_<schema>) with its password. It
// panics when schema is no service's: those schemas (of pkg tests) belong
// to the admin.
func ServiceURL(dbURL, schema string) string {
	if !dbrole.IsService(schema) {
		panic(fmt.Sprintf("pgtest.ServiceURL: %q is no service's schema (%s)", schema, strings.Join(dbrole.Schemas, ", ")))
	}
	u, err := dbrole.URL(dbURL, dbrole.Name(schema), rolePassword(schema))
	if err != nil {
		panic("pgtest.ServiceURL: " + err.Error())
	}
	return u
}

// Schema is a schema and its migrations. A service's schema is owned by
// the service's role and migrated as that role; any other belongs to the
// admin. Without migrations the schema is made empty, for a service to
// migrate itself when it starts.
type Schema struct {
	Name       string
	Migrations fs.FS
}

// NewDatabase creates an empty database for t, with schemas migrated, and
// drops it when t ends. It returns the database's URL, which connects as
// the admin (ServiceURL gives a service's).
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
	if err := dbrole.GrantConnect(ctx, admin, name); err != nil {
		t.Fatalf("pgtest: %v", err)
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
// whose search_path is schemas[0], closed when t ends. The pool connects as
// schemas[0]'s role when it is a service's, as the admin otherwise.
func NewPool(t testing.TB, schemas ...Schema) *pgxpool.Pool {
	t.Helper()
	u := NewDatabase(t, schemas...)
	search := "public"
	if len(schemas) > 0 {
		search = schemas[0].Name
		if dbrole.IsService(search) {
			u = ServiceURL(u, search)
		}
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
	// Templates of earlier versions, on a server of the user's, were
	// built otherwise.
	fmt.Fprintf(h, "owned by the services' roles, migrated by goose\x00")
	for _, s := range schemas {
		fmt.Fprintf(h, "%s\x00", s.Name)
		if s.Migrations == nil {
			continue
		}
		if err := hashFiles(h, s.Migrations); err != nil {
			return "", err
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
	if err := prepare(ctx, u, schemas); err != nil {
		return "", err
	}
	for _, s := range schemas {
		if s.Migrations == nil {
			continue
		}
		as := u
		if dbrole.IsService(s.Name) {
			as = ServiceURL(u, s.Name)
		}
		pool, err := pgdb.Open(ctx, as, s.Name, "pgtest")
		if err != nil {
			return "", err
		}
		_, err = dbschema.Migrate(ctx, pool, s.Name, s.Migrations)
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

// hashFiles writes the name and content of each file in the root of fsys
// to h.
func hashFiles(h io.Writer, fsys fs.FS) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(body))
		h.Write(body)
	}
	return nil
}

// prepare makes the services' schemas among schemas, owned by their roles,
// and the others that have no migrations, in the database at u.
func prepare(ctx context.Context, u string, schemas []Schema) error {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var services []string
	for _, s := range schemas {
		switch {
		case dbrole.IsService(s.Name):
			services = append(services, s.Name)
		case s.Migrations == nil:
			if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{s.Name}.Sanitize()); err != nil {
				return err
			}
		}
	}
	_, err = dbrole.PrepareDatabase(ctx, conn, services...)
	return err
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
