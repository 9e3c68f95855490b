package postgres

import (
	"context"
	"time"

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

// members are a program's members, listed in the order they were added.
var members = kind[participation.Member]{
	table: "members", noun: "member", columns: memberColumns, scan: scanMember, filter: updateTimeFilter,
	copied: []string{"id", "person_name", "person_phone", "person_email", "role", "affiliation", "join_date", "leave_date"},
	row: func(m participation.Member) []any {
		return []any{m.ID, m.Person.Name, m.Person.Phone, m.Person.Email, m.Role, m.Affiliation, sqlDate(m.Joined), sqlDate(m.Left)}
	},
	write: func(ctx context.Context, tx pgx.Tx, district, program, id string, m participation.Member) error {
		_, err := tx.Exec(ctx, `UPDATE members SET person_name = $4, person_phone = $5, person_email = $6, role = $7,
			affiliation = $8, join_date = $9, leave_date = $10, revision = revision + 1, update_time = now()
			WHERE district_id = $1 AND program_id = $2 AND id = $3`,
			district, program, id, m.Person.Name, m.Person.Phone, m.Person.Email, m.Role, m.Affiliation, sqlDate(m.Joined), sqlDate(m.Left))
		return err
	},
}
