package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/codes"
)

// errAlreadyVoted refuses a second ballot of one citizen; it names the
// field, never the citizen.
func errAlreadyVoted() error {
	return &apierr.Error{
		Code: codes.AlreadyExists, Reason: "ALREADY_VOTED",
		Message:    "this citizen has already voted in this evaluation; one ballot per citizen",
		Violations: []apierr.FieldViolation{{Field: "ballot.citizen_id", Description: "has voted in this evaluation already"}},
	}
}

// CastBallot records a ballot once: a retry with the same request id
// returns the first ballot, and a second ballot of the same citizen —
// even one racing the first — is refused, so every citizen counts once.
// check sees the program and its entries before anything is written and
// says when the ballot counts as cast.
//
// Ballots of one evaluation run side by side: each holds the program
// FOR SHARE, which a change of the program (closing the vote) waits for.
// Past the request id, a ballot costs two round trips: the program with
// its entries, then the ballot, its scores and its audit event as one
// batch.
func (s *Store) CastBallot(ctx context.Context, district, program string, b participation.Ballot, key idempotency.Key,
	check func(p participation.Program, entries map[string]bool) (time.Time, error)) (participation.Ballot, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (participation.Ballot, error) {
		p, entries, written, err := lockEvaluation(ctx, tx, district, program)
		if err != nil {
			return b, err
		}
		if b.Cast, err = check(p, entries); err != nil {
			return b, err
		}
		hash := b.CitizenHash
		b.CitizenHash = nil // never leaves the store, nor reaches the audit log
		batch := &pgx.Batch{}
		var cast int
		var castErr error
		// The ballot's update_time is its transaction's time, which the
		// audit event, queued with it, shows too.
		b.Updated = written
		batch.Queue(castSQL, append([]any{district, program, b.ID, hash, b.Cast}, scoreArrays(b.Scores)...)...).QueryRow(func(row pgx.Row) error {
			castErr = row.Scan(&cast)
			return castErr
		})
		if err := s.queueRecord(ctx, batch, audit.Create, child(district, program, "ballots", b.ID), district, program, nil, b); err != nil {
			return b, err
		}
		err = tx.SendBatch(ctx, batch).Close()
		switch {
		case castErr != nil:
			return b, conflict(castErr, child(district, program, "ballots", b.ID))
		case err != nil:
			return b, err
		case cast == 0:
			return b, errAlreadyVoted()
		}
		return b, nil
	})
}

// castSQL inserts a ballot ($1–$5) and its scores (entry ids $6, scores
// $7) in one statement and counts the ballots inserted: none when the
// citizen has voted already.
const castSQL = `WITH ballot AS (
		INSERT INTO ballots (district_id, program_id, id, citizen_hash, cast_time) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT ON CONSTRAINT ballots_one_per_citizen DO NOTHING
		RETURNING district_id, program_id, id),
	scores AS (
		INSERT INTO ballot_scores (district_id, program_id, ballot_id, entry_id, score)
		SELECT ballot.district_id, ballot.program_id, ballot.id, s.entry_id, s.score
		FROM ballot, unnest($6::text[], $7::integer[]) AS s (entry_id, score))
	SELECT count(*) FROM ballot`

// scoreArrays are a ballot's scores as castSQL takes them: entry ids and
// scores, side by side.
func scoreArrays(scores []participation.BallotScore) []any {
	entries, values := make([]string, len(scores)), make([]int32, len(scores))
	for i, sc := range scores {
		entries[i], values[i] = sc.EntryID, int32(sc.Score)
	}
	return []any{entries, values}
}

// ListBallots returns a page of a program's ballots, without who cast them.
func (s *Store) ListBallots(ctx context.Context, p Page) ([]participation.Ballot, string, error) {
	out, next, err := listFiltered(ctx, s.pool, p, "ballots", `id, cast_time, update_time, sort_key`, updateTimeFilter,
		func(row pgx.Row) (participation.Ballot, string, string, error) {
			var b participation.Ballot
			var key string
			err := row.Scan(&b.ID, &b.Cast, &b.Updated, &key)
			return b, key, b.ID, err
		})
	if err != nil || len(out) == 0 {
		return out, next, err
	}
	ids := make([]string, len(out))
	byID := map[string]*participation.Ballot{}
	for i := range out {
		ids[i] = out[i].ID
		byID[out[i].ID] = &out[i]
	}
	rows, err := s.pool.Query(ctx, `SELECT ballot_id, entry_id, score FROM ballot_scores
		WHERE district_id = $1 AND program_id = $2 AND ballot_id = ANY($3) ORDER BY ballot_id, entry_id`, p.District, p.Program, ids)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var sc participation.BallotScore
		if err := rows.Scan(&id, &sc.EntryID, &sc.Score); err != nil {
			return nil, "", err
		}
		byID[id].Scores = append(byID[id].Scores, sc)
	}
	return out, next, rows.Err()
}

// SubmitResponse records a survey response; a respondent known by a hash
// answers once. check sees the program and its questions first.
func (s *Store) SubmitResponse(ctx context.Context, district, program string, r participation.Response, key idempotency.Key,
	check func(p participation.Program, questions map[string]participation.Question) (time.Time, error)) (participation.Response, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (participation.Response, error) {
		p, err := lockProgram(ctx, tx, district, program)
		if err != nil {
			return r, err
		}
		rows, err := tx.Query(ctx, `SELECT `+questionColumns+` FROM (SELECT *, '' AS sort_key FROM questions) t
			WHERE district_id = $1 AND program_id = $2`, district, program)
		if err != nil {
			return r, err
		}
		qs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (participation.Question, error) {
			q, _, _, err := scanQuestion(row)
			return q, err
		})
		if err != nil {
			return r, err
		}
		questions := map[string]participation.Question{}
		for _, q := range qs {
			questions[q.ID] = q
		}
		if r.Submitted, err = check(p, questions); err != nil {
			return r, err
		}
		var hash any
		if r.CitizenHash != nil {
			hash = r.CitizenHash
		}
		err = tx.QueryRow(ctx, `INSERT INTO responses (district_id, program_id, id, citizen_hash, submit_time)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (district_id, program_id, citizen_hash) WHERE citizen_hash IS NOT NULL DO NOTHING
			RETURNING update_time`,
			district, program, r.ID, hash, r.Submitted).Scan(&r.Updated)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return r, conflict(err, child(district, program, "responses", r.ID))
		}
		if err != nil {
			return r, &apierr.Error{Code: codes.AlreadyExists, Reason: "ALREADY_RESPONDED",
				Message:    "this citizen has already answered this survey",
				Violations: []apierr.FieldViolation{{Field: "response.citizen_id", Description: "has answered this survey already"}}}
		}
		batch := &pgx.Batch{}
		for _, a := range r.Answers {
			var scale any
			if questions[a.QuestionID].Kind == participation.QuestionScale {
				scale = a.Scale
			}
			choices := a.Choices
			if choices == nil {
				choices = []int{}
			}
			batch.Queue(`INSERT INTO answers (district_id, program_id, response_id, question_id, scale_value, choices, text)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, district, program, r.ID, a.QuestionID, scale, choices, a.Text)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return r, err
		}
		r.CitizenHash = nil
		return r, s.record(ctx, tx, audit.Create, child(district, program, "responses", r.ID), district, program, nil, r)
	})
}

// ListResponses returns a page of a survey's responses with their answers.
func (s *Store) ListResponses(ctx context.Context, p Page) ([]participation.Response, string, error) {
	out, next, err := listFiltered(ctx, s.pool, p, "responses", `id, submit_time, update_time, sort_key`, updateTimeFilter,
		func(row pgx.Row) (participation.Response, string, string, error) {
			var r participation.Response
			var key string
			err := row.Scan(&r.ID, &r.Submitted, &r.Updated, &key)
			return r, key, r.ID, err
		})
	if err != nil || len(out) == 0 {
		return out, next, err
	}
	ids := make([]string, len(out))
	byID := map[string]*participation.Response{}
	for i := range out {
		ids[i] = out[i].ID
		byID[out[i].ID] = &out[i]
	}
	rows, err := s.pool.Query(ctx, `SELECT response_id, question_id, coalesce(scale_value, 0), choices, text FROM answers
		WHERE district_id = $1 AND program_id = $2 AND response_id = ANY($3) ORDER BY response_id, question_id`, p.District, p.Program, ids)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var a participation.Answer
		if err := rows.Scan(&id, &a.QuestionID, &a.Scale, &a.Choices, &a.Text); err != nil {
			return nil, "", err
		}
		byID[id].Answers = append(byID[id].Answers, a)
	}
	return out, next, rows.Err()
}
