// Package service assembles the budget service for its binary and for the
// tests of services that call it, which run the real thing in-process
// behind a real gRPC listener.
package service

import (
	"context"
	"io"
	"log/slog"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	"github.com/gongyak/gongyak/pkg/bulk"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/services/budget/internal/postgres"
	"github.com/gongyak/gongyak/services/budget/internal/server"
	"github.com/gongyak/gongyak/services/budget/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
)

// Schema is the budget service's PostgreSQL schema.
const Schema = migrations.Schema

// Migrations are its schema migrations.
var Migrations = migrations.FS

// Register registers the budget service and its policy on s, storing in
// pool and asking the pledge service over pledges. A nil log discards.
// Until ctx ends it watches the schema for changes, to keep summaries
// until they change.
func Register(ctx context.Context, s grpcserver.Registrar, pool *pgxpool.Pool, pledges grpc.ClientConnInterface, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ref := pledgeref.New(pledges)
	changes := pgchange.Watch(ctx, pool, Schema+"_changes", log)
	data := bulk.Service{Name: Schema, Pool: pool, Tables: bulkTables}
	budgetv1.RegisterBudgetServiceServer(s, struct {
		*server.Server
		bulk.Handlers // ExportDistrictData and ImportDistrictData
	}{server.New(postgres.New(pool, server.View), ref, log, changes), bulk.Handlers{Data: data}})
	s.Authorize(server.Policy(ref))
}
