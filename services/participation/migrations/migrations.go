// Package migrations holds the participation service's schema migrations,
// applied at start into the schema `participation`.
package migrations

import "embed"

// Schema is the PostgreSQL schema the participation service owns.
const Schema = "participation"

// FS holds the migrations, named NNNN_what.sql, in goose's format (see
// pkg/dbschema).
//
//go:embed *.sql
var FS embed.FS
