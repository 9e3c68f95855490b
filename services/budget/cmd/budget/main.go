// Command budget serves the budget service: each pledge's investment plan
// by funding source and year, and the summaries reporting reads.
package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/budget/migrations"
	budgetservice "github.com/gongyak/gongyak/services/budget/service"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
)

func main() {
	var pledgeAddr string
	service.Main(service.Spec{
		Name:       "budget",
		Schema:     migrations.Schema,
		Migrations: migrations.FS,
		Flags:      func(fs *flag.FlagSet) { config.Addr(fs, &pledgeAddr, "pledge") },
		Register: func(_ context.Context, s *grpc.Server, pool *pgxpool.Pool, log *slog.Logger) (func(), error) {
			conn, err := grpcclient.Dial(pledgeAddr)
			if err != nil {
				return nil, err
			}
			budgetservice.Register(s, pool, conn, log)
			return func() { conn.Close() }, nil
		},
	})
}
