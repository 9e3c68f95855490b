package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Access is what deciding who may touch a pledge needs to know of it.
type Access struct {
	Exists bool
	// OwningDepartment is the id of the department that owns the pledge.
	OwningDepartment string
	// Published: the pledge is not deleted and its term is public.
	Published bool
}

// PledgeAccess reads what the policy needs of the pledge id.
func (s *Store) PledgeAccess(ctx context.Context, district, id string) (Access, error) {
	var a Access
	var owner *string
	err := s.pool.QueryRow(ctx, `SELECT p.owning_department, p.delete_time IS NULL AND t.public
		FROM pledges p JOIN terms t ON t.district_id = p.district_id AND t.number = p.term
		WHERE p.district_id = $1 AND p.id = $2`, district, id).Scan(&owner, &a.Published)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, nil
	}
	a.Exists = err == nil
	if owner != nil {
		a.OwningDepartment = *owner
	}
	return a, err
}
