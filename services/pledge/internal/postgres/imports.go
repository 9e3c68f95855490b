package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/jackc/pgx/v5"
)

// ImportRecord is a card import's own record: its plan of writes to the
// other services and how far it got, kept beside the pledge it wrote.
type ImportRecord struct {
	ID, DistrictID, RequestID, Digest, PledgeID, Subject string
	// State is running, done or undone.
	State string
	// Undo is what undoing the pledge's part needs (an Imported).
	Undo Imported
	// Steps are the writes to the other services, as the workflow keeps
	// them (JSON).
	Steps json.RawMessage
	// Response is the answer: what is known of it from the start (the
	// card's warnings, the fields kept), and all of it once done; Failure
	// is why it was undone (each JSON, as the workflow writes them).
	Response, Failure json.RawMessage
	// Lease is how long the worker that records the import holds it.
	Lease time.Duration `json:"-"`
}

// Import states.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	ImportUndone  = "undone"
)

// DefaultImportLease is how long a worker holds an import it runs without
// saying so again; one that crashed lets go when it runs out, and another
// worker takes the import up.
const DefaultImportLease = 15 * time.Second

func (s *Store) insertImport(ctx context.Context, tx pgx.Tx, rec *ImportRecord, im Imported) error {
	rec.PledgeID, rec.Undo, rec.State = im.Pledge.Pledge.ID, im, ImportRunning
	undo, err := json.Marshal(im)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO imports (id, district_id, request_id, request_digest, pledge_id, subject, state, pledge_undo, steps, response, lease_until)
		VALUES ($1, $2, nullif($3, ''), $4, $5, $6, $7, $8, $9, $10, now() + $11::interval)`,
		rec.ID, rec.DistrictID, rec.RequestID, rec.Digest, rec.PledgeID, rec.Subject, rec.State, undo, rec.Steps, rec.Response, rec.Lease.String())
	if pgdb.IsCode(err, pgdb.UniqueViolation) {
		return ErrImportRequested
	}
	return err
}

// ErrImportRequested says another import with the same request_id was
// recorded first (two sends of one request at once); nothing was written.
var ErrImportRequested = errors.New("an import with this request_id was recorded first")

const importColumns = `id, district_id, coalesce(request_id, ''), request_digest, pledge_id, subject, state, pledge_undo, steps,
	response, failure`

func scanImport(row pgx.Row) (ImportRecord, error) {
	var r ImportRecord
	var undo []byte
	err := row.Scan(&r.ID, &r.DistrictID, &r.RequestID, &r.Digest, &r.PledgeID, &r.Subject, &r.State, &undo, &r.Steps, &r.Response, &r.Failure)
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(undo, &r.Undo)
}

// ImportByRequest finds the import a district's request_id started.
func (s *Store) ImportByRequest(ctx context.Context, district, requestID string) (ImportRecord, bool, error) {
	r, err := scanImport(s.pool.QueryRow(ctx, `SELECT `+importColumns+` FROM imports WHERE district_id = $1 AND request_id = $2`, district, requestID))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// ClaimImport takes a running import no worker holds, holding it for the
// lease: id's (a retry of its request_id), or with id empty the oldest
// due to be taken up again. ok is false when there is none to take.
func (s *Store) ClaimImport(ctx context.Context, id string, lease time.Duration) (ImportRecord, bool, error) {
	r, err := scanImport(s.pool.QueryRow(ctx, `UPDATE imports SET lease_until = now() + $2::interval, update_time = now()
		WHERE id = (SELECT id FROM imports WHERE state = 'running' AND lease_until < now()
				AND (id = $1 OR $1 = '' AND next_attempt < now())
			ORDER BY next_attempt LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING `+importColumns, id, lease.String()))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// SaveImportSteps records how far an import got.
func (s *Store) SaveImportSteps(ctx context.Context, id string, steps json.RawMessage) error {
	_, err := s.pool.Exec(ctx, `UPDATE imports SET steps = $2, update_time = now()
		WHERE id = $1 AND state = 'running'`, id, steps)
	return err
}

// LeaseImport holds a running import for d from now: a worker running it
// says so again before its lease runs out.
func (s *Store) LeaseImport(ctx context.Context, id string, d time.Duration) error {
	_, err := s.pool.Exec(ctx, `UPDATE imports SET lease_until = now() + $2::interval, update_time = now() WHERE id = $1 AND state = 'running'`,
		id, d.String())
	return err
}

// ReleaseImport lets go of a running import that could not go on: a retry
// of its request_id may take it up at once, workers after wait.
func (s *Store) ReleaseImport(ctx context.Context, id string, wait time.Duration) error {
	_, err := s.pool.Exec(ctx, `UPDATE imports SET lease_until = now(), next_attempt = now() + $2::interval, update_time = now()
		WHERE id = $1 AND state = 'running'`, id, wait.String())
	return err
}

// FinishImport records an import done, with its answer.
func (s *Store) FinishImport(ctx context.Context, id string, steps, response json.RawMessage) error {
	_, err := s.pool.Exec(ctx, `UPDATE imports SET state = 'done', steps = $2, response = $3, update_time = now()
		WHERE id = $1 AND state = 'running'`, id, steps, response)
	return err
}

// MarkImportUndoing records that a running import is being undone, and
// why: whoever takes it up goes on undoing it.
func (s *Store) MarkImportUndoing(ctx context.Context, id string, failure json.RawMessage) error {
	_, err := s.pool.Exec(ctx, `UPDATE imports SET failure = $2, update_time = now() WHERE id = $1 AND state = 'running'`, id, failure)
	return err
}

// AbandonImport undoes the pledge's part of a running import and records
// it undone, in one transaction, so that a crash between the two cannot
// undo it twice. The pledge's part is undone only while the pledge is as
// the import left it; failure, told whether it was left as someone
// changed it since, says why the import was undone.
func (s *Store) AbandonImport(ctx context.Context, rec ImportRecord, steps json.RawMessage, failure func(pledgeLeft bool) (json.RawMessage, error)) error {
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var state string
		if err := tx.QueryRow(ctx, `SELECT state FROM imports WHERE id = $1 FOR UPDATE`, rec.ID).Scan(&state); err != nil {
			return err
		}
		if state != ImportRunning {
			return nil
		}
		left := false
		if err := s.undoImport(ctx, tx, rec.Undo); err != nil {
			var e *apierr.Error
			if !errors.As(err, &e) || e.Reason != apierr.ReasonEtagMismatch {
				return err
			}
			left = true // nothing was written: the check comes first
		}
		why, err := failure(left)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE imports SET state = 'undone', steps = $2, failure = $3, update_time = now() WHERE id = $1`, rec.ID, steps, why)
		return err
	})
}
