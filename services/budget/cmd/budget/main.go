// Command budget serves the budget service: each pledge's investment plan
// by funding source and year, and the summaries reporting reads.
package main

import (
	"context"
	"flag"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/budget/migrations"
	budgetservice "github.com/gongyak/gongyak/services/budget/service"
)

func main() {
	var pledgeAddr string
	service.Main(service.Spec{
		Name:       "budget",
		Schema:     migrations.Schema,
		Migrations: migrations.FS,
		Flags:      func(fs *flag.FlagSet) { config.Addr(fs, &pledgeAddr, "pledge") },
		Register: func(ctx context.Context, s *grpcserver.Server, deps service.Deps) (func(), error) {
			conn, err := grpcclient.Dial(pledgeAddr)
			if err != nil {
				return nil, err
			}
			if err := service.KeysThroughPledge(s, conn, deps.KeyCacheTTL); err != nil {
				conn.Close()
				return nil, err
			}
			budgetservice.Register(ctx, s, deps.Pool, conn, deps.Log)
			return func() { conn.Close() }, nil
		},
	})
}
