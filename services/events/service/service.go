// Package service assembles the events service for its binary and for
// tests, which run the real thing in-process behind a real gRPC listener.
package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/services/events/internal/dispatch"
	"github.com/gongyak/gongyak/services/events/internal/feed"
	"github.com/gongyak/gongyak/services/events/internal/postgres"
	"github.com/gongyak/gongyak/services/events/internal/server"
	"github.com/gongyak/gongyak/services/events/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Schema is the events service's PostgreSQL schema.
const Schema = migrations.Schema

// Migrations are its schema migrations.
var Migrations = migrations.FS

// RegisterFeedAndWebhooks registers the change feed and the webhooks on s
// as the binary serves them: over the message system at natsURL, which the
// feed is read off, with the webhooks' tables on pool and their dispatcher
// delivering until ctx ends or stop is called; stop also closes the
// connection.
func RegisterFeedAndWebhooks(ctx context.Context, s grpcserver.Registrar, pool *pgxpool.Pool, natsURL string, log *slog.Logger) (stop func(), err error) {
	if natsURL == "" {
		return nil, errors.New("GONGYAK_NATS_URL is not set: the events service reads the change feed from NATS")
	}
	nc, err := ConnectNATS(natsURL, log)
	if err != nil {
		return nil, err
	}
	if err := Register(s, nc, log); err != nil {
		nc.Close()
		return nil, err
	}
	dctx, stopDispatch := context.WithCancel(ctx)
	if err := RegisterWebhooks(dctx, s, pool, nc, DefaultWebhooks(), log); err != nil {
		stopDispatch()
		nc.Close()
		return nil, err
	}
	return func() { stopDispatch(); nc.Close() }, nil
}

// ConnectNATS connects to the message system at url. A message system
// that is away at start, or goes away later, is connected to again
// without end: meanwhile the feed answers UNAVAILABLE, and the service
// stays ready (its readiness is its own database's).
func ConnectNATS(url string, log *slog.Logger) (*nats.Conn, error) {
	nc, err := nats.Connect(url,
		nats.Name("gongyak-events"),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("message system disconnected", "error", err.Error())
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("message system connected again") }),
	)
	if err != nil {
		return nil, fmt.Errorf("nats %s: %w", url, err)
	}
	return nc, nil
}

// Register registers the events service and its policy on s, reading the
// change stream over nc. A nil log discards.
func Register(s grpcserver.Registrar, nc *nats.Conn, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	eventsv1.RegisterChangeServiceServer(s, server.New(feed.New(js, log)))
	s.Authorize(server.Policy())
	return nil
}

// Webhooks configures the webhooks: GONGYAK_WEBHOOK_ALLOW_PRIVATE lets
// targets on private addresses through (tests only).
type Webhooks = dispatch.Config

// DefaultWebhooks is the webhooks' configuration, AllowPrivate from the
// environment.
func DefaultWebhooks() Webhooks {
	cfg := dispatch.DefaultConfig()
	cfg.Targets.AllowPrivate = os.Getenv("GONGYAK_WEBHOOK_ALLOW_PRIVATE") != ""
	return cfg
}

// RegisterWebhooks registers the WebhookService and its policy on s, with
// its tables on pool, and starts the dispatcher delivering until ctx ends.
func RegisterWebhooks(ctx context.Context, s grpcserver.Registrar, pool *pgxpool.Pool, nc *nats.Conn, cfg Webhooks, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	store := postgres.New(pool)
	d := dispatch.New(cfg, store, js, log)
	eventsv1.RegisterWebhookServiceServer(s, server.NewWebhooks(store, cfg.Targets, d.Wake))
	s.Authorize(server.WebhookPolicy())
	go d.Run(ctx)
	return nil
}
