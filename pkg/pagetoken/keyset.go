package pagetoken

import (
	"fmt"
	"strings"
)

// Key is one column of a listing's sort order: a SQL expression, the
// PostgreSQL type a token's text is cast to for comparison, and its
// direction. The last key of an order must be unique, so that every item
// has one place.
type Key struct {
	Expr string
	Type string
	Desc bool
}

// OrderBy returns the ORDER BY list for keys.
func OrderBy(keys []Key) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.Expr
		if k.Desc {
			parts[i] += " DESC"
		}
	}
	return strings.Join(parts, ", ")
}

// After returns a SQL condition that holds for the rows sorting after the
// row whose keys are values, with its arguments numbered from $first. It
// expands to (k1 > v1) OR (k1 = v1 AND k2 > v2) OR …, which works for any
// mix of directions.
func After(keys []Key, values []string, first int) (string, []any) {
	if len(values) == 0 {
		return "TRUE", nil
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	param := func(i int) string { return fmt.Sprintf("$%d::%s", first+i, keys[i].Type) }
	var ors []string
	for i, k := range keys {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, fmt.Sprintf("%s = %s", keys[j].Expr, param(j)))
		}
		op := ">"
		if k.Desc {
			op = "<"
		}
		ands = append(ands, fmt.Sprintf("%s %s %s", k.Expr, op, param(i)))
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}
