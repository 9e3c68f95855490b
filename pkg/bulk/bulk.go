// Package bulk moves a district's complete data out of a service and into
// another suite's: each of the service's tables, row by row, as JSON
// objects of their stored columns (ids, times, revisions, keyed citizen
// hashes and the status history as they are, which no API write could
// set). A service names its tables in dependency order; Export streams
// their rows, Import writes them in one transaction, all or nothing.
package bulk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Table is one table of a service's district data.
type Table struct {
	// Name is the table's name in the service's schema.
	Name string
	// District is the column holding the district's id.
	District string
	// Order lists the columns the rows are exported by (its key), so an
	// export of unchanged data is the same file.
	Order string
	// Personal are the columns holding personal data, each with how it is
	// masked for a caller who may not see it.
	Personal map[string]Mask
	// Derived are columns the database keeps from other rows (triggers):
	// neither exported nor imported, since the import's rows compute them
	// again. Generated columns are left out without being named here.
	Derived []string
	// CitizenKeyed says the rows hold citizens' keyed hashes (ballots,
	// responses): imported only where the citizen key is the same.
	CitizenKeyed bool
}

// Service is a service's district data: its name and its tables, each
// after those it refers to.
type Service struct {
	Name   string
	Tables []Table
	Pool   *pgxpool.Pool
	// CitizenKeyFingerprint is this suite's citizen key's, for a service
	// with CitizenKeyed tables.
	CitizenKeyFingerprint string
}

// HeaderType is the type of a service's header line: `<service>.header`.
func (s Service) HeaderType() string { return s.Name + ".header" }

// Mask masks one column's value, as JSON decodes it (strings, numbers as
// json.Number, arrays, objects); null is never passed.
type Mask func(any) any

// Text masks a text column's value with hide; an empty one stays empty.
func Text(hide func(string) string) Mask {
	return func(v any) any {
		if s, ok := v.(string); ok && s != "" {
			return hide(s)
		}
		return v
	}
}

// Objects masks a JSON array of objects (a jsonb column such as a
// pledge's contacts): each object's fields named in fields, by their
// Text masks.
func Objects(fields map[string]func(string) string) Mask {
	return func(v any) any {
		list, _ := v.([]any)
		for _, item := range list {
			if o, ok := item.(map[string]any); ok {
				for f, hide := range fields {
					if _, ok := o[f]; ok {
						o[f] = Text(hide)(o[f])
					}
				}
			}
		}
		return v
	}
}

// Header is what a service's export says about itself before its rows.
type Header struct {
	// Masked says personal data is masked in the rows that follow.
	Masked bool `json:"masked"`
	// SchemaVersion is the service's schema's migration (goose) version
	// when the rows were read: rows are its stored columns, so only a
	// suite at the same version imports them.
	SchemaVersion int64 `json:"schemaVersion"`
	// CitizenKeyFingerprint identifies the key citizens' identifiers are
	// hashed with (participation only): ballots and responses can be
	// imported only where the same key is used.
	CitizenKeyFingerprint string `json:"citizenKeyFingerprint,omitempty"`
}

// ImportAction is the audit action of a district's import into a service;
// its event records the export's id, which makes a repeated import of the
// same export a no-op.
const ImportAction = "import_data"

func (s Service) table(name string) (Table, bool) {
	for _, t := range s.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// columns lists a table's stored columns in order; generated and derived
// ones are left out, since the database computes them again.
func columns(ctx context.Context, q pgx.Tx, t Table) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT attname FROM pg_attribute
		WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
			AND NOT attname = ANY($2)
		ORDER BY attnum`, t.Name, append([]string{}, t.Derived...))
	if err != nil {
		return nil, err
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err == nil && len(cols) == 0 {
		err = fmt.Errorf("bulk: table %s has no columns: is it in the service's schema?", t.Name)
	}
	return cols, err
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// SchemaVersion is the migration version of the service's schema (named
// as the service is): the last goose applied.
func (s Service) SchemaVersion(ctx context.Context, q querier) (int64, error) {
	var v int64
	err := q.QueryRow(ctx, fmt.Sprintf(`SELECT coalesce(max(version_id), 0) FROM %s`,
		pgx.Identifier{s.Name, "goose_db_version"}.Sanitize())).Scan(&v)
	return v, err
}

func quoted(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(out, ", ")
}

// Export sends header, with the schema's version, then every row of
// district in s's tables, in order, from one consistent snapshot;
// personal data is masked when header says so, and an unmasked export is
// recorded in the audit log as a read of personal data.
func (s Service) Export(ctx context.Context, district string, header Header, send func(*typev1.DataLine) error) error {
	if !header.Masked {
		if err := s.recordRead(ctx, district); err != nil {
			return err
		}
	}
	tx, err := s.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if header.SchemaVersion, err = s.SchemaVersion(ctx, tx); err != nil {
		return err
	}
	raw, err := json.Marshal(header)
	if err != nil {
		return err
	}
	if err := send(&typev1.DataLine{Type: s.HeaderType(), Resource: raw}); err != nil {
		return err
	}
	for _, t := range s.Tables {
		if err := s.exportTable(ctx, tx, t, district, header.Masked, send); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// recordRead writes the access record (개인정보 접속기록) of an unmasked
// export of the service's personal data, before any is sent.
func (s Service) recordRead(ctx context.Context, district string) error {
	var fields []string
	for _, t := range s.Tables {
		for c := range t.Personal {
			fields = append(fields, t.Name+"."+c)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return audit.RecordRead(ctx, s.Pool, resourcename.District.Format(district), fields)
}

func (s Service) exportTable(ctx context.Context, tx pgx.Tx, t Table, district string, masked bool, send func(*typev1.DataLine) error) error {
	cols, err := columns(ctx, tx, t)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT to_jsonb(r)::text FROM (SELECT %s FROM %s WHERE %s = $1 ORDER BY %s) r`,
		quoted(cols), pgx.Identifier{t.Name}.Sanitize(), pgx.Identifier{t.District}.Sanitize(), t.Order), district)
	if err != nil {
		return err
	}
	defer rows.Close()
	typ := s.Name + "." + t.Name
	for rows.Next() {
		var row string
		if err := rows.Scan(&row); err != nil {
			return err
		}
		out := []byte(row)
		if masked && len(t.Personal) > 0 {
			if out, err = mask(out, t.Personal); err != nil {
				return err
			}
		}
		if err := send(&typev1.DataLine{Type: typ, Resource: out}); err != nil {
			return err
		}
	}
	return rows.Err()
}

// mask masks a row's personal columns; numbers are kept as written.
func mask(row []byte, personal map[string]Mask) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(row))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for col, hide := range personal {
		if v := m[col]; v != nil {
			m[col] = hide(v)
		}
	}
	return json.Marshal(m)
}
