// Package service assembles the indicator service for its binary and for
// the tests of services that call it.
package service

import (
	"context"
	"time"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	"github.com/gongyak/gongyak/pkg/bulk"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/services/indicator/internal/postgres"
	"github.com/gongyak/gongyak/services/indicator/internal/server"
	"github.com/gongyak/gongyak/services/indicator/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
)

// Schema is the indicator service's PostgreSQL schema.
const Schema = migrations.Schema

// Migrations are its schema migrations.
var Migrations = migrations.FS

// Register registers the indicator service and its policy on s, storing
// in pool and asking the pledge service over pledges; now is the clock
// that decides which years have passed. Until ctx ends it watches the
// schema for changes, to keep summaries until they change.
func Register(ctx context.Context, s grpcserver.Registrar, pool *pgxpool.Pool, pledges grpc.ClientConnInterface, now func() time.Time) {
	ref := pledgeref.New(pledges)
	changes := pgchange.Watch(ctx, pool, Schema+"_changes", nil)
	data := bulk.Service{Name: Schema, Pool: pool, Tables: bulkTables}
	indicatorv1.RegisterIndicatorServiceServer(s, struct {
		*server.Server
		bulk.Handlers // ExportDistrictData and ImportDistrictData
	}{server.New(postgres.New(pool, server.View), ref, now, changes), bulk.Handlers{Data: data}})
	s.Authorize(server.Policy(ref))
}
