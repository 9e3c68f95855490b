// Package service assembles the events service for its binary and for
// tests, which run the real thing in-process behind a real gRPC listener.
package service

import (
	"context"
	"io"
	"log/slog"
	"os"

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
