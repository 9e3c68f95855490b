// Package service assembles the participation service for its binary and
// for the tests of services that call it.
package service

import (
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/bulk"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/services/participation/internal/postgres"
	"github.com/gongyak/gongyak/services/participation/internal/server"
	"github.com/gongyak/gongyak/services/participation/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
)

// Schema is the participation service's PostgreSQL schema.
const Schema = migrations.Schema

// Migrations are its schema migrations.
var Migrations = migrations.FS

// Register registers the participation service and its policy on s,
// storing in pool; pledges is a connection to the pledge service that
// passes on each caller's credential (pkg/grpcclient), citizen hashes
// voters' identifiers and now is the clock windows are enforced by.
func Register(s grpcserver.Registrar, pool *pgxpool.Pool, pledges grpc.ClientConnInterface, citizen *personal.Hasher, now func() time.Time) {
	store := postgres.New(pool, server.View)
	records := server.Records{Members: store.Members, Submissions: store.Submissions, Entries: store.Entries, Questions: store.Questions}
	data := bulk.Service{Name: Schema, Pool: pool, Tables: bulkTables, CitizenKeyFingerprint: citizen.Fingerprint()}
	participationv1.RegisterParticipationServiceServer(s, struct {
		*server.Server
		bulk.Handlers // ExportDistrictData and ImportDistrictData
	}{server.New(store, records, pledgeref.New(pledges), citizen, now), bulk.Handlers{Data: data}})
	s.Authorize(server.Policy(store, pledgev1.NewPledgeServiceClient(pledges)))
}
