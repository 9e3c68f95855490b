package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
)

// Page is what a list of a program's records asks for.
type Page struct {
	District, Program, Token, Filter string
	Size                             int
}

// list runs a keyset-paged listing of a program's records ordered by
// (sort key, id); scan reads one row and returns its sort key and id.
func list[T any](ctx context.Context, q pgdb.Querier, p Page, table, columns, where string, whereArgs []any,
	scan func(pgx.Row) (T, string, string, error)) ([]T, string, error) {
	binding := pagetoken.Bind(table, p.District, p.Program, p.Filter)
	after, err := pagetoken.Decode(p.Token, binding, 2)
	if err != nil {
		return nil, "", err
	}
	if _, err := getProgram(ctx, q, p.District, p.Program, ""); err != nil {
		return nil, "", err
	}
	keys := []pagetoken.Key{{Expr: "sort_key", Type: "text"}, {Expr: "id", Type: "text"}}
	args := append([]any{p.District, p.Program, p.Size + 1}, whereArgs...)
	cond, afterArgs := pagetoken.After(keys, after, len(args)+1)
	rows, err := q.Query(ctx, `SELECT `+columns+` FROM (SELECT *, `+sortKey(table)+` AS sort_key FROM `+table+`) t
		WHERE district_id = $1 AND program_id = $2 AND `+where+` AND `+cond+` ORDER BY `+pagetoken.OrderBy(keys)+` LIMIT $3`,
		append(args, afterArgs...)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []T
	var lastKey, lastID string
	for rows.Next() {
		item, key, id, err := scan(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, item)
		if len(out) <= p.Size {
			lastKey, lastID = key, id
		}
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > p.Size {
		out = out[:p.Size]
		next = pagetoken.Encode(binding, []string{lastKey, lastID})
	}
	return out, next, nil
}

// sortKey is the order records list in, as text that sorts the same way:
// entries and questions by their position, the others in the order they
// were created.
func sortKey(table string) string {
	switch table {
	case "entries", "questions":
		return "lpad(position::text, 10, '0')"
	case "ballots":
		return "to_char(cast_time AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')"
	case "responses":
		return "to_char(submit_time AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')"
	}
	return "to_char(create_time AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')"
}

// --- members ---------------------------------------------------------------

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

func getMember(ctx context.Context, q pgdb.Querier, district, program, id string) (participation.Member, error) {
	m, _, _, err := scanMember(q.QueryRow(ctx, `SELECT `+memberColumns+` FROM (SELECT *, '' AS sort_key FROM members) t
		WHERE district_id = $1 AND program_id = $2 AND id = $3`, district, program, id))
	return m, notFound(err, "member", child(district, program, "members", id))
}

// GetMember returns one member.
func (s *Store) GetMember(ctx context.Context, district, program, id string) (participation.Member, error) {
	return getMember(ctx, s.pool, district, program, id)
}

// ListMembers lists a program's members in the order they were added.
func (s *Store) ListMembers(ctx context.Context, p Page) ([]participation.Member, string, error) {
	return list(ctx, s.pool, p, "members", memberColumns, "TRUE", nil, scanMember)
}

// SaveMember creates (when create) or replaces a member.
func (s *Store) SaveMember(ctx context.Context, district, program string, m participation.Member, create bool, tag string, key idempotency.Key) (participation.Member, error) {
	name := child(district, program, "members", m.ID)
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (participation.Member, error) {
		if _, err := lockProgram(ctx, tx, district, program); err != nil {
			return m, err
		}
		var err error
		if create {
			_, err = tx.Exec(ctx, `INSERT INTO members (district_id, program_id, id, person_name, person_phone, person_email,
				role, affiliation, join_date, leave_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				district, program, m.ID, m.Person.Name, m.Person.Phone, m.Person.Email, m.Role, m.Affiliation, sqlDate(m.Joined), sqlDate(m.Left))
			err = conflict(err, name)
		} else {
			if err := checkRevision(ctx, tx, "members", district, program, m.ID, name, tag); err != nil {
				return m, err
			}
			_, err = tx.Exec(ctx, `UPDATE members SET person_name = $4, person_phone = $5, person_email = $6, role = $7,
				affiliation = $8, join_date = $9, leave_date = $10, revision = revision + 1, update_time = now()
				WHERE district_id = $1 AND program_id = $2 AND id = $3`,
				district, program, m.ID, m.Person.Name, m.Person.Phone, m.Person.Email, m.Role, m.Affiliation, sqlDate(m.Joined), sqlDate(m.Left))
		}
		if err != nil {
			return m, err
		}
		return getMember(ctx, tx, district, program, m.ID)
	})
}

// --- submissions -----------------------------------------------------------

const submissionColumns = `id, title, description, proposer_name, proposer_phone, proposer_email, receive_time, scores,
	coalesce((SELECT round(avg((x->>'score')::numeric), 2)::text FROM jsonb_array_elements(scores) x), ''),
	selected, award, award_rank, revision, create_time, update_time, sort_key`

func scanSubmission(row pgx.Row) (participation.Submission, string, string, error) {
	var s participation.Submission
	var key string
	err := row.Scan(&s.ID, &s.Title, &s.Description, &s.Proposer.Name, &s.Proposer.Phone, &s.Proposer.Email, &s.Received,
		&s.Scores, &s.MeanScore, &s.Selected, &s.Award, &s.AwardRank, &s.Revision, &s.Created, &s.Updated, &key)
	return s, key, s.ID, err
}

func getSubmission(ctx context.Context, q pgdb.Querier, district, program, id string) (participation.Submission, error) {
	s, _, _, err := scanSubmission(q.QueryRow(ctx, `SELECT `+submissionColumns+` FROM (SELECT *, '' AS sort_key FROM submissions) t
		WHERE district_id = $1 AND program_id = $2 AND id = $3`, district, program, id))
	return s, notFound(err, "submission", child(district, program, "submissions", id))
}

// GetSubmission returns one submission.
func (s *Store) GetSubmission(ctx context.Context, district, program, id string) (participation.Submission, error) {
	return getSubmission(ctx, s.pool, district, program, id)
}

// ListSubmissions lists a program's submissions in the order they came,
// filtered on selected and award_rank.
func (s *Store) ListSubmissions(ctx context.Context, p Page) ([]participation.Submission, string, error) {
	cond, args, err := filter.SQL(p.Filter, filter.Schema{
		"selected":   {Column: "selected", Kind: filter.Bool},
		"award_rank": {Column: "award_rank", Kind: filter.Int},
	}, 4)
	if err != nil {
		return nil, "", err
	}
	return list(ctx, s.pool, p, "submissions", submissionColumns, cond, args, scanSubmission)
}

// CreateSubmission adds a submission. admit sees the program, locked, and
// says when the submission counts as received (the program's window is
// checked in the transaction that writes).
func (s *Store) CreateSubmission(ctx context.Context, district, program string, sub participation.Submission, key idempotency.Key,
	admit func(participation.Program) (time.Time, error)) (participation.Submission, error) {
	name := child(district, program, "submissions", sub.ID)
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (participation.Submission, error) {
		p, err := lockProgram(ctx, tx, district, program)
		if err != nil {
			return sub, err
		}
		if sub.Received, err = admit(p); err != nil {
			return sub, err
		}
		scores, _ := json.Marshal(nonNilScores(sub.Scores))
		_, err = tx.Exec(ctx, `INSERT INTO submissions (district_id, program_id, id, title, description, proposer_name,
			proposer_phone, proposer_email, receive_time, scores, selected, award, award_rank)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			district, program, sub.ID, sub.Title, sub.Description, sub.Proposer.Name, sub.Proposer.Phone, sub.Proposer.Email,
			sub.Received, scores, sub.Selected, sub.Award, sub.AwardRank)
		if err != nil {
			return sub, conflict(err, name)
		}
		return getSubmission(ctx, tx, district, program, sub.ID)
	})
}

func nonNilScores(s []participation.JudgeScore) []participation.JudgeScore {
	if s == nil {
		return []participation.JudgeScore{}
	}
	return s
}

// UpdateSubmission applies change (judging: scores, selection, award) to a
// submission, refusing a stale etag.
func (s *Store) UpdateSubmission(ctx context.Context, district, program, id, tag string, change func(*participation.Submission) error) (participation.Submission, error) {
	var out participation.Submission
	name := child(district, program, "submissions", id)
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkRevision(ctx, tx, "submissions", district, program, id, name, tag); err != nil {
			return err
		}
		sub, err := getSubmission(ctx, tx, district, program, id)
		if err != nil {
			return err
		}
		if err := change(&sub); err != nil {
			return err
		}
		scores, _ := json.Marshal(nonNilScores(sub.Scores))
		_, err = tx.Exec(ctx, `UPDATE submissions SET title = $4, description = $5, proposer_name = $6, proposer_phone = $7,
			proposer_email = $8, scores = $9, selected = $10, award = $11, award_rank = $12, revision = revision + 1,
			update_time = now() WHERE district_id = $1 AND program_id = $2 AND id = $3`,
			district, program, id, sub.Title, sub.Description, sub.Proposer.Name, sub.Proposer.Phone, sub.Proposer.Email,
			scores, sub.Selected, sub.Award, sub.AwardRank)
		if err != nil {
			return err
		}
		out, err = getSubmission(ctx, tx, district, program, id)
		return err
	})
	return out, err
}

// --- entries ---------------------------------------------------------------

const entryColumns = `id, title, description, coalesce(panel_score::text, ''), position, revision, create_time, update_time, sort_key`

func scanEntry(row pgx.Row) (participation.Entry, string, string, error) {
	var e participation.Entry
	var key string
	err := row.Scan(&e.ID, &e.Title, &e.Description, &e.PanelScore, &e.Position, &e.Revision, &e.Created, &e.Updated, &key)
	return e, key, e.ID, err
}

func getEntry(ctx context.Context, q pgdb.Querier, district, program, id string) (participation.Entry, error) {
	e, _, _, err := scanEntry(q.QueryRow(ctx, `SELECT `+entryColumns+` FROM (SELECT *, '' AS sort_key FROM entries) t WHERE district_id = $1 AND program_id = $2 AND id = $3`,
		district, program, id))
	return e, notFound(err, "entry", child(district, program, "entries", id))
}

// GetEntry returns one evaluation entry.
func (s *Store) GetEntry(ctx context.Context, district, program, id string) (participation.Entry, error) {
	return getEntry(ctx, s.pool, district, program, id)
}

// ListEntries lists a program's entries by position.
func (s *Store) ListEntries(ctx context.Context, p Page) ([]participation.Entry, string, error) {
	return list(ctx, s.pool, p, "entries", entryColumns, "TRUE", nil, scanEntry)
}

// SaveEntry creates or replaces an entry; a new one without a position
// goes last.
func (s *Store) SaveEntry(ctx context.Context, district, program string, e participation.Entry, create bool, tag string, key idempotency.Key) (participation.Entry, error) {
	name := child(district, program, "entries", e.ID)
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (participation.Entry, error) {
		if _, err := lockProgram(ctx, tx, district, program); err != nil {
			return e, err
		}
		if err := nextPosition(ctx, tx, "entries", district, program, &e.Position); err != nil {
			return e, err
		}
		score := nullText(e.PanelScore)
		var err error
		if create {
			_, err = tx.Exec(ctx, `INSERT INTO entries (district_id, program_id, id, position, title, description, panel_score)
				VALUES ($1, $2, $3, $4, $5, $6, $7::text::numeric)`, district, program, e.ID, e.Position, e.Title, e.Description, score)
			err = conflict(err, name)
		} else {
			if err := checkRevision(ctx, tx, "entries", district, program, e.ID, name, tag); err != nil {
				return e, err
			}
			_, err = tx.Exec(ctx, `UPDATE entries SET position = $4, title = $5, description = $6, panel_score = $7::text::numeric,
				revision = revision + 1, update_time = now() WHERE district_id = $1 AND program_id = $2 AND id = $3`,
				district, program, e.ID, e.Position, e.Title, e.Description, score)
		}
		if err != nil {
			return e, err
		}
		return getEntry(ctx, tx, district, program, e.ID)
	})
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nextPosition(ctx context.Context, tx pgx.Tx, table, district, program string, pos *int) error {
	if *pos != 0 {
		return nil
	}
	return tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) + 1 FROM `+table+` WHERE district_id = $1 AND program_id = $2`,
		district, program).Scan(pos)
}

// --- questions -------------------------------------------------------------

const questionColumns = `id, text, kind, options, scale_min, scale_max, required, position, revision, create_time, update_time, sort_key`

func scanQuestion(row pgx.Row) (participation.Question, string, string, error) {
	var q participation.Question
	var key string
	err := row.Scan(&q.ID, &q.Text, &q.Kind, &q.Options, &q.ScaleMin, &q.ScaleMax, &q.Required, &q.Position, &q.Revision,
		&q.Created, &q.Updated, &key)
	return q, key, q.ID, err
}

func getQuestion(ctx context.Context, q pgdb.Querier, district, program, id string) (participation.Question, error) {
	qu, _, _, err := scanQuestion(q.QueryRow(ctx, `SELECT `+questionColumns+` FROM (SELECT *, '' AS sort_key FROM questions) t WHERE district_id = $1 AND program_id = $2 AND id = $3`,
		district, program, id))
	return qu, notFound(err, "question", child(district, program, "questions", id))
}

// GetQuestion returns one survey question.
func (s *Store) GetQuestion(ctx context.Context, district, program, id string) (participation.Question, error) {
	return getQuestion(ctx, s.pool, district, program, id)
}

// ListQuestions lists a survey's questions by position.
func (s *Store) ListQuestions(ctx context.Context, p Page) ([]participation.Question, string, error) {
	return list(ctx, s.pool, p, "questions", questionColumns, "TRUE", nil, scanQuestion)
}

// SaveQuestion creates or replaces a question.
func (s *Store) SaveQuestion(ctx context.Context, district, program string, q participation.Question, create bool, tag string, key idempotency.Key) (participation.Question, error) {
	name := child(district, program, "questions", q.ID)
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (participation.Question, error) {
		if _, err := lockProgram(ctx, tx, district, program); err != nil {
			return q, err
		}
		if !create {
			var answered bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM answers WHERE district_id = $1 AND program_id = $2 AND question_id = $3)`,
				district, program, q.ID).Scan(&answered); err != nil {
				return q, err
			}
			if answered {
				return q, apierr.FailedPrecondition("%s has answers already and cannot change", name)
			}
		}
		if err := nextPosition(ctx, tx, "questions", district, program, &q.Position); err != nil {
			return q, err
		}
		opts := nonNil(q.Options)
		var err error
		if create {
			_, err = tx.Exec(ctx, `INSERT INTO questions (district_id, program_id, id, position, text, kind, options, scale_min, scale_max, required)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, district, program, q.ID, q.Position, q.Text, q.Kind, opts, q.ScaleMin, q.ScaleMax, q.Required)
			err = conflict(err, name)
		} else {
			if err := checkRevision(ctx, tx, "questions", district, program, q.ID, name, tag); err != nil {
				return q, err
			}
			_, err = tx.Exec(ctx, `UPDATE questions SET position = $4, text = $5, kind = $6, options = $7, scale_min = $8, scale_max = $9,
				required = $10, revision = revision + 1, update_time = now() WHERE district_id = $1 AND program_id = $2 AND id = $3`,
				district, program, q.ID, q.Position, q.Text, q.Kind, opts, q.ScaleMin, q.ScaleMax, q.Required)
		}
		if err != nil {
			return q, err
		}
		return getQuestion(ctx, tx, district, program, q.ID)
	})
}

// DeleteRecord removes a member, submission, entry or question, refusing a
// stale etag; an entry with ballots or a question with answers stays.
func (s *Store) DeleteRecord(ctx context.Context, table, district, program, id, tag string) error {
	name := child(district, program, table, id)
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkRevision(ctx, tx, table, district, program, id, name, tag); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE district_id = $1 AND program_id = $2 AND id = $3`, district, program, id)
		if pgdb.IsCode(err, pgdb.ForeignKeyViolation) {
			return apierr.FailedPrecondition("%s has ballots or answers and cannot be removed", name)
		}
		return err
	})
}
