// Package migrations holds the indicator service's schema migrations,
// applied at start into the schema `indicator`.
package migrations

import "embed"

// Schema is the PostgreSQL schema the indicator service owns.
const Schema = "indicator"

// FS holds the migrations, named NNNN_what.sql, in goose's format (see
// pkg/dbschema).
//
//go:embed *.sql
var FS embed.FS
