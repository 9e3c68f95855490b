package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
)

const pledgeColumns = `district_id, id, term, code, title, project_type, implementing_levels,
	completion_timing, coalesce(owning_department, ''), owning_team, related_departments,
	all_departments_related, contacts, required_budget, status, status_change_time, background,
	overview, final_goal, yearly_goals, progress_log, future_plans, risks, photos, revision,
	create_time, update_time, delete_time`

func scanPledge(row pgx.Row, extra ...any) (pledge.Pledge, error) {
	var p pledge.Pledge
	var levels []int16
	var deleted *time.Time
	dest := []any{&p.DistrictID, &p.ID, &p.Term, &p.Code, &p.Title, &p.ProjectType, &levels,
		&p.CompletionTiming, &p.OwningDepartment, &p.OwningTeam, &p.RelatedDepartments,
		&p.AllDepartmentsRelated, &p.Contacts, &p.RequiredBudget, &p.Status, &p.StatusChangeTime, &p.Background,
		&p.Overview, &p.FinalGoal, &p.YearlyGoals, &p.ProgressLog, &p.FuturePlans, &p.Risks, &p.Photos, &p.Revision,
		&p.CreateTime, &p.UpdateTime, &deleted}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return p, err
	}
	for _, l := range levels {
		p.ImplementingLevels = append(p.ImplementingLevels, pledge.ImplementingLevel(l))
	}
	if deleted != nil {
		p.DeleteTime = *deleted
	}
	return p, nil
}

func getPledge(ctx context.Context, q pgdb.Querier, district, id, lock string) (pledge.Pledge, error) {
	p, err := scanPledge(q.QueryRow(ctx, `SELECT `+pledgeColumns+` FROM pledges
		WHERE district_id = $1 AND id = $2`+lock, district, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, missing(ctx, q, district, id)
	}
	return p, err
}

// PledgeWithTerm is a pledge and the term it belongs to, from which its
// valid years follow.
type PledgeWithTerm struct {
	Pledge pledge.Pledge
	Term   pledge.Term
}

func withTerm(ctx context.Context, q pgdb.Querier, p pledge.Pledge) (PledgeWithTerm, error) {
	d, err := getDistrict(ctx, q, p.DistrictID, "")
	if err != nil {
		return PledgeWithTerm{}, err
	}
	t, _ := d.Term(p.Term)
	return PledgeWithTerm{Pledge: p, Term: t}, nil
}

// GetPledge returns one pledge, deleted or not, with its term, in one
// query: the pledge alone when the district is cached (CacheDistricts),
// or else the pledge with its district and the district's terms, which
// the cache then keeps.
func (s *Store) GetPledge(ctx context.Context, district, id string) (PledgeWithTerm, error) {
	if s.districts == nil {
		p, _, err := pledgeInDistrict(ctx, s.pool, district, id)
		return p, err
	}
	var read *PledgeWithTerm
	d, err := s.districts.Get(ctx, district, func(ctx context.Context) (pledge.District, error) {
		p, d, err := pledgeInDistrict(ctx, s.pool, district, id)
		read = &p
		return d, err
	})
	if err != nil {
		return PledgeWithTerm{}, err
	}
	if read != nil {
		return *read, nil
	}
	p, err := getPledge(ctx, s.pool, district, id, "")
	if err != nil {
		return PledgeWithTerm{}, err
	}
	t, _ := d.Term(p.Term)
	return PledgeWithTerm{Pledge: p, Term: t}, nil
}

// pledgeInDistrict reads a pledge, its district and the district's terms
// in one query.
func pledgeInDistrict(ctx context.Context, q pgdb.Querier, district, id string) (PledgeWithTerm, pledge.District, error) {
	var ds districtScan
	p, err := scanPledge(q.QueryRow(ctx, `SELECT p.*, dt.* FROM (SELECT `+pledgeColumns+` FROM pledges
		WHERE district_id = $1 AND id = $2) p, LATERAL (`+districtSelect+` WHERE d.id = p.district_id) dt`,
		district, id), ds.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return PledgeWithTerm{}, pledge.District{}, missing(ctx, q, district, id)
	}
	if err != nil {
		return PledgeWithTerm{}, pledge.District{}, err
	}
	d := ds.district()
	t, _ := d.Term(p.Term)
	return PledgeWithTerm{Pledge: p, Term: t}, d, nil
}

// missing says which is missing of a pledge not found: its district or
// the pledge.
func missing(ctx context.Context, q pgdb.Querier, district, id string) error {
	if _, err := getDistrict(ctx, q, district, ""); err != nil {
		return err
	}
	return pledge.ErrPledgeNotFound(district, id)
}

// CreatePledge adds p, checked by its caller (pledge.Pledge.Validate), to
// its term; its first status is recorded as the start of its history. A
// term the district no longer has (changed since the check) names
// pledge.term; a pledge of its identity there already is ALREADY_EXISTS.
func (s *Store) CreatePledge(ctx context.Context, p pledge.Pledge, key idempotency.Key) (PledgeWithTerm, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (PledgeWithTerm, error) {
		d, err := lockDistrict(ctx, tx, p.DistrictID)
		if err != nil {
			return PledgeWithTerm{}, err
		}
		term, err := d.TermOrCurrent("pledge.term", p.Term)
		if err != nil {
			return PledgeWithTerm{}, err
		}
		if err := identityFree(ctx, tx, p); err != nil {
			return PledgeWithTerm{}, err
		}
		if err := insertPledge(ctx, tx, p); err != nil {
			return PledgeWithTerm{}, err
		}
		if err := recordStatus(ctx, tx, p.DistrictID, p.ID, pledge.StatusUnspecified, p.Status, "created"); err != nil {
			return PledgeWithTerm{}, err
		}
		created, err := getPledge(ctx, tx, p.DistrictID, p.ID, "")
		if err != nil {
			return PledgeWithTerm{}, err
		}
		return PledgeWithTerm{Pledge: created, Term: term}, s.record(ctx, tx, audit.Create, created.Name(), nil, created)
	})
}

// insertPledge adds p in tx.
func insertPledge(ctx context.Context, tx pgx.Tx, p pledge.Pledge) error {
	_, err := tx.Exec(ctx, `INSERT INTO pledges (district_id, id, term, code, title, project_type,
		implementing_levels, completion_timing, owning_department, owning_team, related_departments,
		all_departments_related, contacts, required_budget, status, background, overview, final_goal,
		yearly_goals, progress_log, future_plans, risks, photos)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, ''), $10, $11, $12, $13, $14, $15, $16, $17,
			$18, $19, $20, $21, $22, $23)`, pledgeValues(p)...)
	if pgdb.IsCode(err, pgdb.UniqueViolation) {
		return apierr.AlreadyExists("pledge %s already exists, or another pledge of term %d has the same code or title", p.Name(), p.Term)
	}
	return err
}

// overwritePledge writes every field of p over the stored pledge of its
// name. With atRevision other than 0 it writes only while the stored
// revision is still that one, and reports whether it wrote.
func overwritePledge(ctx context.Context, tx pgx.Tx, p pledge.Pledge, atRevision int64) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE pledges SET term = $3, code = $4, title = $5, project_type = $6,
		implementing_levels = $7, completion_timing = $8, owning_department = nullif($9, ''), owning_team = $10,
		related_departments = $11, all_departments_related = $12, contacts = $13, required_budget = $14,
		status = $15, background = $16, overview = $17, final_goal = $18, yearly_goals = $19,
		progress_log = $20, future_plans = $21, risks = $22, photos = $23,
		revision = revision + 1, update_time = now()
		WHERE district_id = $1 AND id = $2 AND ($24 = 0 OR revision = $24)`, append(pledgeValues(p), atRevision)...)
	return tag.RowsAffected() > 0, err
}

func pledgeValues(p pledge.Pledge) []any {
	levels := make([]int16, len(p.ImplementingLevels))
	for i, l := range p.ImplementingLevels {
		levels[i] = int16(l)
	}
	return []any{p.DistrictID, p.ID, p.Term, p.Code, p.Title, p.ProjectType, levels, p.CompletionTiming,
		p.OwningDepartment, p.OwningTeam, nonNil(p.RelatedDepartments), p.AllDepartmentsRelated, nonNil(p.Contacts),
		p.RequiredBudget, p.Status, nonNil(p.Background), p.Overview, p.FinalGoal, nonNil(p.YearlyGoals),
		nonNil(p.ProgressLog), nonNil(p.FuturePlans), nonNil(p.Risks), nonNil(p.Photos)}
}

// DepartmentsAmong returns which of ids (all of them when nil) are
// departments of district: what pledge.Pledge.Validate needs to know of
// the departments a pledge names.
func (s *Store) DepartmentsAmong(ctx context.Context, district string, ids []string) (map[string]bool, error) {
	return departmentsAmong(ctx, s.pool, district, ids)
}

// departmentsAmong is DepartmentsAmong in q.
func departmentsAmong(ctx context.Context, q pgdb.Querier, district string, ids []string) (map[string]bool, error) {
	rows, err := q.Query(ctx, `SELECT id FROM departments WHERE district_id = $1 AND ($2::text[] IS NULL OR id = ANY($2))`, district, ids)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	exists := map[string]bool{}
	for _, id := range found {
		exists[id] = true
	}
	return exists, nil
}

// identityFree refuses a pledge whose identity (pledge.SameIdentity)
// another live pledge of the same term already has; the error names that
// pledge.
func identityFree(ctx context.Context, q pgdb.Querier, p pledge.Pledge) error {
	candidates, err := identityCandidates(ctx, q, p, "")
	if err != nil {
		return err
	}
	other, found := pledge.IdentityMatch(p, candidates)
	if !found {
		return nil
	}
	what := "title"
	if p.Code != "" {
		what = "code"
	}
	e := apierr.AlreadyExists("pledge %s of term %d already has this %s", other.Name(), p.Term, what)
	e.Metadata = map[string]string{"resource": other.Name()}
	return e
}

// identityCandidates reads the other live pledges of p's term that share
// its code or its title: those among which pledge.IdentityMatch finds the
// one with p's identity. lock is appended to the query, such as
// " FOR UPDATE".
func identityCandidates(ctx context.Context, q pgdb.Querier, p pledge.Pledge, lock string) ([]pledge.Pledge, error) {
	rows, err := q.Query(ctx, `SELECT `+pledgeColumns+` FROM pledges WHERE district_id = $1 AND term = $2 AND id <> $3
		AND delete_time IS NULL AND (code = nullif($4, '') OR title = $5)`+lock,
		p.DistrictID, p.Term, p.ID, p.Code, p.Title)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (pledge.Pledge, error) { return scanPledge(row) })
}

// UpdatePledge applies change to the live pledge called name, refusing a
// stale etag; the result, checked by change (pledge.Pledge.Validate), is
// written unless another live pledge of its term has its identity.
func (s *Store) UpdatePledge(ctx context.Context, name, tag string, change func(*pledge.Pledge) error) (PledgeWithTerm, error) {
	p, err := update(ctx, s, pledgeTable, name, tag, change)
	if err != nil {
		return PledgeWithTerm{}, err
	}
	d, err := s.district(ctx, p.DistrictID)
	if err != nil {
		return PledgeWithTerm{}, err
	}
	t, _ := d.Term(p.Term)
	return PledgeWithTerm{Pledge: p, Term: t}, nil
}

// DeletePledge marks a pledge deleted. Deleting a deleted pledge returns
// it as it is.
func (s *Store) DeletePledge(ctx context.Context, district, id, tag string) (PledgeWithTerm, error) {
	var out PledgeWithTerm
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		p, err := getPledge(ctx, tx, district, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		if p.DeleteTime.IsZero() {
			if err := etag.Check(tag, p.Name(), p.Revision); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE pledges SET delete_time = now(), revision = revision + 1,
				update_time = now() WHERE district_id = $1 AND id = $2`, district, id); err != nil {
				return err
			}
			before := p
			if p, err = getPledge(ctx, tx, district, id, ""); err != nil {
				return err
			}
			if err := s.record(ctx, tx, audit.Delete, p.Name(), before, p); err != nil {
				return err
			}
		}
		out, err = withTerm(ctx, tx, p)
		return err
	})
	return out, err
}

// ChangeStatus sets a live pledge's status and records who, when and why.
// The change takes effect on effective, checked against the pledge's term
// and history (pledge.CheckStatusDate), or today when effective is zero.
func (s *Store) ChangeStatus(ctx context.Context, district, id, tag string, status pledge.Status, reason string, effective pledge.Date, key idempotency.Key) (PledgeWithTerm, error) {
	// A pledge's status is written apart from its other fields, with the
	// history's entry.
	t := pledgeTable
	t.write = func(ctx context.Context, tx pgx.Tx, before, after pledge.Pledge) error {
		if !effective.IsZero() {
			if err := checkStatusDate(ctx, tx, before, "effective_date", effective); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE pledges SET status = $3, status_change_time = now(),
			revision = revision + 1, update_time = now() WHERE district_id = $1 AND id = $2`, district, id, after.Status); err != nil {
			return err
		}
		return recordStatusOn(ctx, tx, district, id, before.Status, after.Status, reason, effective)
	}
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (PledgeWithTerm, error) {
		p, err := updateIn(ctx, tx, s, t, audit.ChangeStatus, pledge.PledgeName(district, id), tag, func(p *pledge.Pledge) error {
			p.Status = status
			return nil
		})
		if err != nil {
			return PledgeWithTerm{}, err
		}
		return withTerm(ctx, tx, p)
	})
}

// recordStatus appends to a pledge's status history, in effect today; the
// pledge's row lock keeps the numbers in order.
func recordStatus(ctx context.Context, q pgdb.Querier, district, id string, previous, status pledge.Status, reason string) error {
	return recordStatusOn(ctx, q, district, id, previous, status, reason, pledge.Date{})
}

// recordStatusOn is recordStatus for a change in effect on effective; a
// zero date leaves the column's default, today in Korea.
func recordStatusOn(ctx context.Context, q pgdb.Querier, district, id string, previous, status pledge.Status, reason string, effective pledge.Date) error {
	args := []any{district, id, previous, status, reason, auth.FromContext(ctx).Actor()}
	column, value := "", ""
	if !effective.IsZero() {
		column, value = ", effective_date", ", $7::date"
		args = append(args, fromDate(effective))
	}
	_, err := q.Exec(ctx, `INSERT INTO status_changes (district_id, pledge_id, number, previous_status, status, reason, actor`+column+`)
		SELECT $1, $2, coalesce(max(number), 0) + 1, $3, $4, $5, $6`+value+` FROM status_changes
		WHERE district_id = $1 AND pledge_id = $2`, args...)
	return err
}

// checkStatusDate checks the effective date of a change of p's status,
// given as field, against today in Korea (the database's clock, as the
// column's default reads it), p's term and the last change recorded.
//
// The entry a pledge's creation records is left out when it carries no
// date but the day it was entered: it says the pledge was entered then,
// not that its status began then, and a pledge entered today must still
// take the past changes of its history, oldest first.
func checkStatusDate(ctx context.Context, q pgdb.Querier, p pledge.Pledge, field string, effective pledge.Date) error {
	d, err := getDistrict(ctx, q, p.DistrictID, "")
	if err != nil {
		return err
	}
	term, _ := d.Term(p.Term)
	var today time.Time
	var last *time.Time
	if err := q.QueryRow(ctx, `SELECT (now() AT TIME ZONE 'Asia/Seoul')::date, (`+lastDatedChange+`)`,
		p.DistrictID, p.ID).Scan(&today, &last); err != nil {
		return err
	}
	var lastDate pledge.Date
	if last != nil {
		lastDate = toDate(*last)
	}
	return pledge.CheckStatusDate(field, effective, toDate(today), term, lastDate)
}

// lastDatedChange selects the effective date of pledge $2 of district
// $1's last status change, leaving out its creation's entry when that
// carries no date but the day the pledge was entered (see checkStatusDate).
const lastDatedChange = `SELECT effective_date FROM status_changes WHERE district_id = $1 AND pledge_id = $2
	AND ` + datedChange + ` ORDER BY number DESC LIMIT 1`

// datedChange holds for a status change that dates a status: any but a
// creation's entry dated only the day the pledge was entered.
const datedChange = `(number > 1 OR effective_date <> (change_time AT TIME ZONE 'Asia/Seoul')::date)`

// StatusDate is the day a pledge's status took effect, as its card dates
// it; zero when its history says only when it was entered.
func (s *Store) StatusDate(ctx context.Context, district, id string) (pledge.Date, error) {
	var d time.Time
	err := s.pool.QueryRow(ctx, lastDatedChange, district, id).Scan(&d)
	if errors.Is(err, pgx.ErrNoRows) {
		return pledge.Date{}, nil
	}
	if err != nil {
		return pledge.Date{}, err
	}
	return toDate(d), nil
}
