package postgres

import (
	"context"
	"time"

	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
)

const memberColumns = `id, person_name, person_phone, person_email, role, affiliation, join_date, leave_date, revision,
	create_time, update_time, sort_key`

func scanMember(row pgx.Row) (participation.Member, string, string, error) {
	var m participation.Member
	var joined, left *time.Time
	var key string
	err := row.Scan(&m.ID, &m.Person.Name, &m.Person.Phone, &m.Person.Email, &m.Role, &m.Affiliation, &joined, &left,
		&m.Revision, &m.Created, &m.Updated, &key)
	m.Joined, m.Left = dateOf(joined), dateOf(left)
	return m, key, m.ID, err
}

func getMember(ctx context.Context, q pgdb.Querier, district, program, id string) (participation.Member, error) {
	m, _, _, err := scanMember(q.QueryRow(ctx, `SELECT `+memberColumns+` FROM (SELECT *, '' AS sort_key FROM members) t
		WHERE district_id = $1 AND program_id = $2 AND id = $3`, district, program, id))
	return m, notFound(err, "member", child(district, program, "members", id))
}

// GetMember returns one member.
func (s *Store) GetMember(ctx context.Context, district, program, id string) (participation.Member, error) {
	return getMember(ctx, s.pool, district, program, id)
}

// ListMembers lists a program's members in the order they were added.
func (s *Store) ListMembers(ctx context.Context, p Page) ([]participation.Member, string, error) {
	return listFiltered(ctx, s.pool, p, "members", memberColumns, updateTimeFilter, scanMember)
}

// CreateMember adds a member the caller has checked.
func (s *Store) CreateMember(ctx context.Context, district, program string, m participation.Member, key idempotency.Key) (participation.Member, error) {
	return create(ctx, s, key, "members", district, program, m.ID, getMember, func(tx pgx.Tx, _ participation.Program) error {
		_, err := tx.Exec(ctx, `INSERT INTO members (district_id, program_id, id, person_name, person_phone, person_email,
			role, affiliation, join_date, leave_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			district, program, m.ID, m.Person.Name, m.Person.Phone, m.Person.Email, m.Role, m.Affiliation, sqlDate(m.Joined), sqlDate(m.Left))
		return err
	})
}

// UpdateMember applies change to a member in one transaction, refusing a
// stale etag, and checks the result before writing it.
func (s *Store) UpdateMember(ctx context.Context, district, program, id, tag string, change func(*participation.Member) error) (participation.Member, error) {
	return update(ctx, s, "members", district, program, id, tag, getMember, change, func(tx pgx.Tx, m participation.Member) error {
		if err := m.Check("member"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE members SET person_name = $4, person_phone = $5, person_email = $6, role = $7,
			affiliation = $8, join_date = $9, leave_date = $10, revision = revision + 1, update_time = now()
			WHERE district_id = $1 AND program_id = $2 AND id = $3`,
			district, program, id, m.Person.Name, m.Person.Phone, m.Person.Email, m.Role, m.Affiliation, sqlDate(m.Joined), sqlDate(m.Left))
		return err
	})
}
