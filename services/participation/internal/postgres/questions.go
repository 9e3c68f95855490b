package postgres

import (
	"context"

	"github.com/gongyak/gongyak/pkg/apierr"
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

// questions are a survey's questions; one written without a position goes
// last, and one answered already no longer changes.
var questions = kind[participation.Question]{
	table: "questions", noun: "question", columns: questionColumns, scan: scanQuestion, filter: updateTimeFilter,
	position: func(q *participation.Question) *int { return &q.Position },
	insert: func(ctx context.Context, tx pgx.Tx, district, program string, q participation.Question) error {
		_, err := tx.Exec(ctx, `INSERT INTO questions (district_id, program_id, id, position, text, kind, options, scale_min, scale_max, required)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, district, program, q.ID, q.Position, q.Text, q.Kind, nonNil(q.Options), q.ScaleMin, q.ScaleMax, q.Required)
		return err
	},
	frozen: func(ctx context.Context, tx pgx.Tx, district, program, id string) error {
		var answered bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM answers WHERE district_id = $1 AND program_id = $2 AND question_id = $3)`,
			district, program, id).Scan(&answered); err != nil {
			return err
		}
		if answered {
			return apierr.FailedPrecondition("%s has answers already and cannot change", child(district, program, "questions", id))
		}
		return nil
	},
	write: func(ctx context.Context, tx pgx.Tx, district, program, id string, q participation.Question) error {
		_, err := tx.Exec(ctx, `UPDATE questions SET position = $4, text = $5, kind = $6, options = $7, scale_min = $8, scale_max = $9,
			required = $10, revision = revision + 1, update_time = now() WHERE district_id = $1 AND program_id = $2 AND id = $3`,
			district, program, id, q.Position, q.Text, q.Kind, nonNil(q.Options), q.ScaleMin, q.ScaleMax, q.Required)
		return err
	},
}
