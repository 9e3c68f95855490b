package dbschema

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3/database"
)

// legacyTable is the table in which Gongyak's migrator before goose kept
// each applied migration's version, file name and checksum.
const legacyTable = "schema_migrations"

// handOver tells goose, once, what the earlier migrator applied, so that
// goose applies none of it again: when schema has that migrator's table
// and no goose table yet, it creates goose's table holding those versions,
// and the old table, which already holds each file's checksum as
// checksum.go computes it, becomes the table of checksums. It runs in the
// caller's transaction, so a hand-over happens whole or not at all.
func handOver(ctx context.Context, tx *sql.Tx, store database.Store, schema string) error {
	var hasGoose, hasLegacy bool
	if err := tx.QueryRowContext(ctx, "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL",
		schema+"."+versionTable, schema+"."+legacyTable).Scan(&hasGoose, &hasLegacy); err != nil {
		return err
	}
	if hasGoose || !hasLegacy {
		return nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT version FROM "+schema+"."+legacyTable+" ORDER BY version")
	if err != nil {
		return err
	}
	var versions []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		versions = append(versions, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := store.CreateVersionTable(ctx, tx); err != nil {
		return err
	}
	// Version 0 is the row goose writes when it makes its table itself.
	for _, v := range append([]int64{0}, versions...) {
		if err := store.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "ALTER TABLE "+schema+"."+legacyTable+" RENAME TO "+checksumTable); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "ALTER TABLE "+schema+"."+checksumTable+" ALTER COLUMN version TYPE bigint")
	return err
}
