package postgres

import (
	"context"
	"fmt"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/batch"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/indicator/internal/indicator"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/codes"
)

// BatchCreate adds the indicators of a batch, of pledges of one district,
// in one transaction, each as Create adds one: at the end of its pledge's
// indicators unless it names a position. The caller has checked them;
// an id taken already (stored, or earlier in the batch) refuses the batch
// with ALREADY_EXISTS naming each, and nothing is written. Each table is
// written in one statement, and each indicator's audit event as Create
// writes it.
func (s *Store) BatchCreate(ctx context.Context, district string, list []indicator.Indicator, key idempotency.Key, currentYear int) ([]indicator.Indicator, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) ([]indicator.Indicator, error) {
		pledges, ids := make([]string, len(list)), make([]string, len(list))
		for n, i := range list {
			pledges[n], ids[n] = i.PledgeID, i.ID
		}
		if err := idsFree(ctx, tx, district, list); err != nil {
			return nil, err
		}
		rows, err := tx.Query(ctx, `SELECT pledge_id, max(position) FROM indicators
			WHERE district_id = $1 AND pledge_id = ANY($2) GROUP BY pledge_id`, district, pledges)
		if err != nil {
			return nil, err
		}
		last := map[string]int{}
		for rows.Next() {
			var pledge string
			var position int
			if err := rows.Scan(&pledge, &position); err != nil {
				rows.Close()
				return nil, err
			}
			last[pledge] = position
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for n := range list {
			i := &list[n]
			if i.Position == 0 {
				i.Position = last[i.PledgeID] + 1
			}
			last[i.PledgeID] = max(last[i.PledgeID], i.Position)
		}
		if err := insertAll(ctx, tx, district, list); err != nil {
			return nil, err
		}
		loaded, err := loadKeys(ctx, tx, district, pledges, ids, currentYear, "")
		if err != nil {
			return nil, err
		}
		byKey := map[[2]string]indicator.Indicator{}
		for _, i := range loaded {
			byKey[[2]string{i.PledgeID, i.ID}] = i
		}
		out := make([]indicator.Indicator, len(list))
		changes := make([]audit.Change, len(list))
		for n, i := range list {
			out[n] = byKey[[2]string{i.PledgeID, i.ID}]
			changes[n] = audit.Change{Action: audit.Create, Resource: out[n].Name(), After: s.view(out[n])}
		}
		return out, audit.RecordAll(ctx, tx, changes)
	})
}

// idsFree refuses, naming each, the indicators whose pledge has an
// indicator with their id already, stored or earlier in the batch.
func idsFree(ctx context.Context, q pgdb.Querier, district string, list []indicator.Indicator) error {
	pledges, ids := make([]string, len(list)), make([]string, len(list))
	for n, i := range list {
		pledges[n], ids[n] = i.PledgeID, i.ID
	}
	rows, err := q.Query(ctx, `SELECT pledge_id, id FROM indicators
		WHERE district_id = $1 AND (pledge_id, id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`, district, pledges, ids)
	if err != nil {
		return err
	}
	taken := map[[2]string]bool{}
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			return err
		}
		taken[k] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	e := &apierr.Error{Code: codes.AlreadyExists, Reason: apierr.ReasonAlreadyExists}
	for n, i := range list {
		k := [2]string{i.PledgeID, i.ID}
		if taken[k] {
			e.Violations = append(e.Violations, apierr.FieldViolation{Field: batch.Field(n, "indicator_id"),
				Description: fmt.Sprintf("%s exists already, or comes earlier in the batch", i.Name())})
		}
		taken[k] = true
	}
	if len(e.Violations) == 0 {
		return nil
	}
	e.Message = fmt.Sprintf("%d indicators of the batch exist already; nothing was written", len(e.Violations))
	return e
}

// insertAll writes the indicators and their entries, a statement each.
func insertAll(ctx context.Context, tx pgx.Tx, district string, list []indicator.Indicator) error {
	var (
		pledges, ids, titles, units, baselineTexts []string
		terms, positions                           []int32
		kinds, directions                          []int16
		baselines                                  []*string
		ePledges, eIDs, eTargetTexts, eActualTexts []string
		eUnits, eNotes, eEvidence                  []string
		eYears                                     []int32
		eTargets, eActuals                         []*string
		eAssessments                               []int16
	)
	for _, i := range list {
		pledges, ids, titles, units, baselineTexts = append(pledges, i.PledgeID), append(ids, i.ID), append(titles, i.Title),
			append(units, i.Unit), append(baselineTexts, i.Baseline.Text)
		terms, positions = append(terms, int32(i.Term)), append(positions, int32(i.Position))
		kinds, directions, baselines = append(kinds, int16(i.Kind)), append(directions, int16(i.Direction)), append(baselines, number(i.Baseline))
		for _, e := range i.Entries {
			ePledges, eIDs, eYears = append(ePledges, i.PledgeID), append(eIDs, i.ID), append(eYears, int32(e.Year))
			eTargets, eTargetTexts = append(eTargets, number(e.Target)), append(eTargetTexts, e.Target.Text)
			eActuals, eActualTexts = append(eActuals, number(e.Actual)), append(eActualTexts, e.Actual.Text)
			eAssessments, eUnits = append(eAssessments, int16(e.Assessment)), append(eUnits, e.Unit)
			eNotes, eEvidence = append(eNotes, e.Note), append(eEvidence, e.Evidence)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO indicators (district_id, pledge_id, id, term, position, title, kind, direction,
			unit, baseline_number, baseline_text)
		SELECT $1, b.pledge_id, b.id, b.term, b.position, b.title, b.kind, b.direction, b.unit, b.baseline::numeric, b.baseline_text
		FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::smallint[], $8::smallint[], $9::text[], $10::text[], $11::text[])
			AS b(pledge_id, id, term, position, title, kind, direction, unit, baseline, baseline_text)`,
		district, pledges, ids, terms, positions, titles, kinds, directions, units, baselines, baselineTexts); err != nil {
		if pgdb.IsCode(err, pgdb.UniqueViolation) {
			return apierr.AlreadyExists("an indicator of the batch was created by someone else meanwhile; nothing was written")
		}
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO entries (district_id, pledge_id, indicator_id, year, target_number, target_text,
			actual_number, actual_text, assessment, unit, note, evidence)
		SELECT $1, b.pledge_id, b.id, b.year, b.target::numeric, b.target_text, b.actual::numeric, b.actual_text, b.assessment,
			b.unit, b.note, b.evidence
		FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::smallint[], $10::text[],
			$11::text[], $12::text[]) AS b(pledge_id, id, year, target, target_text, actual, actual_text, assessment, unit, note, evidence)`,
		district, ePledges, eIDs, eYears, eTargets, eTargetTexts, eActuals, eActualTexts, eAssessments, eUnits, eNotes, eEvidence)
	return err
}
