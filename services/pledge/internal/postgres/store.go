// Package postgres is the pledge service's store: districts, terms,
// departments, pledges and their status history in the `pledge` schema.
// Every write runs in one transaction together with its request_id record,
// so a retried write replays its first result.
package postgres

import (
	"context"
	"errors"
	"time"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

// Store reads and writes the pledge service's data, and records every
// change in the audit log in the change's own transaction.
type Store struct {
	pool *pgxpool.Pool
	view View
	// districts, when set (CacheDistricts), keeps the districts read.
	districts *pgchange.Cache[string, pledge.District]
}

// View writes a stored value (a District, Department, PledgeWithTerm or
// APIKey) as the API shows it, which is what the audit log keeps.
type View func(v any) proto.Message

// New returns a store on pool, whose search_path must start with the
// pledge schema; view writes what the audit log records.
func New(pool *pgxpool.Pool, view View) *Store { return &Store{pool: pool, view: view} }

// record writes a change of resource to the audit log in q, the change's
// transaction; before and after are stored values, nil where there is
// none.
func (s *Store) record(ctx context.Context, q pgdb.Querier, action, resource string, before, after any) error {
	shown := func(v any) proto.Message {
		if v == nil {
			return nil
		}
		return s.view(v)
	}
	return audit.Record(ctx, q, action, resource, shown(before), shown(after))
}

// Ping checks the database answers, for readiness.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

func toDate(t time.Time) pledge.Date {
	return pledge.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

func fromDate(d pledge.Date) time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// ignoreNotFound returns err unless it is a NOT_FOUND, for a question
// whose answer is no when the thing asked of does not exist.
func ignoreNotFound(err error) error {
	if e, ok := errors.AsType[*apierr.Error](err); ok && e.Code == codes.NotFound {
		return nil
	}
	return err
}

func notFound(err error, notFound error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound
	}
	return err
}

// lockDistrict reads a district's current term and whether it exists,
// holding it against concurrent changes of its terms.
func lockDistrict(ctx context.Context, q pgdb.Querier, id string) (pledge.District, error) {
	d, err := getDistrict(ctx, q, id, " FOR SHARE")
	return d, err
}

// AuditEvents lists the pledge service's own audit events of a page.
func (s *Store) AuditEvents(ctx context.Context, page audit.Page) ([]*typev1.AuditEvent, error) {
	return audit.List(ctx, s.pool, "pledge", page)
}

// Pool is the store's connection pool, for the district's bulk export and
// import (pkg/bulk), which read and write the tables row by row.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
