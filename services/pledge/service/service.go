// Package service assembles the pledge service for its binary and for the
// tests of the services that call it, which run the real thing in-process
// behind a real gRPC listener instead of a stand-in.
package service

import (
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"github.com/gongyak/gongyak/services/pledge/internal/server"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
)

// Backends are the services a card gathers its sections from and the
// importer writes to. Without them the pledge service still serves
// everything but cards and imports.
type Backends = server.Backends

// Register registers the pledge service's gRPC servers on s, storing in
// pool.
func Register(s grpc.ServiceRegistrar, pool *pgxpool.Pool, backends Backends) {
	districts, pledges := server.New(postgres.New(pool), backends)
	pledgev1.RegisterDistrictServiceServer(s, districts)
	pledgev1.RegisterPledgeServiceServer(s, pledges)
}

// Dial connects to the budget, indicator and participation services
// (lazily: they may start later) and returns the backends and a function
// that closes the connections.
func Dial(budgetAddr, indicatorAddr, participationAddr string, sectionTimeout time.Duration) (Backends, func(), error) {
	var conns []*grpc.ClientConn
	closeAll := func() {
		for _, c := range conns {
			c.Close()
		}
	}
	for _, addr := range []string{budgetAddr, indicatorAddr, participationAddr} {
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
		SectionTimeout: sectionTimeout,
	}, closeAll, nil
}

// Schema and Migrations are the pledge service's, for test databases.
const Schema = migrations.Schema

// Migrations are the pledge service's schema migrations.
var Migrations = migrations.FS
