// Package postgres is the indicator service's store: indicators and their
// yearly entries in the `indicator` schema, with achievements computed by
// the schema's functions as of a given year, and their audit log.
package postgres

import (
	"context"
	"slices"
	"strconv"
	"strings"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/indicator/internal/indicator"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store reads and writes indicators, and records every change in the
// audit log in the change's own transaction.
type Store struct {
	pool *pgxpool.Pool
	view View
}

// View writes an indicator as the API shows it, which is what the audit
// log keeps.
type View = audit.View[indicator.Indicator]

// New returns a store on pool, whose search_path starts with the
// indicator schema; view writes what the audit log records.
func New(pool *pgxpool.Pool, view View) *Store { return &Store{pool: pool, view: view} }

// AuditEvents lists the indicator service's audit events of a page.
func (s *Store) AuditEvents(ctx context.Context, page audit.Page) ([]*typev1.AuditEvent, error) {
	return audit.List(ctx, s.pool, "indicator", page)
}

func errNotFound(district, pledge, id string) error {
	return apierr.NotFound("indicator", indicator.Indicator{DistrictID: district, PledgeID: pledge, ID: id}.Name())
}

const indicatorColumns = `district_id, pledge_id, id, term, position, title, kind, direction, unit,
	baseline_number::text, baseline_text, revision, create_time, update_time`

func scanIndicator(row pgx.Row) (indicator.Indicator, error) {
	var i indicator.Indicator
	var baseline *string
	err := row.Scan(&i.DistrictID, &i.PledgeID, &i.ID, &i.Term, &i.Position, &i.Title, &i.Kind, &i.Direction, &i.Unit,
		&baseline, &i.Baseline.Text, &i.Revision, &i.CreateTime, &i.UpdateTime)
	if baseline != nil {
		i.Baseline.Number, i.Baseline.IsNumber = *baseline, true
	}
	return i, err
}

// load reads the indicators of a pledge with ids, by position, with
// their entries and results as of currentYear.
func load(ctx context.Context, q pgdb.Querier, district, pledge string, ids []string, currentYear int, lock string) ([]indicator.Indicator, error) {
	pledges := make([]string, len(ids))
	for n := range ids {
		pledges[n] = pledge
	}
	return loadKeys(ctx, q, district, pledges, ids, currentYear, lock)
}

// loadKeys reads the indicators of district whose pledge and id are
// pledges[n] and ids[n], by pledge and position, with their entries and
// results as of currentYear: three queries however many there are, sent
// together, each led by the keys, so that it reads their rows alone
// whatever the planner believes of a district it has no statistics of yet
// (one loaded in the same transaction).
func loadKeys(ctx context.Context, q pgdb.Querier, district string, pledges, ids []string, currentYear int, lock string) ([]indicator.Indicator, error) {
	const keys = `unnest($2::text[], $3::text[]) AS k(pledge_id, id)
		JOIN indicators i ON i.district_id = $1 AND i.pledge_id = k.pledge_id AND i.id = k.id`
	// Each entry's state and achievement, computed where entry_results
	// computes them: the functions entry_state and entry_achievement.
	const judged = ` LEFT JOIN entries e ON e.district_id = $1 AND e.pledge_id = i.pledge_id AND e.indicator_id = i.id
		LEFT JOIN LATERAL (SELECT entry_state(i.kind, e.target_number, e.actual_number, e.assessment, e.year, $4) AS state,
			entry_achievement(i.kind, i.direction, e.target_number, e.actual_number, e.assessment) AS achievement) r ON e.year IS NOT NULL`
	// The three go in one batch: one round trip, one snapshot.
	batch := genericPlans()
	batch.Queue(`SELECT `+qualified("i.", indicatorColumns)+` FROM `+keys+` ORDER BY i.pledge_id, i.position, i.id`+lockOf(lock, "i"),
		district, pledges, ids)
	batch.Queue(`SELECT e.pledge_id, e.indicator_id, e.year, e.target_number::text, e.target_text, e.actual_number::text,
			e.actual_text, e.assessment, e.unit, e.note, e.evidence, r.state, coalesce(round(r.achievement, 2)::text, '')
		FROM `+keys+judged+` WHERE e.year IS NOT NULL ORDER BY e.pledge_id, e.indicator_id, e.year`, district, pledges, ids, currentYear)
	batch.Queue(`SELECT i.pledge_id, i.id, i.title, i.position,
			count(r.state) FILTER (WHERE r.state = 1), count(r.state) FILTER (WHERE r.state = 2),
			count(r.state) FILTER (WHERE r.state = 3),
			coalesce(round(avg(r.achievement) FILTER (WHERE r.state = 1), 2)::text, '')
		FROM `+keys+judged+` GROUP BY i.pledge_id, i.id, i.title, i.position`, district, pledges, ids, currentYear)
	br := q.SendBatch(ctx, batch)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (indicator.Indicator, error) { return scanIndicator(row) })
	if err != nil || len(list) == 0 {
		return list, err
	}
	type key struct{ pledge, id string }
	byKey := map[key]*indicator.Indicator{}
	for n := range list {
		byKey[key{list[n].PledgeID, list[n].ID}] = &list[n]
		list[n].Result = indicator.Result{State: indicator.StateNoData}
	}
	rows, err = br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var e indicator.Entry
		var target, actual *string
		if err := rows.Scan(&k.pledge, &k.id, &e.Year, &target, &e.Target.Text, &actual, &e.Actual.Text, &e.Assessment, &e.Unit,
			&e.Note, &e.Evidence, &e.Result.State, &e.Result.Percent); err != nil {
			return nil, err
		}
		if target != nil {
			e.Target.Number, e.Target.IsNumber = *target, true
		}
		if actual != nil {
			e.Actual.Number, e.Actual.IsNumber = *actual, true
		}
		if i := byKey[k]; i != nil {
			i.Entries = append(i.Entries, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = br.Query()
	if err != nil {
		return nil, err
	}
	results, err := scanResults(rows)
	if err != nil {
		return nil, err
	}
	for k, r := range results {
		if i := byKey[key{k[0], k[1]}]; i != nil {
			i.Result = r.Result
		}
	}
	return list, nil
}

// genericPlans starts a batch whose statements run on plans PostgreSQL
// makes once per connection. Left to choose, it planned the entries' and
// results' statements (the state and achievement functions inlined, the
// keys an array) afresh at every call, which took longer than running
// them; with plans made once, PostgreSQL's CPU for a card fell from 4.5 ms
// to 1.6 ms. The first result of the batch is the SET's; it holds until
// the batch's (or the enclosing transaction's) end.
func genericPlans() *pgx.Batch {
	b := &pgx.Batch{}
	b.Queue(`SET LOCAL plan_cache_mode = force_generic_plan`)
	return b
}

// qualified prefixes each of a list of columns with p.
func qualified(p, columns string) string {
	parts := strings.Split(columns, ",")
	for n, c := range parts {
		parts[n] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// lockOf locks the rows of table alias t when lock asks to (" FOR
// UPDATE"), and no other table's.
func lockOf(lock, t string) string {
	if lock == "" {
		return ""
	}
	return lock + " OF " + t
}

// indicatorResult is an indicator's result and its unrounded mean.
type indicatorResult struct {
	Title    string
	Position int
	Result   indicator.Result
}

// resultsSQL sums the entries of each indicator of district ($1) that
// where selects, as of the year the parameter year names: the mean of the
// measured ones and how many had no data or were not yet due.
func resultsSQL(where, year string) string {
	return `SELECT i.pledge_id, i.id, i.title, i.position,
			count(r.state) FILTER (WHERE r.state = 1), count(r.state) FILTER (WHERE r.state = 2),
			count(r.state) FILTER (WHERE r.state = 3),
			coalesce(round(avg(r.achievement) FILTER (WHERE r.state = 1), 2)::text, '')
		FROM indicators i LEFT JOIN entry_results(` + year + `) r
			ON r.district_id = i.district_id AND r.pledge_id = i.pledge_id AND r.indicator_id = i.id
		WHERE i.district_id = $1 AND ` + where + `
		GROUP BY i.pledge_id, i.id, i.title, i.position`
}

// scanResults reads resultsSQL's rows by pledge and indicator id.
func scanResults(rows pgx.Rows) (map[[2]string]indicatorResult, error) {
	defer rows.Close()
	out := map[[2]string]indicatorResult{}
	for rows.Next() {
		var k [2]string
		var r indicatorResult
		if err := rows.Scan(&k[0], &k[1], &r.Title, &r.Position, &r.Result.Measured, &r.Result.NoData, &r.Result.NotYetDue, &r.Result.Percent); err != nil {
			return nil, err
		}
		r.Result.State = stateOf(r.Result)
		out[k] = r
	}
	return out, rows.Err()
}

// stateOf is the state of a whole from its parts: measured when any part
// is, else no data when any part should have been, else not yet due; an
// empty whole has no data.
func stateOf(r indicator.Result) indicator.State {
	switch {
	case r.Measured > 0:
		return indicator.StateMeasured
	case r.NoData > 0 || r.NotYetDue == 0:
		return indicator.StateNoData
	}
	return indicator.StateNotYetDue
}

// Get returns one indicator.
func (s *Store) Get(ctx context.Context, district, pledge, id string, currentYear int) (indicator.Indicator, error) {
	list, err := load(ctx, s.pool, district, pledge, []string{id}, currentYear, "")
	if err != nil {
		return indicator.Indicator{}, err
	}
	if len(list) == 0 {
		return indicator.Indicator{}, errNotFound(district, pledge, id)
	}
	return list[0], nil
}

// listFilter is what ListIndicators filters on.
var listFilter = filter.Schema{
	"term":        {Column: "term", Kind: filter.Int},
	"update_time": {Column: "update_time", Kind: filter.Time},
}

// List returns a page of a pledge's indicators by position, those
// filterText takes.
func (s *Store) List(ctx context.Context, district, pledge, filterText string, size int, token string, currentYear int) ([]indicator.Indicator, string, error) {
	binding := pagetoken.Bind("indicators", district, pledge, filterText)
	after, err := pagetoken.Decode(token, binding, 2)
	if err != nil {
		return nil, "", err
	}
	where, fargs, err := filter.SQL(filterText, listFilter, 4)
	if err != nil {
		return nil, "", err
	}
	keys := []pagetoken.Key{{Expr: "position", Type: "integer"}, {Expr: "id", Type: "text"}}
	cond, args := pagetoken.After(keys, after, 4+len(fargs))
	rows, err := s.pool.Query(ctx, `SELECT id FROM indicators WHERE district_id = $1 AND pledge_id = $2 AND `+where+` AND `+cond+
		` ORDER BY `+pagetoken.OrderBy(keys)+` LIMIT $3`, append(append([]any{district, pledge, size + 1}, fargs...), args...)...)
	if err != nil {
		return nil, "", err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(ids) == 0 {
		return nil, "", err
	}
	more := len(ids) > size
	if more {
		ids = ids[:size]
	}
	list, err := load(ctx, s.pool, district, pledge, ids, currentYear, "")
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		last := list[len(list)-1]
		next = pagetoken.Encode(binding, []string{strconv.Itoa(last.Position), last.ID})
	}
	return list, next, nil
}

// Create adds an indicator at the end of its pledge's unless it names a
// position.
func (s *Store) Create(ctx context.Context, i indicator.Indicator, key idempotency.Key, currentYear int) (indicator.Indicator, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (indicator.Indicator, error) {
		if i.Position == 0 {
			if err := tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) + 1 FROM indicators
				WHERE district_id = $1 AND pledge_id = $2`, i.DistrictID, i.PledgeID).Scan(&i.Position); err != nil {
				return i, err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO indicators (district_id, pledge_id, id, term, position, title, kind, direction,
			unit, baseline_number, baseline_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::numeric, $11)`,
			i.DistrictID, i.PledgeID, i.ID, i.Term, i.Position, i.Title, i.Kind, i.Direction, i.Unit, number(i.Baseline), i.Baseline.Text)
		if pgdb.IsCode(err, pgdb.UniqueViolation) {
			return i, apierr.AlreadyExists("indicator %s already exists", i.Name())
		}
		if err != nil {
			return i, err
		}
		if err := writeEntries(ctx, tx, i); err != nil {
			return i, err
		}
		list, err := load(ctx, tx, i.DistrictID, i.PledgeID, []string{i.ID}, currentYear, "")
		if err != nil {
			return i, err
		}
		return list[0], s.view.Record(ctx, tx, audit.Create, i.Name(), nil, &list[0])
	})
}

func number(m indicator.Measure) *string {
	if m.Number == "" {
		return nil
	}
	return &m.Number
}

func writeEntries(ctx context.Context, tx pgx.Tx, i indicator.Indicator) error {
	if _, err := tx.Exec(ctx, `DELETE FROM entries WHERE district_id = $1 AND pledge_id = $2 AND indicator_id = $3`,
		i.DistrictID, i.PledgeID, i.ID); err != nil {
		return err
	}
	batch := &pgx.Batch{}
	for _, e := range i.Entries {
		batch.Queue(`INSERT INTO entries (district_id, pledge_id, indicator_id, year, target_number, target_text,
			actual_number, actual_text, assessment, unit, note, evidence)
			VALUES ($1, $2, $3, $4, $5::text::numeric, $6, $7::text::numeric, $8, $9, $10, $11, $12)`,
			i.DistrictID, i.PledgeID, i.ID, e.Year, number(e.Target), e.Target.Text, number(e.Actual), e.Actual.Text,
			e.Assessment, e.Unit, e.Note, e.Evidence)
	}
	return tx.SendBatch(ctx, batch).Close()
}

// Update applies change to the indicator named name
// (`districts/{district}/pledges/{pledge}/indicators/{indicator}`) in one
// transaction, the store's one way to change an indicator: it reads the
// indicator as of currentYear under the row's lock, refuses a stale etag
// (an empty one asks for no check), lets change edit and check it, writes
// it whole and records the change in the audit log.
func (s *Store) Update(ctx context.Context, name, tag string, currentYear int, change func(*indicator.Indicator) error) (indicator.Indicator, error) {
	var out indicator.Indicator
	ids, err := resourcename.Indicator.Parse("name", name)
	if err != nil {
		return out, err
	}
	district, pledge, id := ids[0], ids[1], ids[2]
	err = pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		i, err := lockIndicator(ctx, tx, district, pledge, id, tag, currentYear)
		if err != nil {
			return err
		}
		before := i
		before.Entries = slices.Clone(i.Entries)
		if err := change(&i); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE indicators SET position = $4, title = $5, kind = $6, direction = $7, unit = $8,
			baseline_number = $9::text::numeric, baseline_text = $10, term = $11, revision = revision + 1, update_time = now()
			WHERE district_id = $1 AND pledge_id = $2 AND id = $3`,
			district, pledge, id, i.Position, i.Title, i.Kind, i.Direction, i.Unit, number(i.Baseline), i.Baseline.Text, i.Term); err != nil {
			return err
		}
		if err := writeEntries(ctx, tx, i); err != nil {
			return err
		}
		list, err := load(ctx, tx, district, pledge, []string{id}, currentYear, "")
		if err != nil {
			return err
		}
		out = list[0]
		return s.view.Record(ctx, tx, audit.Update, out.Name(), &before, &out)
	})
	return out, err
}

// Delete removes an indicator and its entries, refusing a stale etag (an
// empty one asks for no check), and records it in the audit log; the
// event shows it as it was in currentYear.
func (s *Store) Delete(ctx context.Context, district, pledge, id, tag string, currentYear int) error {
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := lockIndicator(ctx, tx, district, pledge, id, tag, currentYear)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM indicators WHERE district_id = $1 AND pledge_id = $2 AND id = $3`, district, pledge, id); err != nil {
			return err
		}
		return s.view.Record(ctx, tx, audit.Delete, cur.Name(), &cur, nil)
	})
}

// lockIndicator reads an indicator as of currentYear under the row's lock,
// for a write in tx, refusing a stale tag (an empty one asks for no check).
func lockIndicator(ctx context.Context, tx pgx.Tx, district, pledge, id, tag string, currentYear int) (indicator.Indicator, error) {
	list, err := load(ctx, tx, district, pledge, []string{id}, currentYear, " FOR UPDATE")
	if err != nil {
		return indicator.Indicator{}, err
	}
	if len(list) == 0 {
		return indicator.Indicator{}, errNotFound(district, pledge, id)
	}
	return list[0], etag.Check(tag, list[0].Name(), list[0].Revision)
}

// IndicatorAchievement is one indicator's part in its pledge's achievement.
type IndicatorAchievement struct {
	ID, Title string
	Result    indicator.Result
}

// PledgeAchievement averages a pledge's measured indicators (their
// unrounded means) and counts the others beside the average.
func (s *Store) PledgeAchievement(ctx context.Context, district, pledge string, currentYear int) (indicator.Result, []IndicatorAchievement, error) {
	// Both in one batch: one round trip, one snapshot.
	batch := genericPlans()
	batch.Queue(resultsSQL(`i.pledge_id = $2`, "$3"), district, pledge, currentYear)
	batch.Queue(`WITH per_indicator AS (
			SELECT i.id, count(r.state) FILTER (WHERE r.state = 1) AS measured,
				avg(r.achievement) FILTER (WHERE r.state = 1) AS mean
			FROM indicators i LEFT JOIN entry_results($3) r
				ON r.district_id = i.district_id AND r.pledge_id = i.pledge_id AND r.indicator_id = i.id
			WHERE i.district_id = $1 AND i.pledge_id = $2 GROUP BY i.id)
		SELECT coalesce(round(avg(mean) FILTER (WHERE measured > 0), 2)::text, '') FROM per_indicator`,
		district, pledge, currentYear)
	br := s.pool.SendBatch(ctx, batch)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return indicator.Result{}, nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return indicator.Result{}, nil, err
	}
	byKey, err := scanResults(rows)
	if err != nil {
		return indicator.Result{}, nil, err
	}
	results := map[string]indicatorResult{}
	for k, r := range byKey {
		results[k[1]] = r
	}
	var total indicator.Result
	if err := br.QueryRow().Scan(&total.Percent); err != nil {
		return total, nil, err
	}
	var parts []IndicatorAchievement
	for id, r := range results {
		parts = append(parts, IndicatorAchievement{ID: id, Title: r.Title, Result: r.Result})
		switch r.Result.State {
		case indicator.StateMeasured:
			total.Measured++
		case indicator.StateNotYetDue:
			total.NotYetDue++
		default:
			total.NoData++
		}
	}
	sortParts(parts, results)
	total.State = stateOf(total)
	return total, parts, nil
}
