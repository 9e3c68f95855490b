package postgres

import (
	"context"
	"time"

	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/jackc/pgx/v5"
)

// programFields are a program's own columns; programColumns adds the
// counts of its records, and uncounted stands in for them where a query
// need not pay for them.
const programFields = `p.district_id, p.id, p.term, p.kind, p.title, p.description, p.status, p.start_date, p.end_date,
	p.pledges, p.declared_members, p.declared_applications, p.declared_selected, p.declared_participants,
	p.submission_open, p.submission_close, p.voting_open, p.voting_close, p.response_open, p.response_close,
	p.ballot_scale_max, p.citizen_weight, p.panel_weight, p.revision, p.create_time, p.update_time`

const uncounted = `, 0, 0, 0, 0, 0, 0, 0`

const programColumns = programFields + `,
	(SELECT count(*) FROM members x WHERE x.district_id = p.district_id AND x.program_id = p.id),
	(SELECT count(*) FROM submissions x WHERE x.district_id = p.district_id AND x.program_id = p.id),
	(SELECT count(*) FROM submissions x WHERE x.district_id = p.district_id AND x.program_id = p.id AND x.selected),
	(SELECT count(*) FROM entries x WHERE x.district_id = p.district_id AND x.program_id = p.id),
	(SELECT count(*) FROM ballots x WHERE x.district_id = p.district_id AND x.program_id = p.id),
	(SELECT count(*) FROM questions x WHERE x.district_id = p.district_id AND x.program_id = p.id),
	(SELECT count(*) FROM responses x WHERE x.district_id = p.district_id AND x.program_id = p.id)`

// scanProgram reads programColumns, then whatever extra the query adds.
func scanProgram(row pgx.Row, extra ...any) (participation.Program, error) {
	var p participation.Program
	var start, end, so, sc, vo, vc, ro, rc *time.Time
	err := row.Scan(append([]any{&p.DistrictID, &p.ID, &p.Term, &p.Kind, &p.Title, &p.Description, &p.Status, &start, &end,
		&p.Pledges, &p.Declared.Members, &p.Declared.Applications, &p.Declared.Selected, &p.Declared.Participants,
		&so, &sc, &vo, &vc, &ro, &rc, &p.BallotScaleMax, &p.CitizenWeight, &p.PanelWeight, &p.Revision, &p.Created, &p.Updated,
		&p.Recorded.Members, &p.Recorded.Submissions, &p.Recorded.Selected, &p.Recorded.Entries, &p.Recorded.Ballots,
		&p.Recorded.Questions, &p.Recorded.Responses}, extra...)...)
	p.Start, p.End = dateOf(start), dateOf(end)
	p.Submissions = participation.Window{Open: timeOf(so), Close: timeOf(sc)}
	p.Voting = participation.Window{Open: timeOf(vo), Close: timeOf(vc)}
	p.Responses = participation.Window{Open: timeOf(ro), Close: timeOf(rc)}
	return p, err
}

func programName(district, id string) string { return resourcename.Program.Format(district, id) }

func getProgram(ctx context.Context, q pgdb.Querier, district, id, lock string) (participation.Program, error) {
	p, err := scanProgram(q.QueryRow(ctx, `SELECT `+programColumns+` FROM programs p WHERE p.district_id = $1 AND p.id = $2`+lock, district, id))
	return p, notFound(err, "program", programName(district, id))
}

// GetProgram returns one program with its recorded counts.
func (s *Store) GetProgram(ctx context.Context, district, id string) (participation.Program, error) {
	return getProgram(ctx, s.pool, district, id, "")
}

// ProgramPledges returns the ids of the pledges a program serves, for
// deciding who may read and write it.
func (s *Store) ProgramPledges(ctx context.Context, district, id string) ([]string, error) {
	var pledges []string
	err := s.pool.QueryRow(ctx, `SELECT pledges FROM programs WHERE district_id = $1 AND id = $2`, district, id).Scan(&pledges)
	return pledges, notFound(err, "program", programName(district, id))
}

// ProgramQuery is what ListPrograms lists.
type ProgramQuery struct {
	District, Token, Filter string
	Size                    int
	Kinds, Statuses         map[string]int32
	// Pledge, when set, lists only the programs serving that pledge (an
	// id), whatever the filter says: a reader of published data lists the
	// programs of the published pledge it named.
	Pledge string
}

// ListPrograms returns a page of a district's programs, newest first by
// start date, then by id.
func (s *Store) ListPrograms(ctx context.Context, q ProgramQuery) ([]participation.Program, string, error) {
	binding := pagetoken.Bind("programs", q.District, q.Filter)
	after, err := pagetoken.Decode(q.Token, binding, 2)
	if err != nil {
		return nil, "", err
	}
	cond, args, err := filter.SQL(q.Filter, filter.Schema{
		"kind":        {Column: "p.kind", Kind: filter.Enum, Values: q.Kinds},
		"status":      {Column: "p.status", Kind: filter.Enum, Values: q.Statuses},
		"term":        {Column: "p.term", Kind: filter.Int},
		"update_time": {Column: "p.update_time", Kind: filter.Time},
		"pledges":     {Column: "(SELECT array_agg(" + resourcename.Pledge.SQL("p.district_id", "x") + ") FROM unnest(p.pledges) x)", Kind: filter.TextList},
	}, 4)
	if err != nil {
		return nil, "", err
	}
	keys := []pagetoken.Key{{Expr: "p.create_time", Type: "timestamptz"}, {Expr: "p.id", Type: "text"}}
	afterCond, afterArgs := pagetoken.After(keys, after, 4+len(args))
	rows, err := s.pool.Query(ctx, `SELECT `+programColumns+` FROM programs p WHERE p.district_id = $1
		AND ($3 = '' OR $3 = ANY(p.pledges)) AND `+cond+` AND `+afterCond+
		` ORDER BY `+pagetoken.OrderBy(keys)+` LIMIT $2`, append(append([]any{q.District, q.Size + 1, q.Pledge}, args...), afterArgs...)...)
	if err != nil {
		return nil, "", err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (participation.Program, error) { return scanProgram(row) })
	if err != nil {
		return nil, "", err
	}
	list, next := pagetoken.Cut(list, q.Size, binding, func(last participation.Program) []string {
		return []string{last.Created.UTC().Format(time.RFC3339Nano), last.ID}
	})
	return list, next, nil
}

func programValues(p participation.Program) []any {
	return []any{p.DistrictID, p.ID, p.Term, p.Kind, p.Title, p.Description, p.Status, sqlDate(p.Start), sqlDate(p.End),
		nonNil(p.Pledges), p.Declared.Members, p.Declared.Applications, p.Declared.Selected, p.Declared.Participants,
		sqlTime(p.Submissions.Open), sqlTime(p.Submissions.Close), sqlTime(p.Voting.Open), sqlTime(p.Voting.Close),
		sqlTime(p.Responses.Open), sqlTime(p.Responses.Close), p.BallotScaleMax, p.CitizenWeight, p.PanelWeight}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CreateProgram adds a program.
func (s *Store) CreateProgram(ctx context.Context, p participation.Program, key idempotency.Key) (participation.Program, error) {
	return idempotency.Do(ctx, s.pool, key, func(tx pgx.Tx) (participation.Program, error) {
		_, err := tx.Exec(ctx, `INSERT INTO programs (district_id, id, term, kind, title, description, status, start_date,
			end_date, pledges, declared_members, declared_applications, declared_selected, declared_participants,
			submission_open, submission_close, voting_open, voting_close, response_open, response_close,
			ballot_scale_max, citizen_weight, panel_weight)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
			programValues(p)...)
		if err != nil {
			return p, conflict(err, p.Name())
		}
		created, err := getProgram(ctx, tx, p.DistrictID, p.ID, "")
		if err != nil {
			return created, err
		}
		return created, s.record(ctx, tx, audit.Create, created.Name(), p.DistrictID, p.ID, nil, created)
	})
}

// UpdateProgram applies change to a program in one transaction: it locks
// the program, refuses a stale etag, has change edit it (and check it:
// change refuses what may not be written), writes the result and records
// the change.
func (s *Store) UpdateProgram(ctx context.Context, district, id, tag string, change func(*participation.Program) error) (participation.Program, error) {
	var out participation.Program
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		p, err := getProgram(ctx, tx, district, id, " FOR UPDATE OF p")
		if err != nil {
			return err
		}
		if err := etag.Check(tag, p.Name(), p.Revision); err != nil {
			return err
		}
		before := p
		if err := change(&p); err != nil {
			return err
		}
		p.DistrictID, p.ID = district, id // the change may not move it
		_, err = tx.Exec(ctx, `UPDATE programs SET term = $3, kind = $4, title = $5, description = $6, status = $7,
			start_date = $8, end_date = $9, pledges = $10, declared_members = $11, declared_applications = $12,
			declared_selected = $13, declared_participants = $14, submission_open = $15, submission_close = $16,
			voting_open = $17, voting_close = $18, response_open = $19, response_close = $20, ballot_scale_max = $21,
			citizen_weight = $22, panel_weight = $23, revision = revision + 1, update_time = now()
			WHERE district_id = $1 AND id = $2`, programValues(p)...)
		if err != nil {
			return err
		}
		if out, err = getProgram(ctx, tx, district, id, ""); err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Update, out.Name(), district, id, before, out)
	})
	return out, err
}

// DeleteProgram removes a program and every record of it.
func (s *Store) DeleteProgram(ctx context.Context, district, id, tag string) error {
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		p, err := getProgram(ctx, tx, district, id, " FOR UPDATE OF p")
		if err != nil {
			return err
		}
		if err := etag.Check(tag, p.Name(), p.Revision); err != nil {
			return err
		}
		// Ballot scores refer to entries; they go first.
		if _, err := tx.Exec(ctx, `DELETE FROM ballots WHERE district_id = $1 AND program_id = $2`, district, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM responses WHERE district_id = $1 AND program_id = $2`, district, id); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `DELETE FROM programs WHERE district_id = $1 AND id = $2`, district, id); err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Delete, p.Name(), district, id, p, nil)
	})
}

// lockProgram reads a program, without its counts, and holds it against
// change while one of its records is written: records of one program are
// written side by side (FOR SHARE), and a change of the program (FOR
// UPDATE) waits for those under way, while those after it see the
// change. The counts are left out because nothing written under the lock
// needs them, and counting there made each ballot scan every ballot cast
// before it.
func lockProgram(ctx context.Context, tx pgx.Tx, district, id string) (participation.Program, error) {
	return lockWith(ctx, tx, district, id, "")
}

// lockEvaluation is lockProgram for a ballot: it reads the evaluation's
// entries too, and the transaction's time (what the ballot's update_time
// will be), in the same query, saving round trips.
func lockEvaluation(ctx context.Context, tx pgx.Tx, district, id string) (participation.Program, map[string]bool, time.Time, error) {
	var ids []string
	var now time.Time
	p, err := lockWith(ctx, tx, district, id,
		`, ARRAY(SELECT x.id FROM entries x WHERE x.district_id = p.district_id AND x.program_id = p.id), now()`, &ids, &now)
	entries := make(map[string]bool, len(ids))
	for _, e := range ids {
		entries[e] = true
	}
	return p, entries, now, err
}

// lockWith is lockProgram reading more columns of p into dest.
func lockWith(ctx context.Context, tx pgx.Tx, district, id, more string, dest ...any) (participation.Program, error) {
	p, err := scanProgram(tx.QueryRow(ctx, `SELECT `+programFields+uncounted+more+
		` FROM programs p WHERE p.district_id = $1 AND p.id = $2 FOR SHARE OF p`, district, id), dest...)
	return p, notFound(err, "program", programName(district, id))
}
