// Command pledge serves the pledge service: districts, their terms and
// departments, and pledges with every prose and log section of their cards.
package main

import (
	"context"
	"log/slog"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"github.com/gongyak/gongyak/services/pledge/internal/server"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
)

func main() {
	service.Main(service.Spec{
		Name:       "pledge",
		Schema:     migrations.Schema,
		Migrations: migrations.FS,
		Register: func(_ context.Context, s *grpc.Server, pool *pgxpool.Pool, _ *slog.Logger) (func(), error) {
			districts, pledges := server.New(postgres.New(pool))
			pledgev1.RegisterDistrictServiceServer(s, districts)
			pledgev1.RegisterPledgeServiceServer(s, pledges)
			return nil, nil
		},
	})
}
