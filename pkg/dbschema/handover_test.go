package dbschema_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gongyak/gongyak/pkg/dbschema"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/jackc/pgx/v5"
)

// legacy0001 is testdata/ok/0001_create_things.sql as it was before goose,
// without its annotation.
const legacy0001 = "CREATE TABLE things (id bigint PRIMARY KEY, label text NOT NULL);\n"

// legacyDatabase returns the URL of a database as Gongyak's migrator
// before goose left it: the schema things with 0001 applied and recorded
// in things.schema_migrations with that migrator's checksum, sum, and a
// row written since.
func legacyDatabase(t *testing.T, sum string) string {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{
		"CREATE SCHEMA things",
		`CREATE TABLE things.schema_migrations (
			version integer PRIMARY KEY,
			name text NOT NULL,
			checksum text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`,
		"SET search_path TO things",
		legacy0001,
		"INSERT INTO things (id, label) VALUES (7, '주민참여예산')",
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if _, err := conn.Exec(ctx, "INSERT INTO schema_migrations (version, name, checksum) VALUES (1, '0001_create_things.sql', $1)", sum); err != nil {
		t.Fatal(err)
	}
	return url
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestAnEarlierMigratorsDatabaseIsHandedOverOnce starts three replicas on
// a database the migrator before goose left: none applies 0001 again, one
// applies 0002, the data stays, and the old table keeps the checksums.
func TestAnEarlierMigratorsDatabaseIsHandedOverOnce(t *testing.T) {
	ctx := context.Background()
	url := legacyDatabase(t, sha256Hex(legacy0001))
	const replicas = 3
	applied := make([][]string, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		pool := open(t, url, "things")
		wg.Go(func() { applied[i], errs[i] = dbschema.Migrate(ctx, pool, "things", os.DirFS("testdata/ok")) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	if all := slices.Concat(applied...); !slices.Equal(all, []string{"0002_add_note.sql"}) {
		t.Errorf("the replicas applied %v between them, want 0002_add_note.sql once", all)
	}
	pool := open(t, url, "things")
	if got := ints(t, pool, "SELECT version_id FROM goose_db_version ORDER BY version_id"); !slices.Equal(got, []int64{0, 1, 2}) {
		t.Errorf("goose recorded %v, want [0 1 2]", got)
	}
	if got := ints(t, pool, "SELECT id FROM things ORDER BY id"); !slices.Equal(got, []int64{1, 7}) {
		t.Errorf("things' rows %v, want [1 7]: the one written before the hand-over and 0002's", got)
	}
	if got := ints(t, pool, "SELECT version FROM migration_checksums ORDER BY version"); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("checksums kept for %v, want [1 2]", got)
	}
	var legacy bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass('things.schema_migrations') IS NOT NULL").Scan(&legacy); err != nil || legacy {
		t.Errorf("things.schema_migrations is still there (%v): two tables would claim what is applied", err)
	}
}

// TestAHandOverOfAnEditedMigrationIsRefused hands over a database whose
// 0001 differs from the file: it is refused, and nothing is handed over.
func TestAHandOverOfAnEditedMigrationIsRefused(t *testing.T) {
	ctx := context.Background()
	url := legacyDatabase(t, sha256Hex("CREATE TABLE things (id bigint PRIMARY KEY);\n"))
	pool := open(t, url, "things")
	_, err := dbschema.Migrate(ctx, pool, "things", os.DirFS("testdata/ok"))
	if err == nil || !strings.Contains(err.Error(), "0001_create_things.sql of schema things was edited") {
		t.Fatalf("err = %v, want a complaint that 0001_create_things.sql was edited", err)
	}
	var goose, legacy bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass('things.goose_db_version') IS NOT NULL, to_regclass('things.schema_migrations') IS NOT NULL").
		Scan(&goose, &legacy); err != nil || goose || !legacy {
		t.Errorf("after the refusal: goose's table %v, the old one %v (%v); want the database as it was", goose, legacy, err)
	}
}
