// Package service assembles the events service for its binary and for
// tests, which run the real thing in-process behind a real gRPC listener.
package service

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/services/events/internal/feed"
	"github.com/gongyak/gongyak/services/events/internal/server"
	"github.com/gongyak/gongyak/services/events/migrations"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Schema is the events service's PostgreSQL schema.
const Schema = migrations.Schema

// Migrations are its schema migrations.
var Migrations = migrations.FS

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
