package postgres

import (
	"context"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
)

const departmentColumns = `district_id, id, display_name, teams, phone, revision, create_time, update_time`

func scanDepartment(row pgx.Row) (pledge.Department, error) {
	var d pledge.Department
	err := row.Scan(&d.DistrictID, &d.ID, &d.DisplayName, &d.Teams, &d.Phone, &d.Revision, &d.CreateTime, &d.UpdateTime)
	return d, err
}

func getDepartment(ctx context.Context, q pgdb.Querier, district, id, lock string) (pledge.Department, error) {
	d, err := scanDepartment(q.QueryRow(ctx, `SELECT `+departmentColumns+` FROM departments
		WHERE district_id = $1 AND id = $2`+lock, district, id))
	return d, notFound(err, pledge.ErrDepartmentNotFound(district, id))
}

// departmentsOf reads a district's departments.
func departmentsOf(ctx context.Context, q pgdb.Querier, district string) ([]pledge.Department, error) {
	rows, err := q.Query(ctx, `SELECT `+departmentColumns+` FROM departments WHERE district_id = $1`, district)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (pledge.Department, error) { return scanDepartment(row) })
}

// GetDepartment returns one department.
func (s *Store) GetDepartment(ctx context.Context, district, id string) (pledge.Department, error) {
	return getDepartment(ctx, s.pool, district, id, "")
}

var departmentFilter = filter.Schema{
	"display_name": {Column: "display_name", Kind: filter.Text},
	"update_time":  {Column: "update_time", Kind: filter.Time},
}

// ListDepartments returns a page of a district's departments by name.
func (s *Store) ListDepartments(ctx context.Context, district string, size int, token, filterText string) ([]pledge.Department, string, error) {
	if _, err := s.district(ctx, district); err != nil {
		return nil, "", err
	}
	binding := pagetoken.Bind("departments", district, filterText)
	after, err := pagetoken.Decode(token, binding, 2)
	if err != nil {
		return nil, "", err
	}
	where, args, err := filter.SQL(filterText, departmentFilter, 3)
	if err != nil {
		return nil, "", err
	}
	keys := []pagetoken.Key{{Expr: "display_name", Type: "text"}, {Expr: "id", Type: "text"}}
	cond, afterArgs := pagetoken.After(keys, after, 3+len(args))
	rows, err := s.pool.Query(ctx, `SELECT `+departmentColumns+` FROM departments
		WHERE district_id = $1 AND `+where+` AND `+cond+` ORDER BY `+pagetoken.OrderBy(keys)+` LIMIT $2`,
		append(append([]any{district, size + 1}, args...), afterArgs...)...)
	if err != nil {
		return nil, "", err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (pledge.Department, error) { return scanDepartment(row) })
	if err != nil {
		return nil, "", err
	}
	list, next := pagetoken.Cut(list, size, binding, func(last pledge.Department) []string { return []string{last.DisplayName, last.ID} })
	return list, next, nil
}

// CreateDepartment adds d to its district.
func (s *Store) CreateDepartment(ctx context.Context, d pledge.Department, key idempotency.Key) (pledge.Department, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (pledge.Department, error) {
		if _, err := lockDistrict(ctx, tx, d.DistrictID); err != nil {
			return d, err
		}
		if err := s.insertDepartment(ctx, tx, d); err != nil {
			return d, err
		}
		return getDepartment(ctx, tx, d.DistrictID, d.ID, "")
	})
}

// insertDepartment adds d in tx, whose district is locked, and records
// it.
func (s *Store) insertDepartment(ctx context.Context, tx pgx.Tx, d pledge.Department) error {
	_, err := tx.Exec(ctx, `INSERT INTO departments (district_id, id, display_name, teams, phone)
		VALUES ($1, $2, $3, $4, $5)`, d.DistrictID, d.ID, d.DisplayName, nonNil(d.Teams), d.Phone)
	if err != nil {
		return departmentConflict(err, d)
	}
	created, err := getDepartment(ctx, tx, d.DistrictID, d.ID, "")
	if err != nil {
		return err
	}
	return s.record(ctx, tx, audit.Create, created.Name(), nil, created)
}

// UpdateDepartment applies change to the department called name,
// refusing a stale etag.
func (s *Store) UpdateDepartment(ctx context.Context, name, tag string, change func(*pledge.Department) error) (pledge.Department, error) {
	return update(ctx, s, departmentTable, name, tag, change)
}

func departmentConflict(err error, d pledge.Department) error {
	if !pgdb.IsCode(err, pgdb.UniqueViolation) {
		return err
	}
	if pgdb.ConstraintOf(err) == "departments_display_name_key" {
		return apierr.AlreadyExists("district %s already has a department called %q", pledge.DistrictName(d.DistrictID), d.DisplayName)
	}
	return apierr.AlreadyExists("department %s already exists", d.Name())
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
