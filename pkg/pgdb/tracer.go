package pgdb

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Tracer records a client span for every query and batch. Spans carry the
// SQL text with its placeholders, never the arguments, so no personal data
// reaches a trace.
type Tracer struct {
	tracer   trace.Tracer
	database string
	// wrote are told of every write the pool's connections made that is
	// now committed (OnWrite); replaced whole under adding, read without
	// a lock.
	wrote  atomic.Pointer[[]func()]
	adding sync.Mutex
}

// NewTracer returns a Tracer for queries against database.
func NewTracer(database string) *Tracer {
	return &Tracer{tracer: otel.Tracer("github.com/gongyak/gongyak/pkg/pgdb"), database: database}
}

// operation returns the SQL's first keyword, such as SELECT, for the span
// name.
func operation(sql string) string {
	sql = strings.TrimSpace(sql)
	for strings.HasPrefix(sql, "--") {
		if i := strings.IndexByte(sql, '\n'); i >= 0 {
			sql = strings.TrimSpace(sql[i+1:])
		} else {
			return "SQL"
		}
	}
	if i := strings.IndexAny(sql, " \t\n("); i > 0 {
		sql = sql[:i]
	}
	if sql == "" {
		return "SQL"
	}
	return strings.ToUpper(sql)
}

// start starts a statement's span. Its attributes, the SQL text above all,
// are put together only for a span that records: most do not when nothing
// exports them.
func (t *Tracer) start(ctx context.Context, name string, sql func() string) context.Context {
	ctx, span := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		span.SetAttributes(
			attribute.String("db.system.name", "postgresql"),
			attribute.String("db.namespace", t.database),
			attribute.String("db.query.text", sql()),
		)
	}
	return ctx
}

func end(ctx context.Context, err error, rows int64) {
	span := trace.SpanFromContext(ctx)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	} else if rows >= 0 {
		span.SetAttributes(attribute.Int64("db.response.returned_rows", rows))
	}
	span.End()
}

// TraceQueryStart starts a span for a query.
func (t *Tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return t.start(ctx, operation(data.SQL), func() string { return data.SQL })
}

// TraceQueryEnd ends the query's span.
func (t *Tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	end(ctx, data.Err, data.CommandTag.RowsAffected())
	t.told(data.Err, data.CommandTag)
}

// told tells OnWrite's functions of a statement that wrote, once it is
// committed or in a transaction (where its COMMIT tells again).
func (t *Tracer) told(err error, tag pgconn.CommandTag) {
	fs := t.wrote.Load()
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
func (t *Tracer) onWrite(f func()) {
	t.adding.Lock()
	defer t.adding.Unlock()
	var fs []func()
	if old := t.wrote.Load(); old != nil {
		fs = append(fs, *old...)
	}
	fs = append(fs, f)
	t.wrote.Store(&fs)
}

// TraceBatchStart starts a span for a batch of queries.
func (t *Tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	return t.start(ctx, "BATCH", func() string {
		var sqls []string
		if data.Batch != nil {
			for _, q := range data.Batch.QueuedQueries {
				sqls = append(sqls, q.SQL)
			}
		}
		return strings.Join(sqls, ";\n")
	})
}

// TraceBatchQuery is called for each query of a batch; the batch's span
// covers them.
func (t *Tracer) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	t.told(data.Err, data.CommandTag)
}

// TraceBatchEnd ends the batch's span.
func (t *Tracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	end(ctx, data.Err, -1)
}
