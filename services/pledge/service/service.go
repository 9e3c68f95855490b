// Package service assembles the pledge service for its binary and for the
// tests of the services that call it, which run the real thing in-process
// behind a real gRPC listener instead of a stand-in.
package service

import (
	"context"
	"log/slog"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/services/pledge/internal/importflow"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"github.com/gongyak/gongyak/services/pledge/internal/server"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Schema is the pledge service's PostgreSQL schema.
const Schema = migrations.Schema

// Migrations are its schema migrations.
var Migrations = migrations.FS

// Backends are the services a card gathers its sections from, the
// importer writes to and the audit log is merged from. Without them the
// pledge service still serves everything but cards, imports and the other
// services' audit events.
type Backends = server.Backends

// Register registers the pledge service's gRPC servers and their policy
// on s, storing in pool, and makes s check API keys against its own store,
// remembering each answer for keyTTL (at most 30 s).
func Register(ctx context.Context, s grpcserver.Registrar, pool *pgxpool.Pool, backends Backends, keyTTL time.Duration) error {
	store := postgres.New(pool, server.View)
	store.CacheDistricts(pgchange.Watch(ctx, pool, postgres.DistrictChannel, nil))
	servers, err := server.New(store, backends, keyTTL, pgchange.Watch(ctx, pool, Schema+"_changes", nil))
	if err != nil {
		return err
	}
	pledgev1.RegisterDistrictServiceServer(s, servers.Districts)
	pledgev1.RegisterPledgeServiceServer(s, servers.Pledges)
	pledgev1.RegisterApiKeyServiceServer(s, servers.Keys)
	pledgev1.RegisterAuditServiceServer(s, servers.Audit)
	pledgev1.RegisterReportServiceServer(s, servers.Reports)
	s.Authorize(server.Policy(store))
	s.Authenticator().Keys = servers.KeyCheck
	return nil
}

// RecoverImports finishes, as the service itself (identity), the card
// imports a crash or an outage cut off, at once and then every interval
// until ctx ends: each rolls forward, or is undone when a service refused
// its write. Without an identity it only logs that an import waits for a
// retry of its request_id.
func RecoverImports(ctx context.Context, pool *pgxpool.Pool, backends Backends, identity Identity, log *slog.Logger, interval time.Duration) {
	server.Imports(postgres.New(pool, server.View), backends, identity, log).Recover(ctx, interval)
}

// Identity is the service acting as itself (an *auth.ServiceIdentity).
type Identity = importflow.Identity
