package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
)

// RegisterFeedAndWebhooks registers the change feed and the webhooks on s
// as the binary serves them: over the message system at natsURL, which the
// feed is read off, with the webhooks' tables on pool and their dispatcher
// delivering until ctx ends or stop is called; stop also closes the
// connection.
func RegisterFeedAndWebhooks(ctx context.Context, s grpcserver.Registrar, pool *pgxpool.Pool, natsURL string, log *slog.Logger) (stop func(), err error) {
	if natsURL == "" {
		return nil, errors.New("GONGYAK_NATS_URL is not set: the events service reads the change feed from NATS")
	}
	nc, err := connectNATS(natsURL, log)
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

// connectNATS connects to the message system at url. A message system
// that is away at start, or goes away later, is connected to again
// without end: meanwhile the feed answers UNAVAILABLE, and the service
// stays ready (its readiness is its own database's).
func connectNATS(url string, log *slog.Logger) (*nats.Conn, error) {
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
