package summary

import (
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/filter"
)

// Dimension is one thing a summary can be grouped by.
type Dimension struct {
	// Name is how group_by names it.
	Name string
	// Column is its SQL expression.
	Column string
	// Zero stands in its place, typed as Column, in rows not grouped by it.
	Zero string
}

// District is the dimension every summary offers first: the district,
// whose id is column.
func District(column string) Dimension {
	return Dimension{Name: "district", Column: column, Zero: "''"}
}

// Term is the dimension of the term of office (민선 n기), an integer
// column, that every summary offers.
func Term(column string) Dimension { return Dimension{Name: "term", Column: column, Zero: "0"} }

// Grouping is the SQL a group_by list makes.
type Grouping struct {
	// Select lists every dimension in order: its column when grouped by,
	// else its zero, so rows scan the same either way.
	Select string
	// Clause is " GROUP BY … ORDER BY …" over the grouped columns in the
	// order asked, or "" when nothing is grouped.
	Clause string
}

// Group checks groupBy against dims, adding a violation to v for each name
// that is unknown or repeated, and returns the SQL it makes.
func Group(groupBy []string, dims []Dimension, v *apierr.Violations) Grouping {
	byName := map[string]Dimension{}
	names := make([]string, len(dims))
	for i, d := range dims {
		byName[d.Name], names[i] = d, d.Name
	}
	choices := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	seen := map[string]bool{}
	var cols []string
	for i, g := range groupBy {
		d, ok := byName[g]
		switch {
		case !ok:
			v.Add(apierr.Path("group_by", i), "%q cannot be grouped by; use %s", g, choices)
		case seen[g]:
			v.Add(apierr.Path("group_by", i), "%q is listed twice", g)
		default:
			cols = append(cols, d.Column)
		}
		seen[g] = true
	}
	sel := make([]string, len(dims))
	for i, d := range dims {
		sel[i] = d.Zero
		if seen[d.Name] {
			sel[i] = d.Column
		}
	}
	g := Grouping{Select: strings.Join(sel, ", ")}
	if len(cols) > 0 {
		g.Clause = " GROUP BY " + strings.Join(cols, ", ") + " ORDER BY " + strings.Join(cols, ", ")
	}
	return g
}

// Prepared is a query checked and its page token read: what a store
// needs to write the summary's SQL.
type Prepared struct {
	Grouping Grouping
	// Where is the filter's condition, with its Args.
	Where string
	Args  []any
	// Cursor is where the page asked starts.
	Cursor Cursor
}

// Prepare checks q's group_by against dims and its filter against fields,
// whose parameters it numbers from first, naming every bad field at once;
// then it reads q's page token, as Start does for listing.
func (q Query) Prepare(listing string, dims []Dimension, fields filter.Schema, first int) (Prepared, error) {
	var v apierr.Violations
	p := Prepared{Grouping: Group(q.GroupBy, dims, &v)}
	var err error
	p.Where, p.Args, err = filter.SQL(q.Filter, fields, first)
	if v.Merge(err); v.Err() != nil {
		return Prepared{}, v.Err()
	}
	p.Cursor, err = q.Start(listing)
	return p, err
}
