package filter

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
)

var schema = Schema{
	"term":   {Column: "term", Kind: Int},
	"title":  {Column: "title", Kind: Text},
	"status": {Column: "status", Kind: Enum, Values: map[string]int32{"PLEDGE_STATUS_COMPLETED": 1, "PLEDGE_STATUS_ON_TRACK": 3}},
	"levels": {Column: "levels", Kind: EnumList, Values: map[string]int32{"IMPLEMENTING_LEVEL_LOCAL": 3}},
	"done":   {Column: "done", Kind: Bool},
	"time":   {Column: "time", Kind: Time},
}

func TestSQLTranslatesFilters(t *testing.T) {
	tests := []struct {
		filter string
		sql    string
		args   []any
	}{
		{"", "TRUE", nil},
		{"term = 7", "(term = $1)", []any{int64(7)}},
		{`term >= 7 AND status = PLEDGE_STATUS_COMPLETED`, "((term >= $1) AND (status = $2))", []any{int64(7), int32(1)}},
		{`term = 7 status != PLEDGE_STATUS_ON_TRACK`, "((term = $1) AND (status <> $2))", []any{int64(7), int32(3)}},
		{`title = "구정혁신" OR term = 8 AND done = true`, "((title = $1) OR ((term = $2) AND (done = $3)))", []any{"구정혁신", int64(8), true}},
		{`NOT (term = 7 OR term = 8)`, "(NOT ((term = $1) OR (term = $2)))", []any{int64(7), int64(8)}},
		{`title = "*혁신_TF*"`, "(title LIKE $1)", []any{`%혁신\_TF%`}},
		{`levels:IMPLEMENTING_LEVEL_LOCAL`, "($1 = ANY(levels))", []any{int32(3)}},
		{`title = "say \"hi\""`, "(title = $1)", []any{`say "hi"`}},
		{`time >= "2026-03-01T09:00:00+09:00"`, "(time >= $1)", []any{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		sql, args, err := SQL(tt.filter, schema, 1)
		if err != nil {
			t.Errorf("SQL(%q): %v", tt.filter, err)
			continue
		}
		if sql != tt.sql || !reflect.DeepEqual(args, tt.args) {
			t.Errorf("SQL(%q)\n got %s %v\nwant %s %v", tt.filter, sql, args, tt.sql, tt.args)
		}
	}
}

func TestSQLRefusesBadFiltersNamingTheFilterField(t *testing.T) {
	for filter, want := range map[string]string{
		"term = ":                           "expected a value",
		"term == 7":                         "expected a value",
		"(term = 7":                         "expected )",
		"budget > 3":                        `unknown field "budget"`,
		"term = seven":                      "whole number",
		"status = DONE":                     `no value "DONE"`,
		"status > PLEDGE_STATUS_COMPLETED":  "takes = or !=",
		"levels = IMPLEMENTING_LEVEL_LOCAL": "is a list",
		`title = "open`:                     "not closed",
		"term = 7 AND":                      "ends where",
		"title @ 3":                         "unexpected",
		strings.Repeat("(", 30) + "term = 7" + strings.Repeat(")", 30): "nested",
		"\xff":                        "UTF-8",
		`time > "yesterday"`:          "RFC 3339",
		`time:"2026-01-01T00:00:00Z"`: "is a time",
	} {
		_, _, err := SQL(filter, schema, 1)
		e, ok := err.(*apierr.Error)
		if !ok || len(e.Violations) != 1 || e.Violations[0].Field != "filter" || !strings.Contains(e.Violations[0].Description, want) {
			t.Errorf("SQL(%q) = %v, want a filter violation saying %q", filter, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"term = 7", `title = "*혁신*" OR NOT (status = X)`, "a:b c=d", "((("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _, err := SQL(s, schema, 1)
		if err != nil {
			if _, ok := err.(*apierr.Error); !ok {
				t.Fatalf("SQL(%q) failed with %T, want an INVALID_ARGUMENT", s, err)
			}
		}
	})
}
