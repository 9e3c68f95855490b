// Package dbschema creates a service's PostgreSQL schema and applies the
// service's embedded SQL migrations to it with goose
// (github.com/pressly/goose/v3), under an advisory lock of that schema's
// own: several replicas of a service may start at once; one migrates, the
// others wait for it and find nothing left to do.
//
// Each schema keeps its own goose table, <schema>.goose_db_version, so
// services never share one and each can move to a database of its own.
// Migrations are files named like 0001_what_it_does.sql in goose's format:
// they start with `-- +goose Up`, and a statement with semicolons inside
// it (a function's body between $$) stands between `-- +goose
// StatementBegin` and `-- +goose StatementEnd`. Each runs in its own
// transaction, so a migration that fails leaves nothing behind.
//
// Goose does not notice a migration edited after it was applied; dbschema
// does (see checksum.go). A database that the earlier migrator, with its
// table <schema>.schema_migrations, left is handed over to goose once (see
// handover.go).
package dbschema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// versionTable is goose's table in each schema.
const versionTable = "goose_db_version"

// A replica waits for another's migrations up to lockTries × lockPoll
// (five minutes), trying the lock every lockPoll: goose's locker polls,
// and a second is the least it takes.
const (
	lockPoll  = time.Second
	lockTries = 300
)

// identifier is what a schema's name may be: goose writes the version
// table's name into its SQL unquoted.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Migrate creates schema when it is missing and applies, each in its own
// transaction, the migrations in the root of fsys that it has not applied
// yet. It returns the names of the files it applied. It refuses to run
// when a migration already applied has since been edited.
//
// pool connects as the schema's owner with search_path set to schema first
// (pgdb.Open does), since the migrations name their tables unqualified.
// The owner of a schema made for it (dbrole) may create no schema, so
// Migrate creates one only when it is missing.
func Migrate(ctx context.Context, pool *pgxpool.Pool, schema string, fsys fs.FS) (applied []string, err error) {
	if !identifier.MatchString(schema) {
		return nil, fmt.Errorf("schema %q: name it in lower case letters, digits and _", schema)
	}
	// database/sql over the service's own pool: the same role, the same
	// search_path; closing it leaves the pool open.
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()

	key := lockKey(schema)
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(key), lock.WithLockTimeout(uint64(lockPoll/time.Second), lockTries))
	if err != nil {
		return nil, err
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithTableName(schema+"."+versionTable),
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations of schema %s: %w", schema, err)
	}
	store, err := database.NewStore(database.DialectPostgres, schema+"."+versionTable)
	if err != nil {
		return nil, err
	}
	files, err := readFiles(fsys, provider.ListSources())
	if err != nil {
		return nil, err
	}

	if err := prepare(ctx, db, store, schema, key, files); err != nil {
		return nil, err
	}
	results, err := provider.Up(ctx)
	if partial, ok := errors.AsType[*goose.PartialError](err); ok {
		return nil, fmt.Errorf("migration %s of schema %s: %w", path.Base(partial.Failed.Source.Path), schema, partial.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("migrate schema %s: %w", schema, err)
	}
	if err := record(ctx, db, store, schema, files); err != nil {
		return nil, err
	}
	for _, r := range results {
		applied = append(applied, path.Base(r.Source.Path))
	}
	return applied, nil
}

// prepare readies schema for goose, holding the schema's migration lock
// so that replicas starting together do it one at a time: it creates the
// schema when it is missing, hands a database of the earlier migrator
// over to goose, and checks that no applied migration was edited.
func prepare(ctx context.Context, db *sql.DB, store database.Store, schema string, key int64, files []file) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	// The same lock goose takes for the session: a transaction's lock is
	// let go at its end, whatever happens to this process.
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", key); err != nil {
		return fmt.Errorf("migration lock of schema %s: %w", schema, err)
	}
	// PostgreSQL checks the privilege to create schemas before IF NOT
	// EXISTS, and a service's role has none: it owns the schema made for
	// it, so look first.
	var exists bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := tx.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			return fmt.Errorf("create schema %s (a service's role cannot: make it as the superuser, owned by the role): %w", schema, err)
		}
	}
	var current sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT current_schema()").Scan(&current); err != nil {
		return err
	}
	if current.String != schema {
		return fmt.Errorf("migrate schema %s: the connection's search_path starts with %q; the migrations would create their tables there", schema, current.String)
	}
	if err := handOver(ctx, tx, store, schema); err != nil {
		return fmt.Errorf("hand schema %s's migrations over to goose: %w", schema, err)
	}
	if err := check(ctx, tx, schema, files); err != nil {
		return err
	}
	return tx.Commit()
}

// lockKey is the advisory lock of schema's migrations. Each schema has its
// own, so services starting together do not wait for one another (goose's
// locker polls, a second at a time): they share nothing a migration makes.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("gongyak migrations of the schema " + schema))
	return int64(h.Sum64())
}
