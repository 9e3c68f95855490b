// Package migrations holds the events service's schema migrations, applied
// at start into the schema `events`.
package migrations

import "embed"

// Schema is the PostgreSQL schema the events service owns.
const Schema = "events"

// FS holds the migrations, named NNNN_what.sql, in goose's format (see
// pkg/dbschema).
//
//go:embed *.sql
var FS embed.FS
