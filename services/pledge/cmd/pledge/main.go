// Command pledge serves the pledge service: districts, their terms and
// departments, pledges with every prose and log section of their cards,
// and the whole card assembled from every service, imported from text and
// rendered back.
package main

import (
	"context"
	"flag"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	pledgeservice "github.com/gongyak/gongyak/services/pledge/service"
)

func main() {
	var calls pledgeservice.Calls
	service.Main(service.Spec{Name: "pledge", Schema: migrations.Schema, Migrations: migrations.FS,
		Flags: func(fs *flag.FlagSet) {
			config.Addr(fs, &calls.BudgetAddr, "budget")
			config.Addr(fs, &calls.IndicatorAddr, "indicator")
			config.Addr(fs, &calls.ParticipationAddr, "participation")
			config.Duration(fs, &calls.SectionTimeout, "card-section-timeout", "GONGYAK_CARD_SECTION_TIMEOUT", 2*time.Second,
				"longest a card waits for one service's section before marking it unavailable")
			config.Duration(fs, &calls.ImportLease, "import-lease", "GONGYAK_IMPORT_LEASE", 15*time.Second,
				"how long a card import is held by the process running it; after a crash, another takes it up once this runs out")
		},
		Register: func(ctx context.Context, s *grpcserver.Server, d service.Deps) (func(), error) {
			return pledgeservice.RegisterAndRecover(ctx, s, d.Pool, calls, d.KeyCacheTTL, d.Identity, d.Log)
		}})
}
