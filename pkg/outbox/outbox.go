// Package outbox is each service's transactional outbox: every change is
// written as an event row in the change's own transaction (pkg/audit does
// it where it records the change, so no write path is missed), and the
// service's Relay publishes the rows to NATS JetStream (pkg/eventbus) and
// marks them sent. An event is in the outbox exactly when its change
// committed: none is lost with a crash, none invented by a rollback.
//
// The row does not say which service wrote it: the outbox lives in the
// service's own schema, and the relay, started by the service with its
// name, gives each event its source and type when it publishes. So the
// write path needs no service name threaded through it, and a row cannot
// carry a wrong one.
package outbox

import (
	"context"
	"reflect"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// TableSQL is the outbox table every service's migrations create in its
// own schema, with the trigger that wakes the relay at the commit of each
// transaction that wrote events (on the channel Channel names). Each
// service's migration repeats it: a migration is a service's own history.
//
// seq orders the events as they were written; id is the event's id (the
// CloudEvent id and Nats-Msg-Id); time is the transaction's time; data is
// the resource as the API shows it, masked. sent_time is set once the
// stream has acknowledged the event.
const TableSQL = `CREATE TABLE outbox (
    seq         bigserial PRIMARY KEY,
    id          uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    time        timestamptz NOT NULL DEFAULT now(),
    district_id text NOT NULL,
    action      text NOT NULL,
    resource    text NOT NULL,
    data        jsonb NOT NULL,
    sent_time   timestamptz
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_time IS NULL;
CREATE INDEX outbox_unsent_by_resource ON outbox (resource, seq) WHERE sent_time IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_time) WHERE sent_time IS NOT NULL;
CREATE FUNCTION outbox_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_written AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_written();`

// Channel is what the outbox of schema notifies at each commit that wrote
// events: the schemas share a database, so each has its own channel.
func Channel(schema string) string { return schema + "_outbox" }

// Change is one change to write as an event: an audit action (create,
// update, delete, change_status, revoke) on resource, and the resource as
// the API shows it to a caller without the right to personal data, before
// and after the change (nil where there is none).
type Change struct {
	Action, Resource string
	Before, After    proto.Message
}

// Write writes c's event in q, which must be the transaction that makes
// the change.
func Write(ctx context.Context, q pgdb.Querier, c Change) error {
	values, err := c.row()
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, insertSQL, values...)
	return err
}

// Queue is Write for a change sent as a batch: the event is written when
// the batch is sent in the change's transaction.
func Queue(batch *pgx.Batch, c Change) error {
	values, err := c.row()
	if err != nil {
		return err
	}
	batch.Queue(insertSQL, values...)
	return nil
}

// Copier is a transaction that copies rows in (a pgx.Tx).
type Copier interface {
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, rows pgx.CopyFromSource) (int64, error)
}

// WriteAll writes the events of every change of a batch write in tx, the
// batch's transaction, in one statement (COPY), in the order given.
func WriteAll(ctx context.Context, tx Copier, changes []Change) error {
	rows := make([][]any, 0, len(changes))
	for _, c := range changes {
		values, err := c.row()
		if err != nil {
			return err
		}
		rows = append(rows, values)
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"outbox"}, columns, pgx.CopyFromRows(rows))
	return err
}

// columns are those an event is written with; the others are the
// database's (its order, id and time) and the relay's (sent_time).
var columns = []string{"district_id", "action", "resource", "data"}

var insertSQL = `INSERT INTO outbox (district_id, action, resource, data) VALUES ($1, $2, $3, $4)`

// row is c's values in the order of columns: the resource after the
// change, or before it for a delete.
func (c Change) row() ([]any, error) {
	// The type's service part is the relay's; the action is checked here,
	// where a wrong one fails the write that made it rather than the relay.
	if _, err := eventbus.Type("service", eventbus.ResourceType(c.Resource), c.Action); err != nil {
		return nil, err
	}
	shown := c.After
	if isNil(shown) {
		shown = c.Before
	}
	data := []byte("null")
	if !isNil(shown) {
		var err error
		if data, err = protojson.Marshal(shown); err != nil {
			return nil, err
		}
	}
	district := auth.DistrictOf(c.Resource)
	if district == "" {
		district = eventbus.AllDistricts
	}
	return []any{district, c.Action, c.Resource, data}, nil
}

func isNil(m proto.Message) bool { return m == nil || reflect.ValueOf(m).IsNil() }
