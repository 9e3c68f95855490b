// Package service assembles the pledge service for its binary and for the
// tests of the services that call it, which run the real thing in-process
// behind a real gRPC listener instead of a stand-in.
package service

import (
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"github.com/gongyak/gongyak/services/pledge/internal/server"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
)

// Register registers the pledge service's gRPC servers on s, storing in
// pool.
func Register(s *grpc.Server, pool *pgxpool.Pool) {
	districts, pledges := server.New(postgres.New(pool))
	pledgev1.RegisterDistrictServiceServer(s, districts)
	pledgev1.RegisterPledgeServiceServer(s, pledges)
}

// Schema and Migrations are the pledge service's, for test databases.
const Schema = migrations.Schema

// Migrations are the pledge service's schema migrations.
var Migrations = migrations.FS
