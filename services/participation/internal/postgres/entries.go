package postgres

import (
	"context"

	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
)

const entryColumns = `id, title, description, coalesce(panel_score::text, ''), position, revision, create_time, update_time, sort_key`

func scanEntry(row pgx.Row) (participation.Entry, string, string, error) {
	var e participation.Entry
	var key string
	err := row.Scan(&e.ID, &e.Title, &e.Description, &e.PanelScore, &e.Position, &e.Revision, &e.Created, &e.Updated, &key)
	return e, key, e.ID, err
}

// entries are an evaluation's entries (평가 항목); one written without a
// position goes last.
var entries = kind[participation.Entry]{
	table: "entries", noun: "entry", columns: entryColumns, scan: scanEntry, filter: updateTimeFilter,
	position: func(e *participation.Entry) *int { return &e.Position },
	insert: func(ctx context.Context, tx pgx.Tx, district, program string, e participation.Entry) error {
		_, err := tx.Exec(ctx, `INSERT INTO entries (district_id, program_id, id, position, title, description, panel_score)
			VALUES ($1, $2, $3, $4, $5, $6, $7::text::numeric)`, district, program, e.ID, e.Position, e.Title, e.Description, nullText(e.PanelScore))
		return err
	},
	write: func(ctx context.Context, tx pgx.Tx, district, program, id string, e participation.Entry) error {
		_, err := tx.Exec(ctx, `UPDATE entries SET position = $4, title = $5, description = $6, panel_score = $7::text::numeric,
			revision = revision + 1, update_time = now() WHERE district_id = $1 AND program_id = $2 AND id = $3`,
			district, program, id, e.Position, e.Title, e.Description, nullText(e.PanelScore))
		return err
	},
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
