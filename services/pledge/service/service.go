// Package service assembles the pledge service for its binary and for the
// tests of the services that call it, which run the real thing in-process
// behind a real gRPC listener instead of a stand-in.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/services/pledge/internal/importflow"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"github.com/gongyak/gongyak/services/pledge/internal/server"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
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

// Calls are the pledge binary's settings for the services it calls.
type Calls struct {
	// BudgetAddr, IndicatorAddr and ParticipationAddr are the addresses
	// of the services a card gathers its sections from.
	BudgetAddr, IndicatorAddr, ParticipationAddr string
	// SectionTimeout is the longest a card waits for one service's
	// section before marking it unavailable.
	SectionTimeout time.Duration
	// ImportLease is how long a card import is held by the process
	// running it (at least 1 s): after a crash, another takes it up once
	// this runs out.
	ImportLease time.Duration
}

// RegisterAndRecover registers the pledge service on s as the binary
// serves it (Register), with backends dialled as calls say (lazily: they
// may start later), and finishes as identity the imports a crash cut off,
// from the start and then every 5 s or a third of the lease, until stop is
// called; stop also closes the connections. A nil identity only logs the
// imports that wait.
func RegisterAndRecover(ctx context.Context, s grpcserver.Registrar, pool *pgxpool.Pool, calls Calls, keyTTL time.Duration,
	identity *auth.ServiceIdentity, log *slog.Logger) (stop func(), err error) {
	if calls.ImportLease < time.Second {
		return nil, fmt.Errorf("GONGYAK_IMPORT_LEASE=%s: at least 1s", calls.ImportLease)
	}
	backends, closeConns, err := dial(calls)
	if err != nil {
		return nil, err
	}
	if err := Register(ctx, s, pool, backends, keyTTL); err != nil {
		closeConns()
		return nil, err
	}
	var id Identity
	if identity != nil { // not a typed nil in the interface
		id = identity
	}
	rctx, stopRecover := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		RecoverImports(rctx, pool, backends, id, log, min(5*time.Second, calls.ImportLease/3))
	}()
	return func() { stopRecover(); <-done; closeConns() }, nil
}

// dial connects to the budget, indicator and participation services and
// returns the backends and a function that closes the connections.
func dial(calls Calls) (Backends, func(), error) {
	var conns []*grpc.ClientConn
	closeAll := func() {
		for _, c := range conns {
			c.Close()
		}
	}
	for _, addr := range []string{calls.BudgetAddr, calls.IndicatorAddr, calls.ParticipationAddr} {
		c, err := grpcclient.Dial(addr)
		if err != nil {
			closeAll()
			return Backends{}, nil, err
		}
		conns = append(conns, c)
	}
	return Backends{
		Budgets:        budgetv1.NewBudgetServiceClient(conns[0]),
		Indicators:     indicatorv1.NewIndicatorServiceClient(conns[1]),
		Participation:  participationv1.NewParticipationServiceClient(conns[2]),
		SectionTimeout: calls.SectionTimeout,
		ImportLease:    calls.ImportLease,
	}, closeAll, nil
}
