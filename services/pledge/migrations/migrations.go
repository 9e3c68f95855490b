// Package migrations holds the pledge service's schema migrations, applied
// at start into the schema `pledge`.
package migrations

import "embed"

// Schema is the PostgreSQL schema the pledge service owns.
const Schema = "pledge"

// FS holds the migrations, named NNNN_what.sql, in goose's format (see
// pkg/dbschema).
//
//go:embed *.sql
var FS embed.FS
