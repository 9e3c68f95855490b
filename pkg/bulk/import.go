package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// LineField is the field a refusal of an export's line names: `line 12`.
func LineField(n int64) string { return fmt.Sprintf("line %d", n) }

// Import writes district's rows, read by next until it returns io.EOF, in
// one transaction: all of them or, when one is refused, none; when
// validateOnly, the transaction is rolled back after every line was
// written, and nothing stays. The first line is the service's header: an
// export of another schema version than this suite's, or a district this
// service holds data of, is refused FAILED_PRECONDITION (an import goes
// where the district is not yet); an export this service imported before
// (its exportID in the audit log) writes nothing and reports already. A
// masked header, a line that is not a row of one of s's tables, or one
// the database refuses, is INVALID_ARGUMENT naming the line's number —
// never its values, which may be personal data.
func (s Service) Import(ctx context.Context, district, exportID string, validateOnly bool, next func() ([]*typev1.DataLine, error)) (rows int64, already bool, err error) {
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return 0, false, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// One import of a district at a time: the second waits, then finds
	// the first's rows.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('bulk import ' || $1, 0))`, district); err != nil {
		return 0, false, err
	}
	// The rows keep the update times they were exported with, though a
	// trigger touches a row again while it is restored (a pledge's status
	// history): touch_update_time leaves a restoring transaction's alone.
	if _, err := tx.Exec(ctx, `SET LOCAL gongyak.restoring = 'on'`); err != nil {
		return 0, false, err
	}
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_events
		WHERE district_id = $1 AND action = $2 AND after->>'exportId' = $3)`, district, ImportAction, exportID).Scan(&already); err != nil || already {
		return 0, already, err
	}
	in := &importing{Service: s}
	if in.version, err = s.SchemaVersion(ctx, tx); err != nil {
		return 0, false, err
	}
	cols := map[string][]string{}
	for _, t := range s.Tables {
		var held bool
		q := fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM %s WHERE %s = $1)`, pgx.Identifier{t.Name}.Sanitize(), pgx.Identifier{t.District}.Sanitize())
		if err := tx.QueryRow(ctx, q, district).Scan(&held); err != nil {
			return 0, false, err
		}
		if held {
			return 0, false, apierr.FailedPrecondition("%s already has data in the %s service: an export is imported into a suite where its district does not exist yet", resourcename.District.Format(district), s.Name)
		}
		if cols[t.Name], err = columns(ctx, tx, t); err != nil {
			return 0, false, err
		}
	}
	for {
		lines, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, false, err
		}
		if err := in.insert(ctx, tx, district, cols, lines); err != nil {
			return 0, false, err
		}
		rows += int64(len(lines)) - int64(headers(lines, s.HeaderType()))
	}
	if !in.headed {
		return 0, false, apierr.Invalid("lines", "the %s service's header is missing: an import starts with it", s.Name)
	}
	if validateOnly {
		return rows, false, nil // the deferred rollback drops every row
	}
	if err := audit.Record(ctx, tx, ImportAction, resourcename.District.Format(district), nil,
		&typev1.ImportDistrictDataRequest{Name: resourcename.District.Format(district), ExportId: exportID}); err != nil {
		return 0, false, err
	}
	return rows, false, tx.Commit(ctx)
}

// importing is an import under way: the service, its schema's version,
// and the export's header once read.
type importing struct {
	Service
	version int64
	header  Header
	headed  bool
}

// insert writes lines in one round trip, each after checking it is a row
// of district in one of s's tables with no column the table lacks.
func (s *importing) insert(ctx context.Context, tx pgx.Tx, district string, cols map[string][]string, lines []*typev1.DataLine) error {
	batch := &pgx.Batch{}
	var queued []*typev1.DataLine
	for _, l := range lines {
		field := LineField(l.GetLine())
		if l.GetType() == s.HeaderType() {
			if err := s.readHeader(l); err != nil {
				return err
			}
			continue
		}
		if !s.headed {
			return apierr.Invalid(field, "comes before the %s service's header (type %s), which an import starts with", s.Name, s.HeaderType())
		}
		name, ok := cutService(l.GetType(), s.Name)
		t, known := s.table(name)
		if !ok || !known {
			return apierr.Invalid(field, "type %q is not one of the %s service's tables", l.GetType(), s.Name)
		}
		if t.CitizenKeyed && s.header.CitizenKeyFingerprint != s.CitizenKeyFingerprint {
			return apierr.Invalid(field, "%s are keyed by the citizen key, and this suite's key (fingerprint %s) is not the export's (%q): give this suite the source suite's GONGYAK_CITIZEN_KEY",
				l.GetType(), s.CitizenKeyFingerprint, s.header.CitizenKeyFingerprint)
		}
		var row map[string]json.RawMessage
		if err := json.Unmarshal(l.GetResource(), &row); err != nil {
			return apierr.Invalid(field, "resource must be a JSON object of the row's columns")
		}
		var got string
		if err := json.Unmarshal(row[t.District], &got); err != nil || got != district {
			return apierr.Invalid(field, "resource.%s must be %q, the district the export is of", t.District, district)
		}
		for c := range row {
			if contains(t.Derived, c) {
				return apierr.Invalid(field, "resource has column %q, which the database derives (from %s's other rows): leave it out", c, s.Name)
			}
			if !contains(cols[t.Name], c) {
				return apierr.Invalid(field, "resource has column %q, which %s.%s does not have", c, s.Name, t.Name)
			}
		}
		// The row's columns only: one left out takes its default.
		var present []string
		for _, c := range cols[t.Name] {
			if _, ok := row[c]; ok {
				present = append(present, c)
			}
		}
		list := quoted(present)
		table := pgx.Identifier{t.Name}.Sanitize()
		batch.Queue(fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM jsonb_populate_record(NULL::%s, $1::jsonb)`, table, list, list, table), string(l.GetResource()))
		queued = append(queued, l)
	}
	br := tx.SendBatch(ctx, batch)
	defer br.Close()
	for _, l := range queued {
		if _, err := br.Exec(); err != nil {
			return refused(l, err)
		}
	}
	return br.Close()
}

// readHeader reads the service's header: once, unmasked, of this suite's
// schema version.
func (s *importing) readHeader(l *typev1.DataLine) error {
	field := LineField(l.GetLine())
	if s.headed {
		return apierr.Invalid(field, "is a second %s header", s.Name)
	}
	if err := json.Unmarshal(l.GetResource(), &s.header); err != nil {
		return apierr.Invalid(field, "the header must be a JSON object")
	}
	if s.header.Masked {
		return apierr.Invalid(field, "the export is masked (made by a caller without personal-data): masked names would replace the real ones; export again with personal-data")
	}
	if s.header.SchemaVersion != s.version {
		return apierr.FailedPrecondition("the export's %s data is of schema version %d, and this suite's %s service is at version %d: its rows are stored columns, imported only by a suite at the same version (bring both suites to the same release, then export again)",
			s.Name, s.header.SchemaVersion, s.Name, s.version)
	}
	s.headed = true
	return nil
}

// refused says why the database refused a line, by its constraint or
// column and error code: a PostgreSQL message may quote the row's values.
func refused(l *typev1.DataLine, err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	why := "the database refused it (SQLSTATE " + pg.Code + ")"
	switch {
	case pg.Code == "23505":
		why = "a row with its key is already there (" + pg.ConstraintName + ")"
	case pg.Code == "23503":
		why = "it refers to a row not imported before it (" + pg.ConstraintName + "): rows come after those they refer to"
	case pg.ConstraintName != "":
		why = "it breaks " + pg.ConstraintName + " (SQLSTATE " + pg.Code + ")"
	case pg.ColumnName != "":
		why = "its column " + pg.ColumnName + " is refused (SQLSTATE " + pg.Code + ")"
	case pg.Code[:2] == "22":
		why = "a value is not of its column's type (SQLSTATE " + pg.Code + ")"
	}
	return apierr.Invalid(LineField(l.GetLine()), "%s: %s", l.GetType(), why)
}

func cutService(typ, service string) (string, bool) {
	if len(typ) > len(service)+1 && typ[:len(service)] == service && typ[len(service)] == '.' {
		return typ[len(service)+1:], true
	}
	return "", false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func headers(lines []*typev1.DataLine, typ string) int {
	n := 0
	for _, l := range lines {
		if l.GetType() == typ {
			n++
		}
	}
	return n
}
