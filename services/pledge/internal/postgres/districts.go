package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
)

// districtSelect reads districts (as d) each with its terms, in one query
// (a read used to cost one query for the district and one for its terms):
// the terms come as one array per column, in number order, NULL for a
// district that has none. Append a WHERE on d; lock with "FOR … OF d".
const districtSelect = `SELECT d.id, d.display_name, d.kind, d.metropolitan_government, d.region_code,
	d.current_term, d.revision, d.create_time, d.update_time,
	t.numbers, t.names, t.starts, t.ends, t.heads, t.publics
	FROM districts d, LATERAL (SELECT array_agg(number ORDER BY number) AS numbers,
		array_agg(display_name ORDER BY number) AS names, array_agg(start_date ORDER BY number) AS starts,
		array_agg(end_date ORDER BY number) AS ends, array_agg(head_of_government ORDER BY number) AS heads,
		array_agg(public ORDER BY number) AS publics
		FROM terms WHERE terms.district_id = d.id) t`

// districtScan is where a row of districtSelect is read into, before
// its terms are put together (district).
type districtScan struct {
	d            pledge.District
	numbers      []int32
	names, heads []string
	starts, ends []time.Time
	publics      []bool
}

// dest returns the scan's destinations, in districtSelect's order.
func (s *districtScan) dest() []any {
	d := &s.d
	return []any{&d.ID, &d.DisplayName, &d.Kind, &d.MetropolitanGovernment, &d.RegionCode,
		&d.CurrentTerm, &d.Revision, &d.CreateTime, &d.UpdateTime,
		&s.numbers, &s.names, &s.starts, &s.ends, &s.heads, &s.publics}
}

// district returns the district scanned, with its terms.
func (s *districtScan) district() pledge.District {
	d := s.d
	d.Terms = make([]pledge.Term, len(s.numbers))
	for i := range s.numbers {
		d.Terms[i] = pledge.Term{Number: int(s.numbers[i]), DisplayName: s.names[i], Start: toDate(s.starts[i]),
			End: toDate(s.ends[i]), HeadOfGovernment: s.heads[i], Public: s.publics[i]}
	}
	return d
}

// getDistrict reads a district with its terms; lock, when not "", locks
// the district's row (" FOR UPDATE", " FOR SHARE").
func getDistrict(ctx context.Context, q pgdb.Querier, id, lock string) (pledge.District, error) {
	if lock != "" {
		lock += " OF d"
	}
	var s districtScan
	if err := q.QueryRow(ctx, districtSelect+` WHERE d.id = $1`+lock, id).Scan(s.dest()...); err != nil {
		return pledge.District{}, notFound(err, pledge.ErrDistrictNotFound(id))
	}
	return s.district(), nil
}

// ListDistricts returns a page of districts in id order and the token of
// the next page. With only set (not nil), it lists those districts and the
// ones that publish a term, and no other.
func (s *Store) ListDistricts(ctx context.Context, filterText string, size int, token string, only []string) ([]pledge.District, string, error) {
	binding := pagetoken.Bind("districts", strings.Join(only, ","), strconv.FormatBool(only != nil), filterText)
	after, err := pagetoken.Decode(token, binding, 1)
	if err != nil {
		return nil, "", err
	}
	where, fargs, err := filter.SQL(filterText, filter.Schema{"update_time": {Column: "d.update_time", Kind: filter.Time}}, 3)
	if err != nil {
		return nil, "", err
	}
	keys := []pagetoken.Key{{Expr: "d.id", Type: "text"}}
	cond, args := pagetoken.After(keys, after, 3+len(fargs))
	rows, err := s.pool.Query(ctx, districtSelect+` WHERE `+cond+` AND `+where+`
		AND ($2::text[] IS NULL OR d.id = ANY($2) OR true = ANY(t.publics))
		ORDER BY `+pagetoken.OrderBy(keys)+` LIMIT $1`, append(append([]any{size + 1, only}, fargs...), args...)...)
	if err != nil {
		return nil, "", err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (pledge.District, error) {
		var s districtScan
		err := row.Scan(s.dest()...)
		return s.district(), err
	})
	if err != nil {
		return nil, "", err
	}
	list, next := pagetoken.Cut(list, size, binding, func(last pledge.District) []string { return []string{last.ID} })
	return list, next, nil
}

// CreateDistrict adds d with its terms.
func (s *Store) CreateDistrict(ctx context.Context, d pledge.District, key idempotency.Key) (pledge.District, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (pledge.District, error) {
		_, err := tx.Exec(ctx, `INSERT INTO districts (id, display_name, kind, metropolitan_government, region_code, current_term)
			VALUES ($1, $2, $3, $4, $5, $6)`, d.ID, d.DisplayName, d.Kind, d.MetropolitanGovernment, d.RegionCode, d.CurrentTerm)
		if pgdb.IsCode(err, pgdb.UniqueViolation) {
			return d, apierr.AlreadyExists("district %s already exists", d.Name())
		}
		if err != nil {
			return d, err
		}
		if err := writeTerms(ctx, tx, d.ID, d.Terms); err != nil {
			return d, err
		}
		created, err := getDistrict(ctx, tx, d.ID, "")
		if err != nil {
			return d, err
		}
		return created, s.record(ctx, tx, audit.Create, created.Name(), nil, created)
	})
}

// UpdateDistrict applies change to the district called name
// (districts/{district}), refusing a stale etag.
func (s *Store) UpdateDistrict(ctx context.Context, name, tag string, change func(*pledge.District) error) (pledge.District, error) {
	return update(ctx, s, districtTable, name, tag, change)
}

// writeTerms makes the district's terms exactly terms. A term that still
// has pledges cannot go.
func writeTerms(ctx context.Context, tx pgx.Tx, district string, terms []pledge.Term) error {
	keep := make([]int32, len(terms))
	for i, t := range terms {
		keep[i] = int32(t.Number)
		_, err := tx.Exec(ctx, `INSERT INTO terms (district_id, number, display_name, start_date, end_date, head_of_government, public)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (district_id, number) DO UPDATE SET display_name = excluded.display_name,
				start_date = excluded.start_date, end_date = excluded.end_date,
				head_of_government = excluded.head_of_government, public = excluded.public`,
			district, t.Number, t.DisplayName, fromDate(t.Start), fromDate(t.End), t.HeadOfGovernment, t.Public)
		if err != nil {
			return err
		}
	}
	var inUse []int32
	rows, err := tx.Query(ctx, `SELECT DISTINCT term FROM pledges WHERE district_id = $1 AND NOT term = ANY($2)`, district, keep)
	if err != nil {
		return err
	}
	if inUse, err = pgx.CollectRows(rows, pgx.RowTo[int32]); err != nil {
		return err
	}
	if len(inUse) > 0 {
		return apierr.FailedPrecondition("term %d still has pledges and cannot be removed", inUse[0])
	}
	_, err = tx.Exec(ctx, `DELETE FROM terms WHERE district_id = $1 AND NOT number = ANY($2)`, district, keep)
	return err
}
