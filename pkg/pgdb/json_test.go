package pgdb_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
)

// card is shaped like what the services keep in jsonb: named fields,
// nested lists, numbers of every kind, optional parts.
type card struct {
	Label    string            `json:"label"`
	Amount   int64             `json:"amount_won"`
	Share    float64           `json:"share,omitempty"`
	Lines    []line            `json:"lines"`
	Note     *string           `json:"note"`
	Extra    map[string]string `json:"extra,omitempty"`
	Skipped  string            `json:"-"`
	Untagged bool
}

type line struct {
	Year int    `json:"year"`
	Text string `json:"text"`
}

// The pool's json and jsonb columns decode to exactly what the standard
// library makes of the same text, into structs and into plain values:
// the faster decoder must never change what a service reads back.
func TestJSONColumnsDecodeAsTheStandardLibraryDoes(t *testing.T) {
	ctx := context.Background()
	pool, err := pgdb.Open(ctx, pgtest.NewDatabase(t), "public", "test")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	docs := []string{
		`{"label": "총사업비 3,500백만원", "amount_won": 3500000000, "share": 33.3, "lines": [{"year": 2023, "text": "착수 \"설계\"\n완료"}], "note": null, "Untagged": true}`,
		`{"label": "", "amount_won": 9007199254740993, "lines": [], "extra": {"담당": "복지과", "k": ""}, "note": "비고 \u0041"}`,
		`{"LABEL": "case differs", "amount_won": -1, "lines": null, "unknown": [1, {"x": 2}]}`,
	}
	for _, doc := range docs {
		for _, typ := range []string{"jsonb", "json"} {
			var want, got card
			if err := json.Unmarshal([]byte(doc), &want); err != nil {
				t.Fatal(err)
			}
			if err := pool.QueryRow(ctx, `SELECT $1::text::`+typ, doc).Scan(&got); err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s:\n got %+v\nwant %+v", typ, doc, got, want)
			}
			var wantAny, gotAny any
			json.Unmarshal([]byte(doc), &wantAny) //nolint:errcheck // decoded above
			if err := pool.QueryRow(ctx, `SELECT $1::text::`+typ, doc).Scan(&gotAny); err != nil {
				t.Fatal(err)
			}
			// jsonb may reorder keys and respace, never change values.
			if !reflect.DeepEqual(gotAny, wantAny) {
				t.Errorf("%s %s as a plain value:\n got %#v\nwant %#v", typ, doc, gotAny, wantAny)
			}
		}
	}
}
