// Command events serves the events service: the change feed of every
// district, read off the message system the services publish their
// changes to (--nats-url, GONGYAK_NATS_URL), and the webhooks.
package main

import (
	"context"

	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/events/migrations"
	eventsservice "github.com/gongyak/gongyak/services/events/service"
)

func main() {
	service.Main(service.Spec{Name: "events", Schema: migrations.Schema, Migrations: migrations.FS, CallsPledge: true,
		Register: func(ctx context.Context, s *grpcserver.Server, d service.Deps) (func(), error) {
			return eventsservice.RegisterFeedAndWebhooks(ctx, s, d.Pool, d.NATSURL, d.Log)
		}})
}
