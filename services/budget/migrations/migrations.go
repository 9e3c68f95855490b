// Package migrations holds the budget service's schema migrations, applied
// at start into the schema `budget`.
package migrations

import "embed"

// Schema is the PostgreSQL schema the budget service owns.
const Schema = "budget"

// FS holds the migrations, named NNNN_what.sql, in goose's format (see
// pkg/dbschema).
//
//go:embed *.sql
var FS embed.FS
