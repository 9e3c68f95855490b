package bulk_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/fstest"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/bulk"
	"github.com/gongyak/gongyak/pkg/outbox"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The schema of the tests' service, "things", at version 2: people with
// personal columns, a generated and a derived column, and their votes,
// keyed by the citizen key.
var migrations = fstest.MapFS{
	"0001_audit.sql": {Data: []byte("-- +goose Up\n-- +goose StatementBegin\n" + audit.TableSQL + ";\n" + outbox.TableSQL + "\n-- +goose StatementEnd\n")},
	"0002_people.sql": {Data: []byte(`-- +goose Up
CREATE TABLE people (
    district_id text NOT NULL,
    id text NOT NULL,
    name text NOT NULL,
    phone text NOT NULL DEFAULT '',
    contacts jsonb NOT NULL DEFAULT '[]',
    rank integer NOT NULL DEFAULT 0,
    votes_cast integer NOT NULL DEFAULT 0,
    search text GENERATED ALWAYS AS (lower(name)) STORED,
    PRIMARY KEY (district_id, id)
);
CREATE TABLE votes (
    district_id text NOT NULL,
    id text NOT NULL,
    person_id text NOT NULL,
    citizen_hash bytea NOT NULL,
    PRIMARY KEY (district_id, id),
    FOREIGN KEY (district_id, person_id) REFERENCES people
);`)},
}

// secret is a value no message may quote.
const secret = "정성정-010-9876-5432"

func service(pool *pgxpool.Pool) bulk.Service {
	return bulk.Service{Name: "things", Pool: pool, CitizenKeyFingerprint: "key-a", Tables: []bulk.Table{
		{Name: "people", District: "district_id", Order: "id",
			Personal: map[string]bulk.Mask{"name": bulk.Text(personal.MaskName), "phone": bulk.Text(personal.MaskPhone),
				"contacts": bulk.Objects(map[string]func(string) string{"name": personal.MaskName, "phone": personal.MaskPhone})},
			Derived: []string{"votes_cast"}},
		{Name: "votes", District: "district_id", Order: "id", CitizenKeyed: true},
	}}
}

func newService(t *testing.T) bulk.Service {
	return service(pgtest.NewPool(t, pgtest.Schema{Name: "things", Migrations: migrations}))
}

// seeded is a service holding gwangsan's two people and a vote.
func seeded(t *testing.T) bulk.Service {
	s := newService(t)
	_, err := s.Pool.Exec(context.Background(), `
		INSERT INTO people (district_id, id, name, phone, contacts, votes_cast) VALUES
			('gwangsan', 'p1', '김민수', '010-1234-5678', '[{"name": "이영희", "position": "팀장", "phone": "062-960-8114"}]', 1),
			('gwangsan', 'p2', '박서준', '', '[]', 0),
			('seogu', 'p1', '최지우', '', '[]', 0);
		INSERT INTO votes VALUES ('gwangsan', 'v1', 'p1', '\x0102');`)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func export(t *testing.T, s bulk.Service, masked bool) []*typev1.DataLine {
	t.Helper()
	var out []*typev1.DataLine
	if err := s.Export(context.Background(), "gwangsan", bulk.Header{Masked: masked, CitizenKeyFingerprint: "key-a"}, func(l *typev1.DataLine) error {
		l.Line = int64(len(out) + 2) // after the file's own header
		out = append(out, l)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func importLines(s bulk.Service, validateOnly bool, lines []*typev1.DataLine) (int64, bool, error) {
	sent := false
	return s.Import(context.Background(), "gwangsan", "export-1", validateOnly, func() ([]*typev1.DataLine, error) {
		if sent {
			return nil, io.EOF
		}
		sent = true
		return lines, nil
	})
}

func row(t *testing.T, l *typev1.DataLine) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(l.GetResource(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// dump is gwangsan's rows of a table as text but the derived column, for
// comparing two databases.
func dump(t *testing.T, pool *pgxpool.Pool, table string) string {
	t.Helper()
	var d *string
	if err := pool.QueryRow(context.Background(), `SELECT string_agg((to_jsonb(t) - 'votes_cast')::text, E'\n' ORDER BY t.id) FROM `+table+
		` t WHERE district_id = 'gwangsan'`).Scan(&d); err != nil {
		t.Fatal(err)
	}
	if d == nil {
		return ""
	}
	return *d
}

func TestAnExportHasTheHeaderThenTheDistrictsRowsWithoutDerivedColumns(t *testing.T) {
	lines := export(t, seeded(t), false)
	var types []string
	for _, l := range lines {
		types = append(types, l.GetType())
	}
	if got, want := strings.Join(types, " "), "things.header things.people things.people things.votes"; got != want {
		t.Fatalf("lines %s, want %s (seogu's person left out)", got, want)
	}
	var h bulk.Header
	if err := json.Unmarshal(lines[0].GetResource(), &h); err != nil || h.SchemaVersion != 2 || h.Masked || h.CitizenKeyFingerprint != "key-a" {
		t.Errorf("header %s (%v), want schema version 2, unmasked, the key's fingerprint", lines[0].GetResource(), err)
	}
	p1 := row(t, lines[1])
	for _, col := range []string{"votes_cast", "search"} {
		if _, ok := p1[col]; ok {
			t.Errorf("the export has %s, which the database derives", col)
		}
	}
	if p1["name"] != "김민수" || p1["phone"] != "010-1234-5678" || !strings.Contains(string(lines[1].GetResource()), "이영희") {
		t.Errorf("an unmasked export's row is %s, want the stored names and phones", lines[1].GetResource())
	}
}

func TestAMaskedExportMasksEveryPersonalColumn(t *testing.T) {
	s := seeded(t)
	lines := export(t, s, true)
	var h bulk.Header
	if err := json.Unmarshal(lines[0].GetResource(), &h); err != nil || !h.Masked {
		t.Errorf("header %s, want masked", lines[0].GetResource())
	}
	p1 := row(t, lines[1])
	contacts, _ := json.Marshal(p1["contacts"])
	if p1["name"] != "김*수" || p1["phone"] != "010-****-5678" || string(contacts) != `[{"name":"이*희","phone":"062-***-8114","position":"팀장"}]` {
		t.Errorf("masked row %s, want 김*수, 010-****-5678 and the contact 이*희, 062-***-8114", lines[1].GetResource())
	}
	for _, clear := range []string{"김민수", "1234", "이영희", "960"} {
		if strings.Contains(string(lines[1].GetResource()), clear) {
			t.Errorf("the masked row still has %q: %s", clear, lines[1].GetResource())
		}
	}
	var reads int
	if err := s.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = $1`, audit.ReadPersonalData).Scan(&reads); err != nil || reads != 0 {
		t.Errorf("a masked export recorded %d reads of personal data (%v), want none", reads, err)
	}
	export(t, s, false)
	if err := s.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = $1`, audit.ReadPersonalData).Scan(&reads); err != nil || reads != 1 {
		t.Errorf("an unmasked export recorded %d reads of personal data (%v), want one", reads, err)
	}
}

func TestAnImportWritesTheRowsAsTheyWereAndOnlyOnce(t *testing.T) {
	from := seeded(t)
	lines := export(t, from, false)
	into := newService(t)

	if rows, _, err := importLines(into, true, lines); err != nil || rows != 3 {
		t.Fatalf("validating: %d rows, %v; want 3", rows, err)
	}
	if got := dump(t, into.Pool, "people"); got != "" {
		t.Fatalf("a validate-only import wrote %s", got)
	}
	rows, already, err := importLines(into, false, lines)
	if err != nil || rows != 3 || already {
		t.Fatalf("import: %d rows, already %v, %v; want 3 rows", rows, already, err)
	}
	for _, table := range []string{"people", "votes"} {
		if got, want := dump(t, into.Pool, table), dump(t, from.Pool, table); got != want {
			t.Errorf("imported %s:\n%s\nwant\n%s", table, got, want)
		}
	}
	var derived int
	if err := into.Pool.QueryRow(context.Background(), `SELECT votes_cast FROM people WHERE id = 'p1'`).Scan(&derived); err != nil || derived != 0 {
		t.Errorf("the derived column is %d (%v): the import wrote it, want it left to the database (0)", derived, err)
	}
	rows, already, err = importLines(into, false, lines)
	if err != nil || rows != 0 || !already {
		t.Errorf("the same export again: %d rows, already %v, %v; want already imported", rows, already, err)
	}
}

// TestAnImportRefusesWhatItCannotTake has each bad file refused, naming
// the line, never quoting a value, and writing nothing.
func TestAnImportRefusesWhatItCannotTake(t *testing.T) {
	good := export(t, seeded(t), false)
	header := func(h bulk.Header) *typev1.DataLine {
		raw, _ := json.Marshal(h)
		return &typev1.DataLine{Type: "things.header", Resource: raw, Line: 2}
	}
	person := func(line int64, resource string) *typev1.DataLine {
		return &typev1.DataLine{Type: "things.people", Resource: []byte(resource), Line: line}
	}
	ok := bulk.Header{SchemaVersion: 2, CitizenKeyFingerprint: "key-a"}
	tests := []struct {
		name  string
		lines []*typev1.DataLine
		code  codes.Code
		want  string // in the message
	}{
		{"a masked export", []*typev1.DataLine{header(bulk.Header{Masked: true, SchemaVersion: 2}), good[1]}, codes.InvalidArgument, "line 2: the export is masked"},
		{"another schema version", []*typev1.DataLine{header(bulk.Header{SchemaVersion: 1}), good[1]}, codes.FailedPrecondition,
			"the export's things data is of schema version 1, and this suite's things service is at version 2"},
		{"no header", []*typev1.DataLine{good[1]}, codes.InvalidArgument, "line 3: comes before the things service's header"},
		{"a type of no table", []*typev1.DataLine{header(ok), {Type: "things.secrets", Resource: []byte(`{}`), Line: 3}}, codes.InvalidArgument,
			`line 3: type "things.secrets" is not one of the things service's tables`},
		{"another service's type", []*typev1.DataLine{header(ok), {Type: "budget.people", Resource: []byte(`{}`), Line: 3}}, codes.InvalidArgument,
			`line 3: type "budget.people" is not one of`},
		{"not an object", []*typev1.DataLine{header(ok), person(3, `["`+secret+`"]`)}, codes.InvalidArgument, "line 3: resource must be a JSON object"},
		{"another district's row", []*typev1.DataLine{header(ok), person(3, `{"district_id": "seogu", "id": "p9", "name": "`+secret+`"}`)}, codes.InvalidArgument,
			`line 3: resource.district_id must be "gwangsan"`},
		{"a column the table lacks", []*typev1.DataLine{header(ok), person(3, `{"district_id": "gwangsan", "id": "p9", "name": "x", "secret": "`+secret+`"}`)}, codes.InvalidArgument,
			`line 3: resource has column "secret", which things.people does not have`},
		{"a derived column", []*typev1.DataLine{header(ok), person(3, `{"district_id": "gwangsan", "id": "p9", "name": "x", "votes_cast": 7}`)}, codes.InvalidArgument,
			`line 3: resource has column "votes_cast", which the database derives`},
		{"a value of the wrong type", []*typev1.DataLine{header(ok), person(3, `{"district_id": "gwangsan", "id": "p9", "name": "x", "rank": "`+secret+`"}`)}, codes.InvalidArgument,
			"line 3: things.people: a value is not of its column's type (SQLSTATE 22P02)"},
		{"the same key twice", []*typev1.DataLine{header(ok), person(3, `{"district_id": "gwangsan", "id": "p9", "name": "`+secret+`"}`), person(4, `{"district_id": "gwangsan", "id": "p9", "name": "`+secret+`"}`)},
			codes.InvalidArgument, "line 4: things.people: a row with its key is already there (people_pkey)"},
		{"a row before the one it refers to", []*typev1.DataLine{header(ok), good[3], good[1], good[2]}, codes.InvalidArgument,
			"line 5: things.votes: it refers to a row not imported before it (votes_district_id_person_id_fkey)"},
		{"votes of another citizen key", []*typev1.DataLine{header(bulk.Header{SchemaVersion: 2, CitizenKeyFingerprint: "key-b"}), good[1], good[2], good[3]}, codes.InvalidArgument,
			`line 5: things.votes are keyed by the citizen key, and this suite's key (fingerprint key-a) is not the export's ("key-b")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			into := newService(t)
			for _, validateOnly := range []bool{true, false} {
				_, _, err := importLines(into, validateOnly, tt.lines)
				var e *apierr.Error
				if !errors.As(err, &e) || e.Code != tt.code || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("validate only %v: got %v, want %v saying %q", validateOnly, err, tt.code, tt.want)
				}
				if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "김민수") {
					t.Errorf("the refusal quotes a row's value: %v", err)
				}
			}
			if got := dump(t, into.Pool, "people"); got != "" {
				t.Errorf("a refused import wrote %s", got)
			}
		})
	}
}

func TestAnImportGoesOnlyWhereTheDistrictIsNot(t *testing.T) {
	s := seeded(t)
	_, _, err := importLines(s, false, export(t, s, false))
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != codes.FailedPrecondition || !strings.Contains(err.Error(), "districts/gwangsan already has data in the things service") {
		t.Errorf("importing into a suite holding the district: %v, want FAILED_PRECONDITION saying so", err)
	}
}
