package pgdb

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// writes watches a pool's statements for those that write, to tell
// OnWrite's functions; it sits beside otelpgx's tracer in the pool's
// multitracer.
type writes struct {
	// wrote are told of every write the pool's connections made that is
	// now committed; replaced whole under adding, read without a lock.
	wrote  atomic.Pointer[[]func()]
	adding sync.Mutex
}

// TraceQueryStart does nothing: a write is known by its command tag.
func (w *writes) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

// TraceQueryEnd tells of a statement that wrote.
func (w *writes) TraceQueryEnd(_ context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	w.told(data.Err, data.CommandTag)
}

// TraceBatchStart does nothing: each query of the batch tells.
func (w *writes) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

// TraceBatchQuery tells of a statement of a batch that wrote.
func (w *writes) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	w.told(data.Err, data.CommandTag)
}

// TraceBatchEnd does nothing.
func (w *writes) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// told tells OnWrite's functions of a statement that wrote, once it is
// committed or in a transaction (where its COMMIT tells again).
func (w *writes) told(err error, tag pgconn.CommandTag) {
	fs := w.wrote.Load()
	if fs == nil || err != nil {
		return
	}
	word, _, _ := strings.Cut(tag.String(), " ")
	switch word {
	case "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "COMMIT":
		for _, f := range *fs {
			f()
		}
	}
}

// onWrite adds f to those told of writes.
func (w *writes) onWrite(f func()) {
	w.adding.Lock()
	defer w.adding.Unlock()
	var fs []func()
	if old := w.wrote.Load(); old != nil {
		fs = append(fs, *old...)
	}
	fs = append(fs, f)
	w.wrote.Store(&fs)
}
