// Command budget serves the budget service: each pledge's investment plan
// by funding source and year, and the summaries reporting reads.
package main

import (
	"context"

	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/budget/migrations"
	budgetservice "github.com/gongyak/gongyak/services/budget/service"
)

func main() {
	service.Main(service.Spec{Name: "budget", Schema: migrations.Schema, Migrations: migrations.FS, CallsPledge: true,
		Register: func(ctx context.Context, s *grpcserver.Server, d service.Deps) (func(), error) {
			budgetservice.Register(ctx, s, d.Pool, d.Pledge, d.Log)
			return nil, nil
		}})
}
