// Command events serves the events service: the change feed of every
// district, read off the message system the services publish their
// changes to (and, next, the webhooks).
package main

import (
	"context"
	"flag"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/events/migrations"
	eventsservice "github.com/gongyak/gongyak/services/events/service"
)

func main() {
	var pledgeAddr, natsURL string
	service.Main(service.Spec{
		Name:       "events",
		Schema:     migrations.Schema,
		Migrations: migrations.FS,
		Flags: func(fs *flag.FlagSet) {
			config.Addr(fs, &pledgeAddr, "pledge")
			config.String(fs, &natsURL, "nats-url", "GONGYAK_NATS_URL", eventsservice.DefaultNATSURL, "URL of the NATS server (JetStream) the services publish their changes to")
		},
		Register: func(ctx context.Context, s *grpcserver.Server, deps service.Deps) (func(), error) {
			conn, err := grpcclient.Dial(pledgeAddr)
			if err != nil {
				return nil, err
			}
			// API keys are the pledge service's.
			if err := service.KeysThroughPledge(s, conn, deps.KeyCacheTTL); err != nil {
				conn.Close()
				return nil, err
			}
			nc, err := eventsservice.ConnectNATS(natsURL, deps.Log)
			if err != nil {
				conn.Close()
				return nil, err
			}
			if err := eventsservice.Register(s, nc, deps.Log); err != nil {
				nc.Close()
				conn.Close()
				return nil, err
			}
			return func() { nc.Close(); conn.Close() }, nil
		},
	})
}
