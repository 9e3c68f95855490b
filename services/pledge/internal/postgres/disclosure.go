package postgres

import (
	"context"
	"time"

	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
)

// TermPledges returns the pledges of a district's term that are not
// deleted, as a district lists them: by code (those without one last),
// then title.
func (s *Store) TermPledges(ctx context.Context, district string, term int) ([]PledgeWithTerm, error) {
	d, err := s.district(ctx, district)
	if err != nil {
		return nil, err
	}
	t, _ := d.Term(term)
	rows, err := s.pool.Query(ctx, `SELECT `+pledgeColumns+` FROM pledges
		WHERE district_id = $1 AND term = $2 AND delete_time IS NULL
		ORDER BY code = '', code, title, id`, district, term)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (PledgeWithTerm, error) {
		p, err := scanPledge(row)
		return PledgeWithTerm{Pledge: p, Term: t}, err
	})
}

// TermStatusDates returns the day each pledge of a district's term that
// has a dated status took effect (StatusDate), by pledge id, in one query.
func (s *Store) TermStatusDates(ctx context.Context, district string, term int) (map[string]pledge.Date, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ON (c.pledge_id) c.pledge_id, c.effective_date
		FROM status_changes c JOIN pledges p ON p.district_id = c.district_id AND p.id = c.pledge_id
		WHERE c.district_id = $1 AND p.term = $2 AND p.delete_time IS NULL AND `+datedChange+`
		ORDER BY c.pledge_id, c.number DESC`, district, term)
	if err != nil {
		return nil, err
	}
	out := map[string]pledge.Date{}
	var id string
	var day time.Time
	_, err = pgx.ForEachRow(rows, []any{&id, &day}, func() error {
		out[id] = toDate(day)
		return nil
	})
	return out, err
}

// DepartmentNames returns the display names of a district's departments
// among ids (all of them when ids is nil), by id, in one query; an id that
// is no department of the district is left out.
func (s *Store) DepartmentNames(ctx context.Context, district string, ids []string) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, display_name FROM departments
		WHERE district_id = $1 AND ($2::text[] IS NULL OR id = ANY($2))`, district, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var id, name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		out[id] = name
		return nil
	})
	return out, err
}
