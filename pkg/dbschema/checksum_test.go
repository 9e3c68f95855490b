package dbschema

import "testing"

func TestChecksumIgnoresGooseAnnotationsOnly(t *testing.T) {
	const plain = "CREATE TABLE t (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n"
	for _, tc := range []struct {
		name, body string
		same       bool
	}{
		{"annotated", "-- +goose Up\nCREATE TABLE t (id int);\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n-- +goose StatementEnd\n", true},
		{"indented annotation", "  -- +goose Up\n" + plain, true},
		{"a comment added", "-- +goose Up\n-- why\n" + plain, false},
		{"SQL changed", "-- +goose Up\nCREATE TABLE t (id bigint);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n", false},
		{"a newline lost", "-- +goose Up\n" + plain[:len(plain)-1], false},
	} {
		if got := checksum([]byte(tc.body)) == checksum([]byte(plain)); got != tc.same {
			t.Errorf("%s: same checksum as the plain SQL = %v, want %v", tc.name, got, tc.same)
		}
	}
}
