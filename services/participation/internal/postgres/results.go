package postgres

import (
	"context"

	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
)

// EntryTally is one entry's part of a tally.
type EntryTally struct {
	ID, Title                                       string
	Ballots                                         int
	CitizenMean, CitizenScore, PanelScore, Combined string
	Rank                                            int
}

// Tally counts an evaluation in SQL: ballots per entry, the citizen mean
// scaled to 0–100, the panel score, their weighed combination and the
// ranks. The program's ballots and weights come with it.
func (s *Store) Tally(ctx context.Context, district, program string) (participation.Program, []EntryTally, error) {
	p, err := getProgram(ctx, s.pool, district, program, "")
	if err != nil {
		return p, nil, err
	}
	rows, err := s.pool.Query(ctx, `WITH per_entry AS (
			SELECT e.id, e.title, e.position, e.panel_score, count(s.score) AS ballots, avg(s.score) AS mean
			FROM entries e LEFT JOIN ballot_scores s
				ON s.district_id = e.district_id AND s.program_id = e.program_id AND s.entry_id = e.id
			WHERE e.district_id = $1 AND e.program_id = $2
			GROUP BY e.id, e.title, e.position, e.panel_score),
		scored AS (
			SELECT *, mean * 100 / $3::numeric AS citizen,
				CASE WHEN ($4 > 0 AND mean IS NULL) OR ($5 > 0 AND panel_score IS NULL) THEN NULL
					ELSE coalesce(mean * 100 / $3::numeric, 0) * $4 / 100 + coalesce(panel_score, 0) * $5 / 100 END AS combined
			FROM per_entry)
		SELECT id, title, ballots, coalesce(round(mean, 2)::text, ''), coalesce(round(citizen, 2)::text, ''),
			coalesce(panel_score::text, ''), coalesce(round(combined, 2)::text, ''),
			CASE WHEN combined IS NULL THEN 0 ELSE rank() OVER (ORDER BY round(combined, 2) DESC NULLS LAST) END
		FROM scored ORDER BY combined IS NULL, round(combined, 2) DESC, position, id`,
		district, program, p.BallotScaleMax, p.CitizenWeight, p.PanelWeight)
	if err != nil {
		return p, nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (EntryTally, error) {
		var t EntryTally
		err := row.Scan(&t.ID, &t.Title, &t.Ballots, &t.CitizenMean, &t.CitizenScore, &t.PanelScore, &t.Combined, &t.Rank)
		return t, err
	})
	return p, out, err
}

// ContestResults returns a contest's awarded submissions by award rank,
// then in the order they came, with the contest's counts.
func (s *Store) ContestResults(ctx context.Context, district, program string) (participation.Program, []participation.Submission, error) {
	p, err := getProgram(ctx, s.pool, district, program, "")
	if err != nil {
		return p, nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+submissionColumns+` FROM (SELECT *, '' AS sort_key FROM submissions) t
		WHERE district_id = $1 AND program_id = $2 AND selected AND (award <> '' OR award_rank > 0)
		ORDER BY award_rank = 0, award_rank, receive_time, create_time, id`, district, program)
	if err != nil {
		return p, nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (participation.Submission, error) {
		sub, _, _, err := scanSubmission(row)
		return sub, err
	})
	return p, out, err
}

// QuestionResult sums the answers to one question.
type QuestionResult struct {
	Question participation.Question
	Answered int
	Mean     string
	// Counts by scale value or option position.
	Counts map[int]int
}

// SurveyResults sums a survey's answers, question by question, in SQL.
func (s *Store) SurveyResults(ctx context.Context, district, program string) (participation.Program, []QuestionResult, error) {
	p, err := getProgram(ctx, s.pool, district, program, "")
	if err != nil {
		return p, nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT t.id, t.text, t.kind, t.options, t.scale_min, t.scale_max, t.required, t.position,
			t.revision, t.create_time, t.update_time, t.sort_key, count(a.question_id),
			coalesce(round(avg(a.scale_value) FILTER (WHERE t.kind = 1), 2)::text, '')
		FROM (SELECT *, '' AS sort_key FROM questions) t LEFT JOIN answers a
			ON a.district_id = t.district_id AND a.program_id = t.program_id AND a.question_id = t.id
		WHERE t.district_id = $1 AND t.program_id = $2
		GROUP BY t.district_id, t.program_id, t.id, t.text, t.kind, t.options, t.scale_min, t.scale_max, t.required,
			t.position, t.revision, t.create_time, t.update_time, t.sort_key
		ORDER BY t.position, t.id`, district, program)
	if err != nil {
		return p, nil, err
	}
	var out []QuestionResult
	index := map[string]int{}
	for rows.Next() {
		var r QuestionResult
		var key string
		if err := rows.Scan(&r.Question.ID, &r.Question.Text, &r.Question.Kind, &r.Question.Options, &r.Question.ScaleMin,
			&r.Question.ScaleMax, &r.Question.Required, &r.Question.Position, &r.Question.Revision, &r.Question.Created,
			&r.Question.Updated, &key, &r.Answered, &r.Mean); err != nil {
			rows.Close()
			return p, nil, err
		}
		r.Counts = map[int]int{}
		index[r.Question.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, nil, err
	}
	rows, err = s.pool.Query(ctx, `SELECT a.question_id, x.v, count(*) FROM answers a
		JOIN questions q ON q.district_id = a.district_id AND q.program_id = a.program_id AND q.id = a.question_id
		CROSS JOIN LATERAL unnest(CASE WHEN q.kind = 1 THEN ARRAY[a.scale_value] ELSE a.choices END) AS x(v)
		WHERE a.district_id = $1 AND a.program_id = $2 AND q.kind IN (1, 2, 3)
		GROUP BY a.question_id, x.v`, district, program)
	if err != nil {
		return p, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var v, n int
		if err := rows.Scan(&id, &v, &n); err != nil {
			return p, nil, err
		}
		if i, ok := index[id]; ok {
			out[i].Counts[v] = n
		}
	}
	return p, out, rows.Err()
}

// SummaryQuery is what SummarizePrograms sums.
type SummaryQuery struct {
	summary.Query
	// Kinds are the enum names a filter on kind compares against.
	Kinds map[string]int32
}

// SummaryRow sums one group of programs.
type SummaryRow struct {
	District                                                     string
	Term                                                         int
	Kind                                                         participation.Kind
	Programs                                                     int
	DeclaredParticipants, DeclaredApplications, DeclaredSelected int
	Members, Submissions, Selected, Ballots, Responses           int
	SelectionRate, DeclaredSelectionRate                         string
}

// dimensions are what a program summary can be grouped by, in the order
// its rows carry them.
var dimensions = []summary.Dimension{
	summary.District("x.district_id"),
	summary.Term("x.term"),
	{Name: "kind", Column: "x.kind", Zero: "0::smallint"},
}

// Summarize sums programs by group in SQL.
func (s *Store) Summarize(ctx context.Context, q SummaryQuery) ([]SummaryRow, SummaryRow, string, error) {
	p, err := q.Prepare("programs:summarize", dimensions, filter.Schema{
		"district": {Column: resourcename.District.SQL("x.district_id"), Kind: filter.Text},
		"term":     {Column: "x.term", Kind: filter.Int},
		"kind":     {Column: "x.kind", Kind: filter.Enum, Values: q.Kinds},
	}, 2)
	if err != nil {
		return nil, SummaryRow{}, "", err
	}
	// Each table counted once, by program, and joined to the programs:
	// a count per program and table (five probes for each of 1,215
	// programs) took five times as long at the full scale.
	counted := func(table, counts string) string {
		return `LEFT JOIN (SELECT district_id, program_id, ` + counts + ` FROM ` + table + `
			WHERE $1 = '' OR district_id = $1 GROUP BY district_id, program_id) ` + table + `
			ON ` + table + `.district_id = p.district_id AND ` + table + `.program_id = p.id `
	}
	from := ` FROM (SELECT p.district_id, p.term, p.kind, p.declared_participants, p.declared_applications, p.declared_selected,
			coalesce(members.n, 0) AS members, coalesce(submissions.n, 0) AS submissions, coalesce(submissions.selected, 0) AS selected,
			coalesce(ballots.n, 0) AS ballots, coalesce(responses.n, 0) AS responses
		FROM programs p ` +
		counted("members", "count(*) AS n") +
		counted("submissions", "count(*) AS n, count(*) FILTER (WHERE selected) AS selected") +
		counted("ballots", "count(*) AS n") +
		counted("responses", "count(*) AS n") +
		`) x WHERE ($1 = '' OR x.district_id = $1) AND ` + p.Where
	sums := `count(*), coalesce(sum(declared_participants), 0), coalesce(sum(declared_applications), 0), coalesce(sum(declared_selected), 0),
		coalesce(sum(members), 0), coalesce(sum(submissions), 0), coalesce(sum(selected), 0), coalesce(sum(ballots), 0), coalesce(sum(responses), 0),
		coalesce(round(100.0 * sum(selected) / nullif(sum(submissions), 0), 2)::text, ''),
		coalesce(round(100.0 * sum(declared_selected) / nullif(sum(declared_applications), 0), 2)::text, '')`
	return summary.Sums[SummaryRow]{
		Select: sums, From: from, Args: append([]any{q.District}, p.Args...),
		Values: func(r *SummaryRow) []any {
			return []any{&r.Programs, &r.DeclaredParticipants, &r.DeclaredApplications, &r.DeclaredSelected, &r.Members,
				&r.Submissions, &r.Selected, &r.Ballots, &r.Responses, &r.SelectionRate, &r.DeclaredSelectionRate}
		},
		Dimensions: func(r *SummaryRow) []any { return []any{&r.District, &r.Term, &r.Kind} },
	}.Read(ctx, s.pool, p)
}
