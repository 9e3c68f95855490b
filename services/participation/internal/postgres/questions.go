package postgres

import (
	"context"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
)

const questionColumns = `id, text, kind, options, scale_min, scale_max, required, position, revision, create_time, update_time, sort_key`

func scanQuestion(row pgx.Row) (participation.Question, string, string, error) {
	var q participation.Question
	var key string
	err := row.Scan(&q.ID, &q.Text, &q.Kind, &q.Options, &q.ScaleMin, &q.ScaleMax, &q.Required, &q.Position, &q.Revision,
		&q.Created, &q.Updated, &key)
	return q, key, q.ID, err
}

func getQuestion(ctx context.Context, q pgdb.Querier, district, program, id string) (participation.Question, error) {
	qu, _, _, err := scanQuestion(q.QueryRow(ctx, `SELECT `+questionColumns+` FROM (SELECT *, '' AS sort_key FROM questions) t WHERE district_id = $1 AND program_id = $2 AND id = $3`,
		district, program, id))
	return qu, notFound(err, "question", child(district, program, "questions", id))
}

// GetQuestion returns one survey question.
func (s *Store) GetQuestion(ctx context.Context, district, program, id string) (participation.Question, error) {
	return getQuestion(ctx, s.pool, district, program, id)
}

// ListQuestions lists a survey's questions by position.
func (s *Store) ListQuestions(ctx context.Context, p Page) ([]participation.Question, string, error) {
	return listFiltered(ctx, s.pool, p, "questions", questionColumns, updateTimeFilter, scanQuestion)
}

// CreateQuestion adds a question the caller has checked; one without a
// position goes last.
func (s *Store) CreateQuestion(ctx context.Context, district, program string, q participation.Question, key idempotency.Key) (participation.Question, error) {
	return create(ctx, s, key, "questions", district, program, q.ID, getQuestion, func(tx pgx.Tx, _ participation.Program) error {
		if err := nextPosition(ctx, tx, "questions", district, program, &q.Position); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO questions (district_id, program_id, id, position, text, kind, options, scale_min, scale_max, required)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, district, program, q.ID, q.Position, q.Text, q.Kind, nonNil(q.Options), q.ScaleMin, q.ScaleMax, q.Required)
		return err
	})
}

// UpdateQuestion applies change to a question that has no answers yet, in
// one transaction, refusing a stale etag, and checks the result before
// writing it.
func (s *Store) UpdateQuestion(ctx context.Context, district, program, id, tag string, change func(*participation.Question) error) (participation.Question, error) {
	name := child(district, program, "questions", id)
	return update(ctx, s, "questions", district, program, id, tag, getQuestion, change, func(tx pgx.Tx, q participation.Question) error {
		var answered bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM answers WHERE district_id = $1 AND program_id = $2 AND question_id = $3)`,
			district, program, id).Scan(&answered); err != nil {
			return err
		}
		if answered {
			return apierr.FailedPrecondition("%s has answers already and cannot change", name)
		}
		if err := q.Check("question"); err != nil {
			return err
		}
		if err := nextPosition(ctx, tx, "questions", district, program, &q.Position); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE questions SET position = $4, text = $5, kind = $6, options = $7, scale_min = $8, scale_max = $9,
			required = $10, revision = revision + 1, update_time = now() WHERE district_id = $1 AND program_id = $2 AND id = $3`,
			district, program, id, q.Position, q.Text, q.Kind, nonNil(q.Options), q.ScaleMin, q.ScaleMax, q.Required)
		return err
	})
}
