package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
)

const submissionColumns = `id, title, description, proposer_name, proposer_phone, proposer_email, receive_time, scores,
	coalesce((SELECT round(avg((x->>'score')::numeric), 2)::text FROM jsonb_array_elements(scores) x), ''),
	selected, award, award_rank, revision, create_time, update_time, sort_key`

func scanSubmission(row pgx.Row) (participation.Submission, string, string, error) {
	var s participation.Submission
	var key string
	err := row.Scan(&s.ID, &s.Title, &s.Description, &s.Proposer.Name, &s.Proposer.Phone, &s.Proposer.Email, &s.Received,
		&s.Scores, &s.MeanScore, &s.Selected, &s.Award, &s.AwardRank, &s.Revision, &s.Created, &s.Updated, &key)
	return s, key, s.ID, err
}

func getSubmission(ctx context.Context, q pgdb.Querier, district, program, id string) (participation.Submission, error) {
	s, _, _, err := scanSubmission(q.QueryRow(ctx, `SELECT `+submissionColumns+` FROM (SELECT *, '' AS sort_key FROM submissions) t
		WHERE district_id = $1 AND program_id = $2 AND id = $3`, district, program, id))
	return s, notFound(err, "submission", child(district, program, "submissions", id))
}

// GetSubmission returns one submission.
func (s *Store) GetSubmission(ctx context.Context, district, program, id string) (participation.Submission, error) {
	return getSubmission(ctx, s.pool, district, program, id)
}

// ListSubmissions lists a program's submissions in the order they came,
// filtered on selected and award_rank.
func (s *Store) ListSubmissions(ctx context.Context, p Page) ([]participation.Submission, string, error) {
	cond, args, err := filter.SQL(p.Filter, filter.Schema{
		"selected":    {Column: "selected", Kind: filter.Bool},
		"award_rank":  {Column: "award_rank", Kind: filter.Int},
		"update_time": {Column: "update_time", Kind: filter.Time},
	}, 4)
	if err != nil {
		return nil, "", err
	}
	return list(ctx, s.pool, p, "submissions", submissionColumns, cond, args, scanSubmission)
}

// CreateSubmission adds a submission. admit sees the program, locked, and
// says when the submission counts as received (the program's window is
// checked in the transaction that writes).
func (s *Store) CreateSubmission(ctx context.Context, district, program string, sub participation.Submission, key idempotency.Key,
	admit func(participation.Program) (time.Time, error)) (participation.Submission, error) {
	return create(ctx, s, key, "submissions", district, program, sub.ID, getSubmission, func(tx pgx.Tx, p participation.Program) error {
		var err error
		if sub.Received, err = admit(p); err != nil {
			return err
		}
		scores, _ := json.Marshal(nonNilScores(sub.Scores))
		_, err = tx.Exec(ctx, `INSERT INTO submissions (district_id, program_id, id, title, description, proposer_name,
			proposer_phone, proposer_email, receive_time, scores, selected, award, award_rank)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			district, program, sub.ID, sub.Title, sub.Description, sub.Proposer.Name, sub.Proposer.Phone, sub.Proposer.Email,
			sub.Received, scores, sub.Selected, sub.Award, sub.AwardRank)
		return err
	})
}

func nonNilScores(s []participation.JudgeScore) []participation.JudgeScore {
	if s == nil {
		return []participation.JudgeScore{}
	}
	return s
}

// UpdateSubmission applies change (judging: scores, selection, award) to a
// submission in one transaction, refusing a stale etag, and checks the
// result before writing it. When it was received does not change.
func (s *Store) UpdateSubmission(ctx context.Context, district, program, id, tag string, change func(*participation.Submission) error) (participation.Submission, error) {
	return update(ctx, s, "submissions", district, program, id, tag, getSubmission, change, func(tx pgx.Tx, sub participation.Submission) error {
		if err := sub.Check("submission"); err != nil {
			return err
		}
		scores, _ := json.Marshal(nonNilScores(sub.Scores))
		_, err := tx.Exec(ctx, `UPDATE submissions SET title = $4, description = $5, proposer_name = $6, proposer_phone = $7,
			proposer_email = $8, scores = $9, selected = $10, award = $11, award_rank = $12, revision = revision + 1,
			update_time = now() WHERE district_id = $1 AND program_id = $2 AND id = $3`,
			district, program, id, sub.Title, sub.Description, sub.Proposer.Name, sub.Proposer.Phone, sub.Proposer.Email,
			scores, sub.Selected, sub.Award, sub.AwardRank)
		return err
	})
}
