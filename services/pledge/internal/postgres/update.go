package postgres

import (
	"context"

	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
)

// named is a stored value with a resource name.
type named interface{ Name() string }

// table is how update reads and writes one kind of stored value.
type table[T named] struct {
	// pattern is the resource name of a value, whose ids get reads by.
	pattern resourcename.Pattern
	// get reads the value of ids; lock, when not "", locks its row
	// (" FOR UPDATE").
	get func(ctx context.Context, q pgdb.Querier, ids []string, lock string) (T, error)
	// revision is the value's revision (its etag).
	revision func(T) int64
	// changeable, when set, refuses a value that may not change now
	// (after the etag is checked, before change sees it).
	changeable func(T) error
	// write stores after, changed from before, in tx.
	write func(ctx context.Context, tx pgx.Tx, before, after T) error
}

// update changes the stored value called name in one transaction: it
// locks the value's row, refuses a stale etag (tag), applies change,
// writes the result and records the change in the audit log. It returns
// the value as stored.
func update[T named](ctx context.Context, s *Store, t table[T], name, tag string, change func(*T) error) (T, error) {
	var out T
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = updateIn(ctx, tx, s, t, audit.Update, name, tag, change)
		return err
	})
	return out, err
}

// updateIn is update in tx, the change recorded in the audit log as
// action.
func updateIn[T named](ctx context.Context, tx pgx.Tx, s *Store, t table[T], action, name, tag string, change func(*T) error) (T, error) {
	var out T
	ids, err := t.pattern.Parse("name", name)
	if err != nil {
		return out, err
	}
	cur, err := t.get(ctx, tx, ids, " FOR UPDATE")
	if err != nil {
		return out, err
	}
	if err := etag.Check(tag, cur.Name(), t.revision(cur)); err != nil {
		return out, err
	}
	if t.changeable != nil {
		if err := t.changeable(cur); err != nil {
			return out, err
		}
	}
	before := cur
	if err := change(&cur); err != nil {
		return out, err
	}
	if err := t.write(ctx, tx, before, cur); err != nil {
		return out, err
	}
	if out, err = t.get(ctx, tx, ids, ""); err != nil {
		return out, err
	}
	return out, s.record(ctx, tx, action, out.Name(), before, out)
}

// districtTable is the districts with their terms.
var districtTable = table[pledge.District]{
	pattern: resourcename.District,
	get: func(ctx context.Context, q pgdb.Querier, ids []string, lock string) (pledge.District, error) {
		return getDistrict(ctx, q, ids[0], lock)
	},
	revision: func(d pledge.District) int64 { return d.Revision },
	write: func(ctx context.Context, tx pgx.Tx, before, d pledge.District) error {
		_, err := tx.Exec(ctx, `UPDATE districts SET display_name = $2, kind = $3, metropolitan_government = $4,
			region_code = $5, current_term = $6, revision = revision + 1, update_time = now() WHERE id = $1`,
			before.ID, d.DisplayName, d.Kind, d.MetropolitanGovernment, d.RegionCode, d.CurrentTerm)
		if err != nil {
			return err
		}
		return writeTerms(ctx, tx, before.ID, d.Terms)
	},
}

// departmentTable is the districts' departments.
var departmentTable = table[pledge.Department]{
	pattern: resourcename.Department,
	get: func(ctx context.Context, q pgdb.Querier, ids []string, lock string) (pledge.Department, error) {
		return getDepartment(ctx, q, ids[0], ids[1], lock)
	},
	revision: func(d pledge.Department) int64 { return d.Revision },
	write: func(ctx context.Context, tx pgx.Tx, before, d pledge.Department) error {
		_, err := tx.Exec(ctx, `UPDATE departments SET display_name = $3, teams = $4, phone = $5,
			revision = revision + 1, update_time = now() WHERE district_id = $1 AND id = $2`,
			before.DistrictID, before.ID, d.DisplayName, nonNil(d.Teams), d.Phone)
		return departmentConflict(err, d)
	},
}

// pledgeTable is the pledges; a deleted one does not change.
var pledgeTable = table[pledge.Pledge]{
	pattern: resourcename.Pledge,
	get: func(ctx context.Context, q pgdb.Querier, ids []string, lock string) (pledge.Pledge, error) {
		return getPledge(ctx, q, ids[0], ids[1], lock)
	},
	revision:   func(p pledge.Pledge) int64 { return p.Revision },
	changeable: pledge.Pledge.CheckLive,
	write: func(ctx context.Context, tx pgx.Tx, before, p pledge.Pledge) error {
		p.DistrictID, p.ID = before.DistrictID, before.ID
		if err := identityFree(ctx, tx, p); err != nil {
			return err
		}
		_, err := overwritePledge(ctx, tx, p, 0)
		return err
	},
}
