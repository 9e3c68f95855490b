package postgres

import (
	"context"

	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgdb"
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

func getEntry(ctx context.Context, q pgdb.Querier, district, program, id string) (participation.Entry, error) {
	e, _, _, err := scanEntry(q.QueryRow(ctx, `SELECT `+entryColumns+` FROM (SELECT *, '' AS sort_key FROM entries) t WHERE district_id = $1 AND program_id = $2 AND id = $3`,
		district, program, id))
	return e, notFound(err, "entry", child(district, program, "entries", id))
}

// GetEntry returns one evaluation entry.
func (s *Store) GetEntry(ctx context.Context, district, program, id string) (participation.Entry, error) {
	return getEntry(ctx, s.pool, district, program, id)
}

// ListEntries lists a program's entries by position.
func (s *Store) ListEntries(ctx context.Context, p Page) ([]participation.Entry, string, error) {
	return listFiltered(ctx, s.pool, p, "entries", entryColumns, updateTimeFilter, scanEntry)
}

// CreateEntry adds an entry the caller has checked; one without a position
// goes last.
func (s *Store) CreateEntry(ctx context.Context, district, program string, e participation.Entry, key idempotency.Key) (participation.Entry, error) {
	return create(ctx, s, key, "entries", district, program, e.ID, getEntry, func(tx pgx.Tx, _ participation.Program) error {
		if err := nextPosition(ctx, tx, "entries", district, program, &e.Position); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO entries (district_id, program_id, id, position, title, description, panel_score)
			VALUES ($1, $2, $3, $4, $5, $6, $7::text::numeric)`, district, program, e.ID, e.Position, e.Title, e.Description, nullText(e.PanelScore))
		return err
	})
}

// UpdateEntry applies change to an entry in one transaction, refusing a
// stale etag, and checks the result before writing it; a position of 0
// moves it last.
func (s *Store) UpdateEntry(ctx context.Context, district, program, id, tag string, change func(*participation.Entry) error) (participation.Entry, error) {
	return update(ctx, s, "entries", district, program, id, tag, getEntry, change, func(tx pgx.Tx, e participation.Entry) error {
		if err := e.Check("entry"); err != nil {
			return err
		}
		if err := nextPosition(ctx, tx, "entries", district, program, &e.Position); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE entries SET position = $4, title = $5, description = $6, panel_score = $7::text::numeric,
			revision = revision + 1, update_time = now() WHERE district_id = $1 AND program_id = $2 AND id = $3`,
			district, program, id, e.Position, e.Title, e.Description, nullText(e.PanelScore))
		return err
	})
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nextPosition(ctx context.Context, tx pgx.Tx, table, district, program string, pos *int) error {
	if *pos != 0 {
		return nil
	}
	return tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) + 1 FROM `+table+` WHERE district_id = $1 AND program_id = $2`,
		district, program).Scan(pos)
}
