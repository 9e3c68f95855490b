package dbschema

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

// A migration once applied is history: editing its file changes nothing in
// the databases that applied it and makes new databases differ from them.
// Goose does not notice; Migrate does, keeping the checksum of each file it
// applied in <schema>.migration_checksums and comparing before it
// migrates.
//
// The checksum is of the file without goose's annotation lines, which say
// how to run the SQL, not what it does. So it is also the checksum the
// earlier migrator kept, whose table becomes this one (handover.go).
const checksumTable = "migration_checksums"

// file is one migration file with its checksum.
type file struct {
	version  int64
	name     string
	checksum string
}

// readFiles reads the checksums of the migrations goose found in fsys.
func readFiles(fsys fs.FS, sources []*goose.Source) ([]file, error) {
	files := make([]file, 0, len(sources))
	for _, s := range sources {
		body, err := fs.ReadFile(fsys, s.Path)
		if err != nil {
			return nil, err
		}
		files = append(files, file{version: s.Version, name: path.Base(s.Path), checksum: checksum(body)})
	}
	return files, nil
}

// checksum is the SHA-256 of a migration's lines other than goose's
// annotations, in hex.
func checksum(body []byte) string {
	h := sha256.New()
	for line := range bytes.Lines(body) {
		if !isAnnotation(line) {
			h.Write(line)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// isAnnotation tells goose's annotations as goose does: a comment that
// mentions +goose.
func isAnnotation(line []byte) bool {
	line = bytes.TrimSpace(line)
	return bytes.HasPrefix(line, []byte("--")) && bytes.Contains(line, []byte("+goose"))
}

// check refuses, naming it, a migration whose file differs from the one
// applied. It creates the table of checksums when it is missing.
func check(ctx context.Context, tx *sql.Tx, schema string, files []file) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+schema+`.`+checksumTable+` (
		version bigint PRIMARY KEY,
		name text NOT NULL,
		checksum text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("create the table of migration checksums: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT version, checksum FROM "+schema+"."+checksumTable)
	if err != nil {
		return err
	}
	defer rows.Close()
	applied := map[int64]string{}
	for rows.Next() {
		var v int64
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return err
		}
		applied[v] = sum
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range files {
		if sum, ok := applied[f.version]; ok && sum != f.checksum {
			return fmt.Errorf("migration %s of schema %s was edited after it was applied; add a new migration instead", f.name, schema)
		}
	}
	return nil
}

// record keeps the checksum of each file goose has applied and none is
// kept for: those it applied just now, and any a crash kept from being
// recorded before.
func record(ctx context.Context, db *sql.DB, store database.Store, schema string, files []file) error {
	for _, f := range files {
		m, err := store.GetMigration(ctx, db, f.version)
		if errors.Is(err, database.ErrVersionNotFound) || err == nil && !m.IsApplied {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO "+schema+"."+checksumTable+
			" (version, name, checksum) VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING",
			f.version, f.name, f.checksum); err != nil {
			return fmt.Errorf("record the checksum of migration %s: %w", f.name, err)
		}
	}
	return nil
}
