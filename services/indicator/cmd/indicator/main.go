// Command indicator serves the indicator service: performance indicators
// of pledges, their yearly targets and actuals, and how far each is
// achieved.
package main

import (
	"context"
	"flag"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/indicator/migrations"
	indicatorservice "github.com/gongyak/gongyak/services/indicator/service"
)

func main() {
	var pledgeAddr string
	service.Main(service.Spec{
		Name:       "indicator",
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
			indicatorservice.Register(ctx, s, deps.Pool, conn, time.Now)
			return func() { conn.Close() }, nil
		},
	})
}
