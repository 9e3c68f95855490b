package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RegisterAndRecover registers the pledge service on s as the binary
// serves it (Register), with backends dialled as calls say (lazily: they
// may start later), and finishes as identity the imports a crash cut off,
// from the start and then every 5 s or a third of the lease, until stop is
// called; stop also closes the connections. A nil identity only logs the
// imports that wait.
func RegisterAndRecover(ctx context.Context, s grpcserver.Registrar, pool *pgxpool.Pool, calls Calls, keyTTL time.Duration,
	identity *auth.ServiceIdentity, log *slog.Logger) (stop func(), err error) {
	if calls.ImportLease < time.Second {
		return nil, fmt.Errorf("GONGYAK_IMPORT_LEASE=%s: at least 1s", calls.ImportLease)
	}
	backends, closeConns, err := dial(calls)
	if err != nil {
		return nil, err
	}
	if err := Register(ctx, s, pool, backends, keyTTL); err != nil {
		closeConns()
		return nil, err
	}
	var id Identity
	if identity != nil { // not a typed nil in the interface
		id = identity
	}
	rctx, stopRecover := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		RecoverImports(rctx, pool, backends, id, log, min(5*time.Second, calls.ImportLease/3))
	}()
	return func() { stopRecover(); <-done; closeConns() }, nil
}
