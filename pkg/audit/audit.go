// Package audit keeps each service's audit log: every change — who, when,
// which resource, the fields before and after (personal data masked), the
// request id and the client address — written in the same transaction as
// the change, with the change's event in the service's outbox
// (pkg/outbox), and every unmasked read of personal data (개인정보
// 접속기록). Each service keeps its events in its own schema's
// audit_events table, which a trigger keeps from being changed or
// deleted; the pledge service merges the four logs into one.
package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/outbox"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Actions an event records.
const (
	Create           = "create"
	Update           = "update"
	Delete           = "delete"
	ChangeStatus     = "change_status"
	Revoke           = "revoke"
	ReadPersonalData = "read_personal_data"
)

// TableSQL is the audit_events table every service's migrations create in
// its own schema, with the trigger that keeps its rows as written. Each
// service's migration repeats it: a migration is a service's own history.
const TableSQL = `CREATE TABLE audit_events (
    id             bigserial PRIMARY KEY,
    time           timestamptz NOT NULL DEFAULT now(),
    district_id    text NOT NULL,
    actor          text NOT NULL,
    action         text NOT NULL,
    resource       text NOT NULL,
    before         jsonb,
    after          jsonb,
    request_id     text NOT NULL DEFAULT '',
    client_address text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_by_district ON audit_events (district_id, time, id);
CREATE FUNCTION audit_events_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events cannot be changed or deleted';
END $$;
CREATE TRIGGER audit_events_are_kept BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_are_kept();`

// Record writes one change to resource in q, which must be the
// transaction that makes the change. before and after are the resource as
// the API shows it to a caller without the right to personal data — nil
// where there is none (a create has no before, a delete no after); only
// the fields that differ are kept. Who, the request id and the client
// address come from ctx; when is the transaction's time. The change's
// event goes into the outbox in q too, with the whole resource as data.
func Record(ctx context.Context, q pgdb.Querier, action, resource string, before, after proto.Message) error {
	b, a, err := diff(before, after)
	if err != nil {
		return err
	}
	if err := insert(ctx, q, action, resource, b, a); err != nil {
		return err
	}
	return outbox.Write(ctx, q, outbox.Change{Action: action, Resource: resource, Before: before, After: after})
}

// View shows a resource of type T as the API shows it to a caller without
// the right to personal data: what the audit log keeps of it.
type View[T any] func(T) proto.Message

// Record writes a change to a resource, shown by v, as Record does;
// before and after are nil where there is none.
func (v View[T]) Record(ctx context.Context, q pgdb.Querier, action, resource string, before, after *T) error {
	shown := func(r *T) proto.Message {
		if r == nil {
			return nil
		}
		return v(*r)
	}
	return Record(ctx, q, action, resource, shown(before), shown(after))
}

// diff is before and after by top-level field, without the fields they
// share. The fields are compared as protos first, and only those that
// differ are written as JSON: a write that changes a pledge's status
// writes two small maps, not the whole pledge twice.
func diff(before, after proto.Message) (map[string]any, map[string]any, error) {
	before, after = differing(before, after)
	b, err := fields(before)
	if err != nil {
		return nil, nil, err
	}
	a, err := fields(after)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range b {
		if w, ok := a[k]; ok && reflect.DeepEqual(v, w) {
			delete(a, k)
			delete(b, k)
		}
	}
	return b, a, nil
}

// RecordRead writes that the caller of ctx was shown fields of resource's
// personal data unmasked.
func RecordRead(ctx context.Context, q pgdb.Querier, resource string, fieldsRead []string) error {
	return insert(ctx, q, ReadPersonalData, resource, nil, map[string]any{"fields": fieldsRead})
}

func insert(ctx context.Context, q pgdb.Querier, action, resource string, before, after map[string]any) error {
	_, err := q.Exec(ctx, insertSQL, row(ctx, action, resource, before, after)...)
	return err
}

var insertSQL = `INSERT INTO audit_events (` + strings.Join(columns, ", ") + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`

// Queue is Record for a change sent as a batch: it queues the event's
// insert in batch, so that the change and its event cost one round trip.
// The event is written when the batch is sent in the change's transaction.
func Queue(ctx context.Context, batch *pgx.Batch, action, resource string, before, after proto.Message) error {
	b, a, err := diff(before, after)
	if err != nil {
		return err
	}
	batch.Queue(insertSQL, row(ctx, action, resource, b, a)...)
	return outbox.Queue(batch, outbox.Change{Action: action, Resource: resource, Before: before, After: after})
}

// columns are those an event is written with; the others are the
// database's (its number and time).
var columns = []string{"district_id", "actor", "action", "resource", "before", "after", "request_id", "client_address"}

// row is an event's values in the order of columns.
func row(ctx context.Context, action, resource string, before, after map[string]any) []any {
	district := auth.DistrictOf(resource)
	if district == "" {
		// A system-wide resource (a cross-district API key): listed with
		// every district's events (districts/-) alone.
		district = auth.AllDistricts
	}
	return []any{district, auth.FromContext(ctx).Actor(), action, resource, jsonOrNil(before), jsonOrNil(after),
		auth.RequestID(ctx), auth.ClientAddress(ctx)}
}

// Change is one change of a batch for RecordAll: what Record is told.
type Change struct {
	Action, Resource string
	Before, After    proto.Message
}

// Copier is a transaction that copies rows in (a pgx.Tx).
type Copier interface {
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, rows pgx.CopyFromSource) (int64, error)
}

// RecordAll writes every change of a batch write in tx, the batch's
// transaction, each as Record writes one, in one statement (COPY): a
// batch of 500 creates is one round trip to the log, not 500.
func RecordAll(ctx context.Context, tx Copier, changes []Change) error {
	rows := make([][]any, 0, len(changes))
	events := make([]outbox.Change, 0, len(changes))
	for _, c := range changes {
		b, a, err := diff(c.Before, c.After)
		if err != nil {
			return err
		}
		rows = append(rows, row(ctx, c.Action, c.Resource, b, a))
		events = append(events, outbox.Change(c))
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_events"}, columns, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	return outbox.WriteAll(ctx, tx, events)
}

// differing returns before and after with only the top-level fields in
// which they differ, when both are messages of one type; else as they
// are.
func differing(before, after proto.Message) (proto.Message, proto.Message) {
	if before == nil || after == nil || reflect.ValueOf(before).IsNil() || reflect.ValueOf(after).IsNil() {
		return before, after
	}
	b, a := before.ProtoReflect(), after.ProtoReflect()
	if b.Descriptor() != a.Descriptor() {
		return before, after
	}
	ob, oa := b.New(), a.New()
	fields := b.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if b.Has(fd) && a.Has(fd) && sameField(b, a, fd) {
			continue
		}
		if b.Has(fd) {
			ob.Set(fd, b.Get(fd))
		}
		if a.Has(fd) {
			oa.Set(fd, a.Get(fd))
		}
	}
	return ob.Interface(), oa.Interface()
}

// sameField reports whether fd holds the same in a and b.
func sameField(a, b protoreflect.Message, fd protoreflect.FieldDescriptor) bool {
	x, y := a.Get(fd), b.Get(fd)
	switch {
	case fd.IsMap():
		m, n := a.New(), b.New()
		m.Set(fd, x)
		n.Set(fd, y)
		return proto.Equal(m.Interface(), n.Interface())
	case fd.IsList():
		l, k := x.List(), y.List()
		if l.Len() != k.Len() {
			return false
		}
		for i := range l.Len() {
			if !sameValue(fd, l.Get(i), k.Get(i)) {
				return false
			}
		}
		return true
	}
	return sameValue(fd, x, y)
}

// sameValue reports whether two values of fd (or of one of its elements)
// are the same.
func sameValue(fd protoreflect.FieldDescriptor, x, y protoreflect.Value) bool {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return proto.Equal(x.Message().Interface(), y.Message().Interface())
	case protoreflect.BytesKind:
		return bytes.Equal(x.Bytes(), y.Bytes())
	}
	return x.Interface() == y.Interface()
}

// ignored are fields that change with every write and say nothing of it.
var ignored = []string{"etag", "updateTime"}

// fields is m as the API writes it in JSON, by top-level field.
func fields(m proto.Message) (map[string]any, error) {
	if m == nil || reflect.ValueOf(m).IsNil() {
		return map[string]any{}, nil
	}
	raw, err := protojson.Marshal(m)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	for _, k := range ignored {
		delete(out, k)
	}
	return out, nil
}

func jsonOrNil(m map[string]any) []byte {
	if len(m) == 0 {
		return nil
	}
	raw, _ := json.Marshal(m)
	return raw
}
