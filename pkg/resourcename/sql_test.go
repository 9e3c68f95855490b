package resourcename

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gongyak/gongyak/pkg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestSQLWritesThePattern(t *testing.T) {
	for _, tc := range []struct {
		p    Pattern
		cols []string
		want string
	}{
		{Pledge, []string{"p.district_id", "p.id"}, `('districts/' || p.district_id || '/pledges/' || p.id)`},
		{District, []string{"district_id"}, `('districts/' || district_id)`},
		{Budget, []string{"b.district_id", "b.pledge_id"}, `('districts/' || b.district_id || '/pledges/' || b.pledge_id || '/budget')`},
		{APIKey, []string{"k.id"}, `('apiKeys/' || k.id)`},
		{MustPattern("{a}/{b}"), []string{"x", "y"}, `(x || '/' || y)`},
		{MustPattern("o'brien/{x}"), []string{"x"}, `('o''brien/' || x)`},
	} {
		if got := tc.p.SQL(tc.cols...); got != tc.want {
			t.Errorf("%s.SQL(%q) = %s, want %s", tc.p, tc.cols, got, tc.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Pledge.SQL with one column did not panic")
		}
	}()
	Pledge.SQL("p.id")
}

// TestSQLNamesWhatFormatNames runs every pattern's SQL in PostgreSQL over
// ids in a table's columns, numbered ones as bigint as the stores keep
// them, and compares the name with Format's.
func TestSQLNamesWhatFormatNames(t *testing.T) {
	pool := pgtest.NewPool(t)
	patterns := append(append([]Pattern{}, all...), MustPattern("o'brien/{x}/it's"))
	for _, p := range patterns {
		var ids, cols, values []string
		var args []any
		for i, numbered := range p.numbered {
			if p.segments[i] != "" {
				continue
			}
			n := len(ids) + 1
			id, typ := fmt.Sprintf("id-%d", n), "text"
			if numbered {
				id, typ = fmt.Sprint(40+n), "bigint"
			}
			ids = append(ids, id)
			cols = append(cols, fmt.Sprintf("r.c%d", n))
			values = append(values, fmt.Sprintf("$%d::%s", n, typ))
			args = append(args, id)
		}
		aliases := strings.ReplaceAll(strings.Join(cols, ", "), "r.", "")
		q := fmt.Sprintf("SELECT %s FROM (VALUES (%s)) AS r(%s)", p.SQL(cols...), strings.Join(values, ", "), aliases)
		var got string
		if err := pool.QueryRow(t.Context(), q, args...).Scan(&got); err != nil {
			t.Errorf("%s: %s: %v", p, q, err)
			continue
		}
		if want := p.Format(ids...); got != want {
			t.Errorf("%s: PostgreSQL names %q, Format %q", p, got, want)
		}
	}
}
