// Command events serves the events service: the change feed of every
// district, read off the message system the services publish their
// changes to (and, next, the webhooks).
package main

import (
	"context"
	"errors"
	"flag"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/events/migrations"
	eventsservice "github.com/gongyak/gongyak/services/events/service"
)

func main() {
	var pledgeAddr string
	service.Main(service.Spec{
		Name:       "events",
		Schema:     migrations.Schema,
		Migrations: migrations.FS,
		Flags: func(fs *flag.FlagSet) {
			config.Addr(fs, &pledgeAddr, "pledge")
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
			// The feed is read off the message system the services
			// publish to (--nats-url, GONGYAK_NATS_URL).
			if deps.NATSURL == "" {
				conn.Close()
				return nil, errors.New("GONGYAK_NATS_URL is not set: the events service reads the change feed from NATS")
			}
			nc, err := eventsservice.ConnectNATS(deps.NATSURL, deps.Log)
			if err != nil {
				conn.Close()
				return nil, err
			}
			if err := eventsservice.Register(s, nc, deps.Log); err != nil {
				nc.Close()
				conn.Close()
				return nil, err
			}
			// The webhooks' dispatcher runs until the service stops.
			dctx, stopDispatch := context.WithCancel(ctx)
			if err := eventsservice.RegisterWebhooks(dctx, s, deps.Pool, nc, eventsservice.DefaultWebhooks(), deps.Log); err != nil {
				stopDispatch()
				nc.Close()
				conn.Close()
				return nil, err
			}
			return func() { stopDispatch(); nc.Close(); conn.Close() }, nil
		},
	})
}
