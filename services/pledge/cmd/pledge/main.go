// Command pledge serves the pledge service: districts, their terms and
// departments, and pledges with every prose and log section of their cards.
package main

import (
	"context"
	"log/slog"

	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	pledgeservice "github.com/gongyak/gongyak/services/pledge/service"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
)

func main() {
	service.Main(service.Spec{
		Name:       "pledge",
		Schema:     migrations.Schema,
		Migrations: migrations.FS,
		Register: func(_ context.Context, s *grpc.Server, pool *pgxpool.Pool, _ *slog.Logger) (func(), error) {
			pledgeservice.Register(s, pool)
			return nil, nil
		},
	})
}
