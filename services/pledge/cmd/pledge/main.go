// Command pledge serves the pledge service: districts, their terms and
// departments, pledges with every prose and log section of their cards,
// and the whole card assembled from every service, imported from text and
// rendered back.
package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	pledgeservice "github.com/gongyak/gongyak/services/pledge/service"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
)

func main() {
	var budgetAddr, indicatorAddr, participationAddr string
	var sectionTimeout time.Duration
	service.Main(service.Spec{
		Name:       "pledge",
		Schema:     migrations.Schema,
		Migrations: migrations.FS,
		Flags: func(fs *flag.FlagSet) {
			config.Addr(fs, &budgetAddr, "budget")
			config.Addr(fs, &indicatorAddr, "indicator")
			config.Addr(fs, &participationAddr, "participation")
			config.Duration(fs, &sectionTimeout, "card-section-timeout", "GONGYAK_CARD_SECTION_TIMEOUT", 2*time.Second,
				"longest a card waits for one service's section before marking it unavailable")
		},
		Register: func(_ context.Context, s *grpc.Server, pool *pgxpool.Pool, _ *slog.Logger) (func(), error) {
			backends, closeConns, err := pledgeservice.Dial(budgetAddr, indicatorAddr, participationAddr, sectionTimeout)
			if err != nil {
				return nil, err
			}
			pledgeservice.Register(s, pool, backends)
			return closeConns, nil
		},
	})
}
