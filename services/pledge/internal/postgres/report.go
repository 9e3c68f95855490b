package postgres

import (
	"context"
	"time"

	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// ReportDistrict is a district an implementation report covers, with the
// term it is reported in.
type ReportDistrict struct {
	ID, DisplayName, MetropolitanGovernment string
	Term                                    int
	TermStart, TermEnd                      time.Time
}

// ReportScope lists the districts a report covers, by display name (in
// code point order, which is 가나다 order for Hangul): the district alone,
// or every district when district is ""; each in term, or in its current
// term when term is 0. A district without that term is left out.
func (s *Store) ReportScope(ctx context.Context, district string, term int) ([]ReportDistrict, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.id, d.display_name, d.metropolitan_government, t.number, t.start_date, t.end_date
		FROM districts d JOIN terms t ON t.district_id = d.id AND t.number = CASE WHEN $2 = 0 THEN d.current_term ELSE $2 END
		WHERE $1 = '' OR d.id = $1
		ORDER BY d.display_name COLLATE "C", d.id`, district, term)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ReportDistrict, error) {
		var d ReportDistrict
		err := row.Scan(&d.ID, &d.DisplayName, &d.MetropolitanGovernment, &d.Term, &d.TermStart, &d.TermEnd)
		return d, err
	})
}

// ReportPeriod is one district's part of a report: its term, and the day
// its period of status changes starts.
type ReportPeriod struct {
	District string
	Term     int
	Start    time.Time
}

// Standing is a pledge as a report counts it: its status as of the
// report's day and, when that changed in the period, how.
type Standing struct {
	// Period is the index of the pledge's district among the periods
	// asked for.
	Period int
	// AfterTerm is a pledge due after its term (완료시기 임기후).
	AfterTerm bool
	// Status is the status of its last recorded change effective on or
	// before the day; 미지정 (StatusUnspecified) without one.
	Status pledge.Status
	// Changed says its status changed in the period. Then ID and Title
	// name it, Previous is its status before the period's first change and
	// Effective the day its last change took effect.
	Changed   bool
	ID, Title string
	Previous  pledge.Status
	Effective time.Time
}

// Standings reads every pledge of the periods' districts and terms that is
// not deleted, as it stood on asOf, from the status history: a pledge's
// status is that of its last recorded change (by number) that took effect
// on or before asOf. Changes that left the status as it was (a pledge
// created without one) are no changes. One pass over the pledges: each
// carries its history with days in order (migration 0006), in which
// width_bucket counts the changes effective by a day.
func (s *Store) Standings(ctx context.Context, periods []ReportPeriod, asOf time.Time) ([]Standing, error) {
	districts, terms, starts := make([]string, len(periods)), make([]int32, len(periods)), make([]time.Time, len(periods))
	for i, p := range periods {
		districts[i], terms[i], starts[i] = p.District, int32(p.Term), p.Start
	}
	// upto: how many changes took effect by asOf; before: how many before
	// the period. It changed in the period when upto > before. (OFFSET 0
	// keeps the two counts computed once a row, not once a use.)
	rows, err := s.pool.Query(ctx, `WITH scope AS (
			SELECT * FROM unnest($1::text[], $2::integer[], $3::date[]) WITH ORDINALITY AS s (district_id, term, start_date, n))
		SELECT s.n - 1, p.completion_timing = $5, coalesce(p.history_statuses[n.upto], 0::smallint), n.upto > n.before,
			CASE WHEN n.upto > n.before THEN p.id ELSE '' END, CASE WHEN n.upto > n.before THEN p.title ELSE '' END,
			CASE WHEN n.upto > n.before THEN p.history_previous[n.before + 1] ELSE 0::smallint END,
			CASE WHEN n.upto > n.before THEN p.history_dates[n.upto] END
		FROM scope s
		JOIN pledges p ON p.district_id = s.district_id AND p.term = s.term AND p.delete_time IS NULL
		CROSS JOIN LATERAL (SELECT coalesce(width_bucket($4::date, p.history_dates), 0) AS upto,
			coalesce(width_bucket(s.start_date - 1, p.history_dates), 0) AS before OFFSET 0) n`,
		districts, terms, starts, asOf, pledge.CompletionTimingAfterTerm)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Standing, 0, 1024)
	for rows.Next() {
		// Plain types: pgx scans them without reflection, which counts at
		// tens of thousands of rows.
		var st Standing
		var period int64
		var status, previous int16
		var effective pgtype.Date
		if err := rows.Scan(&period, &st.AfterTerm, &status, &st.Changed, &st.ID, &st.Title, &previous, &effective); err != nil {
			return nil, err
		}
		st.Period, st.Status, st.Previous, st.Effective = int(period), pledge.Status(status), pledge.Status(previous), effective.Time
		out = append(out, st)
	}
	return out, rows.Err()
}
