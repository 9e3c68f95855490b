package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/batch"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/codes"
)

// The batch writes of a program's records: every record of a batch in
// one transaction with the program held, each checked as its single
// method checks it, an id taken (stored, or earlier in the batch) refusing
// the batch with ALREADY_EXISTS naming each, a statement (COPY) per table,
// and each record's audit event as the single method writes it.

// CreateAll adds the records of a batch (of members or submissions: the
// kinds with batches). admit, when set, sees the program, held, and
// completes or refuses the i-th record as Create's admit does; its faults
// are added to v, what the caller found wrong already, and any refuses
// the batch.
func (r *Records[T, PT]) CreateAll(ctx context.Context, district, program string, vs []T, v apierr.Violations,
	key idempotency.Key, admit func(p participation.Program, i int, v *T) error) ([]T, error) {
	ids := make([]string, len(vs))
	for i := range vs {
		ids[i] = PT(&vs[i]).Base().ID
	}
	rows := make([][]any, len(vs))
	admitAll := func(p participation.Program) error {
		var refused error
		for i := range vs {
			if admit != nil {
				if err := admit(p, i, &vs[i]); err != nil && !batch.Merge(&v, i, err) && refused == nil {
					refused = batch.Item(i, err)
				}
			}
			rows[i] = append([]any{district, program}, r.kind.row(vs[i])...)
		}
		if err := v.Err(); err != nil {
			return err
		}
		return refused
	}
	return createAll(ctx, r.store, key, r.kind, district, program, ids, admitAll, func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{r.kind.table}, append([]string{"district_id", "program_id"}, r.kind.copied...),
			pgx.CopyFromRows(rows))
		return err
	})
}

// BatchCastBallots records ballots, each citizen once: a citizen who has
// voted, or votes twice in the batch, refuses the batch with
// ALREADY_EXISTS naming each such ballot's citizen_id, never the citizen.
// check sees the program and its entries and says when the i-th ballot
// counts as cast, naming its faults as CreateBallot's check does; they
// are added to v, what the caller found wrong already, and any refuses
// the batch.
func (s *Store) BatchCastBallots(ctx context.Context, district, program string, bs []participation.Ballot, v apierr.Violations,
	key idempotency.Key, check func(p participation.Program, entries map[string]bool, i int) (time.Time, error)) ([]participation.Ballot, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) ([]participation.Ballot, error) {
		p, entries, written, err := lockEvaluation(ctx, tx, district, program)
		if err != nil {
			return nil, err
		}
		var refused error
		for i := range bs {
			cast, err := check(p, entries, i)
			if err != nil && !batch.Merge(&v, i, err) && refused == nil {
				refused = batch.Item(i, err)
			}
			bs[i].Cast = cast
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		if refused != nil {
			return nil, refused
		}
		if err := ballotsFree(ctx, tx, district, program, bs); err != nil {
			return nil, err
		}
		ballots := make([][]any, len(bs))
		var scores [][]any
		for i, b := range bs {
			ballots[i] = []any{district, program, b.ID, b.CitizenHash, b.Cast}
			for _, sc := range b.Scores {
				scores = append(scores, []any{district, program, b.ID, sc.EntryID, int32(sc.Score)})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"ballots"}, []string{"district_id", "program_id", "id", "citizen_hash", "cast_time"},
			pgx.CopyFromRows(ballots)); err != nil {
			if pgdb.IsCode(err, pgdb.UniqueViolation) {
				// A ballot of one of these citizens came in meanwhile.
				return nil, errAlreadyVoted()
			}
			return nil, err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"ballot_scores"}, []string{"district_id", "program_id", "ballot_id", "entry_id", "score"},
			pgx.CopyFromRows(scores)); err != nil {
			return nil, err
		}
		// The ballots' update_time is their transaction's time, as the
		// column's default wrote it.
		changes := make([]audit.Change, len(bs))
		for i := range bs {
			bs[i].Updated = written
			bs[i].CitizenHash = nil // never leaves the store, nor reaches the audit log
			changes[i] = audit.Change{Action: audit.Create, Resource: child(district, program, "ballots", bs[i].ID), After: s.view(district, program, bs[i])}
		}
		return bs, audit.RecordAll(ctx, tx, changes)
	})
}

// ballotsFree refuses ballots whose id is taken or whose citizen has
// voted in the program already, stored or earlier in the batch, naming
// each.
func ballotsFree(ctx context.Context, q pgdb.Querier, district, program string, bs []participation.Ballot) error {
	ids := make([]string, len(bs))
	hashes := make([][]byte, len(bs))
	for i, b := range bs {
		ids[i], hashes[i] = b.ID, b.CitizenHash
	}
	taken, err := takenIDs(ctx, q, "ballots", district, program, ids)
	if err != nil {
		return err
	}
	rows, err := q.Query(ctx, `SELECT citizen_hash FROM ballots WHERE district_id = $1 AND program_id = $2 AND citizen_hash = ANY($3)`,
		district, program, hashes)
	if err != nil {
		return err
	}
	voted, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, h := range voted {
		seen[string(h)] = true
	}
	e := alreadyThere("ballots", "ballot", ids, taken, func(i int) string { return batch.Field(i, "ballot_id") })
	for i, b := range bs {
		if seen[string(b.CitizenHash)] {
			e.Violations = append(e.Violations, apierr.FieldViolation{Field: batch.Field(i, "ballot.citizen_id"),
				Description: "has voted in this evaluation already, or earlier in the batch; one ballot per citizen"})
		}
		seen[string(b.CitizenHash)] = true
	}
	if len(e.Violations) == 0 {
		return nil
	}
	e.Reason = "ALREADY_VOTED"
	e.Message = fmt.Sprintf("%d ballots of the batch are there already (by id, or their citizen's); nothing was written", len(e.Violations))
	return e
}

// createAll adds the records of a batch, with ids, to a program in one
// transaction with its request id and audit events: check, when set,
// sees the program, held against change meanwhile, and refuses what it
// must; ids taken are refused next; insert writes them; they are read
// back with columns and scan.
func createAll[T any](ctx context.Context, s *Store, key idempotency.Key, k kind[T], district, program string, ids []string,
	check func(p participation.Program) error, insert func(tx pgx.Tx) error) ([]T, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) ([]T, error) {
		p, err := lockProgram(ctx, tx, district, program)
		if err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(p); err != nil {
				return nil, err
			}
		}
		taken, err := takenIDs(ctx, tx, k.table, district, program, ids)
		if err != nil {
			return nil, err
		}
		if e := alreadyThere(k.table, k.noun, ids, taken, func(i int) string { return batch.Field(i, k.noun+"_id") }); len(e.Violations) > 0 {
			return nil, e
		}
		if err := insert(tx); err != nil {
			if pgdb.IsCode(err, pgdb.UniqueViolation) {
				return nil, apierr.AlreadyExists("a record of the batch was created by someone else meanwhile; nothing was written")
			}
			return nil, err
		}
		rows, err := tx.Query(ctx, `SELECT `+k.columns+` FROM (SELECT *, '' AS sort_key FROM `+k.table+`) t
			WHERE district_id = $1 AND program_id = $2 AND id = ANY($3)`, district, program, ids)
		if err != nil {
			return nil, err
		}
		byID := map[string]T{}
		for rows.Next() {
			r, _, id, err := k.scan(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			byID[id] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out := make([]T, len(ids))
		changes := make([]audit.Change, len(ids))
		for i, id := range ids {
			out[i] = byID[id]
			changes[i] = audit.Change{Action: audit.Create, Resource: child(district, program, k.table, id), After: s.view(district, program, out[i])}
		}
		return out, audit.RecordAll(ctx, tx, changes)
	})
}

// takenIDs returns which of ids a record of table of the program has.
func takenIDs(ctx context.Context, q pgdb.Querier, table, district, program string, ids []string) (map[string]bool, error) {
	rows, err := q.Query(ctx, `SELECT id FROM `+table+` WHERE district_id = $1 AND program_id = $2 AND id = ANY($3)`, district, program, ids)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	out := map[string]bool{}
	for _, id := range found {
		out[id] = true
	}
	return out, err
}

// alreadyThere is the ALREADY_EXISTS of the records of a batch, by ids,
// whose id is taken or repeats an earlier one's; field names a request's
// id, noun one record of table. Its violations are empty when none is.
func alreadyThere(table, noun string, ids []string, taken map[string]bool, field func(i int) string) *apierr.Error {
	e := &apierr.Error{Code: codes.AlreadyExists, Reason: apierr.ReasonAlreadyExists}
	seen := map[string]bool{}
	for id := range taken {
		seen[id] = true
	}
	for i, id := range ids {
		if seen[id] {
			e.Violations = append(e.Violations, apierr.FieldViolation{Field: field(i),
				Description: fmt.Sprintf("%s %s exists already, or comes earlier in the batch", noun, id)})
		}
		seen[id] = true
	}
	e.Message = fmt.Sprintf("%d %s of the batch exist already; nothing was written", len(e.Violations), table)
	return e
}
