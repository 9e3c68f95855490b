// Package summary holds what the services' reporting methods (Summarize*)
// share: a parent naming one district or all of them, a group_by list
// checked against the dimensions a summary offers and turned into SQL, and
// offset paging bound to the request. Each service keeps its own sums.
package summary

import (
	"strconv"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// Request reads a summary request's parent, `districts/{district}` or
// `districts/-` for every district (district ""), and its page size; the
// error names each bad field.
func Request(parent string, pageSize int32) (district string, size int, err error) {
	var v apierr.Violations
	ids, ok := resourcename.District.MatchWildcard(parent)
	switch {
	case !ok:
		v.Add("parent", "must be %s, or districts/- for every district", resourcename.District)
	case ids[0] != resourcename.Wildcard:
		district = ids[0]
	}
	size, err = pagetoken.Size(pageSize)
	v.Merge(err)
	return district, size, v.Err()
}

// Dimension is one thing a summary can be grouped by.
type Dimension struct {
	// Name is how group_by names it.
	Name string
	// Column is its SQL expression.
	Column string
	// Zero stands in its place, typed as Column, in rows not grouped by it.
	Zero string
}

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

// Offset reads the row offset a page token carries; no token is 0.
func Offset(token string, b pagetoken.Binding) (int, error) {
	after, err := pagetoken.Decode(token, b, 1)
	if err != nil || after == nil {
		return 0, err
	}
	offset, err := strconv.Atoi(after[0])
	if err != nil || offset < 0 {
		return 0, apierr.Invalid("page_token", "is not a page token this listing issued")
	}
	return offset, nil
}

// Page cuts rows, read with LIMIT size+1 from offset, to size and returns
// the token of the next page, or "" when this is the last.
func Page[T any](rows []T, size, offset int, b pagetoken.Binding) ([]T, string) {
	return pagetoken.Cut(rows, size, b, func(T) []string { return []string{strconv.Itoa(offset + size)} })
}
