// Package postgres is the participation service's store: programs and
// their records in the `participation` schema, with tallies, results and
// summaries computed in SQL. Every write runs in one transaction with its
// audit event (and its request_id record, for creates), and every update
// locks its row, refuses a stale etag, has the caller's change edit it and
// writes it in that same transaction. What is written is checked before
// the store (by the server, with the domain's rules): the store keeps it.
package postgres

import (
	"context"
	"errors"
	"time"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/proto"
)

// Store reads and writes participation records, and records every change
// in the audit log in the change's own transaction.
type Store struct {
	pool *pgxpool.Pool
	view View

	// Members, Submissions, Entries and Questions keep each kind of a
	// program's records.
	Members     *Records[participation.Member, *participation.Member]
	Submissions *Records[participation.Submission, *participation.Submission]
	Entries     *Records[participation.Entry, *participation.Entry]
	Questions   *Records[participation.Question, *participation.Question]
}

// View writes a stored value (a Program, Member, Submission, Entry,
// Question, Ballot or Response of the participation package) of a program
// in district as the API shows it to a caller who may not see personal
// data: what the audit log keeps.
type View func(district, program string, v any) proto.Message

// New returns a store on pool, whose search_path starts with the
// participation schema; view writes what the audit log records.
func New(pool *pgxpool.Pool, view View) *Store {
	s := &Store{pool: pool, view: view}
	s.Members, s.Submissions = newRecords[participation.Member](s, members), newRecords[participation.Submission](s, submissions)
	s.Entries, s.Questions = newRecords[participation.Entry](s, entries), newRecords[participation.Question](s, questions)
	return s
}

// record writes a change of resource, a program's or one of its records',
// to the audit log in q, the change's transaction; before and after are
// stored values, nil where there is none.
func (s *Store) record(ctx context.Context, q pgdb.Querier, action, resource, district, program string, before, after any) error {
	return audit.Record(ctx, q, action, resource, s.shown(district, program, before), s.shown(district, program, after))
}

// queueRecord is record for a change sent as batch: the event goes in the
// batch, to be written with it.
func (s *Store) queueRecord(ctx context.Context, batch *pgx.Batch, action, resource, district, program string, before, after any) error {
	return audit.Queue(ctx, batch, action, resource, s.shown(district, program, before), s.shown(district, program, after))
}

// shown is v as the audit log keeps it, nil for none.
func (s *Store) shown(district, program string, v any) proto.Message {
	if v == nil {
		return nil
	}
	return s.view(district, program, v)
}

// Read is one resource an answer shows unmasked, and which of its fields.
type Read struct {
	Resource string
	Fields   []string
}

// RecordReads writes that the caller of ctx is being shown personal data
// unmasked (개인정보 접속기록), one event per resource, all or none.
func (s *Store) RecordReads(ctx context.Context, reads []Read) error {
	if len(reads) == 0 {
		return nil
	}
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		for _, r := range reads {
			if err := audit.RecordRead(ctx, tx, r.Resource, r.Fields); err != nil {
				return err
			}
		}
		return nil
	})
}

// AuditEvents lists the participation service's audit events of a page.
func (s *Store) AuditEvents(ctx context.Context, page audit.Page) ([]*typev1.AuditEvent, error) {
	return audit.List(ctx, s.pool, "participation", page)
}

func dateOf(t *time.Time) participation.Date {
	if t == nil {
		return participation.Date{}
	}
	return participation.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

func sqlDate(d participation.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
	return &t
}

func sqlTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// child names a record of a program for errors and etags.
func child(district, program, collection, id string) string {
	return resourcename.ProgramRecord(collection).Format(district, program, id)
}

func notFound(err error, kind, name string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return apierr.NotFound(kind, name)
	}
	return err
}

// conflict turns a primary-key violation on a client-chosen id into
// ALREADY_EXISTS.
func conflict(err error, name string) error {
	if pgdb.IsCode(err, pgdb.UniqueViolation) {
		return apierr.AlreadyExists("%s already exists", name)
	}
	return err
}

// lockRecord locks a record of a program, one of table's called noun,
// against concurrent writes and refuses a stale etag.
func lockRecord(ctx context.Context, tx pgx.Tx, table, noun, district, program, id, tag string) error {
	name := child(district, program, table, id)
	var revision int64
	err := tx.QueryRow(ctx, `SELECT revision FROM `+table+` WHERE district_id = $1 AND program_id = $2 AND id = $3 FOR UPDATE`,
		district, program, id).Scan(&revision)
	if err != nil {
		return notFound(err, noun, name)
	}
	return etag.Check(tag, name, revision)
}
