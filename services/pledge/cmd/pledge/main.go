// Command pledge serves the pledge service: districts, their terms and
// departments, pledges with every prose and log section of their cards,
// and the whole card assembled from every service, imported from text and
// rendered back.
package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	pledgeservice "github.com/gongyak/gongyak/services/pledge/service"
)

func main() {
	var budgetAddr, indicatorAddr, participationAddr string
	var sectionTimeout, importLease time.Duration
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
			config.Duration(fs, &importLease, "import-lease", "GONGYAK_IMPORT_LEASE", 15*time.Second,
				"how long a card import is held by the process running it; after a crash, another takes it up once this runs out")
		},
		Register: func(ctx context.Context, s *grpcserver.Server, deps service.Deps) (func(), error) {
			backends, closeConns, err := pledgeservice.Dial(budgetAddr, indicatorAddr, participationAddr, sectionTimeout)
			if err != nil {
				return nil, err
			}
			if importLease < time.Second {
				return nil, fmt.Errorf("GONGYAK_IMPORT_LEASE=%s: at least 1s", importLease)
			}
			backends.ImportLease = importLease
			if err := pledgeservice.Register(ctx, s, deps.Pool, backends, deps.KeyCacheTTL); err != nil {
				closeConns()
				return nil, err
			}
			// Imports cut off by a crash are finished by the service
			// itself, from the start and then every 5 s or a third of
			// the lease (a query of an index, when there is none).
			rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
			done := make(chan struct{})
			go func() {
				defer close(done)
				var identity pledgeservice.Identity
				if deps.Identity != nil {
					identity = deps.Identity
				}
				pledgeservice.RecoverImports(rctx, deps.Pool, backends, identity, deps.Log, min(5*time.Second, importLease/3))
			}()
			return func() { stop(); <-done; closeConns() }, nil
		},
	})
}
