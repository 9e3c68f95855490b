package postgres

import (
	"context"
	"encoding/json"

	"github.com/gongyak/gongyak/pkg/filter"
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

// submissions are a program's ideas, proposals and applications, listed
// in the order they came and filtered on selected and award_rank; when
// one was received does not change.
var submissions = kind[participation.Submission]{
	table: "submissions", noun: "submission", columns: submissionColumns, scan: scanSubmission,
	filter: filter.Schema{
		"selected":    {Column: "selected", Kind: filter.Bool},
		"award_rank":  {Column: "award_rank", Kind: filter.Int},
		"update_time": {Column: "update_time", Kind: filter.Time},
	},
	copied: []string{"id", "title", "description", "proposer_name", "proposer_phone", "proposer_email", "receive_time", "scores",
		"selected", "award", "award_rank"},
	row: func(sub participation.Submission) []any {
		return []any{sub.ID, sub.Title, sub.Description, sub.Proposer.Name, sub.Proposer.Phone, sub.Proposer.Email, sub.Received,
			scoresJSON(sub.Scores), sub.Selected, sub.Award, int32(sub.AwardRank)}
	},
	write: func(ctx context.Context, tx pgx.Tx, district, program, id string, sub participation.Submission) error {
		_, err := tx.Exec(ctx, `UPDATE submissions SET title = $4, description = $5, proposer_name = $6, proposer_phone = $7,
			proposer_email = $8, scores = $9, selected = $10, award = $11, award_rank = $12, revision = revision + 1,
			update_time = now() WHERE district_id = $1 AND program_id = $2 AND id = $3`,
			district, program, id, sub.Title, sub.Description, sub.Proposer.Name, sub.Proposer.Phone, sub.Proposer.Email,
			scoresJSON(sub.Scores), sub.Selected, sub.Award, sub.AwardRank)
		return err
	},
}

// scoresJSON is a submission's judges' scores as the scores column keeps
// them: a JSON array, empty for none.
func scoresJSON(s []participation.JudgeScore) []byte {
	if s == nil {
		s = []participation.JudgeScore{}
	}
	out, _ := json.Marshal(s) // a slice of plain structs always encodes
	return out
}
