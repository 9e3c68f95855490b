package filter

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is what values a field takes.
type Kind int

// The kinds of filterable fields.
const (
	// Text compares with = and !=; a * in the value matches any run.
	Text Kind = iota
	// Int compares as a number with every operator but :.
	Int
	// Enum compares with = and != against an enum value's full name.
	Enum
	// EnumList is a repeated enum, tested with : (has).
	EnumList
	// Bool compares with = and != against true or false.
	Bool
	// TextList is a repeated text, tested with : (has).
	TextList
	// Time is a point in time, compared with every operator but : against
	// an RFC 3339 timestamp in quotes ("2026-01-01T00:00:00Z").
	Time
)

// Field says how one filterable field maps to SQL.
type Field struct {
	// Column is the SQL expression the field reads.
	Column string
	Kind   Kind
	// Values maps enum names to numbers, for Enum and EnumList fields.
	Values map[string]int32
}

// Schema lists the filterable fields of a listing by name.
type Schema map[string]Field

// SQL parses filter and returns a SQL condition over schema's columns, with
// arguments numbered from $first. An empty filter returns "TRUE".
func SQL(filter string, schema Schema, first int) (string, []any, error) {
	e, err := Parse(filter)
	if err != nil || e == nil {
		return "TRUE", nil, err
	}
	b := &builder{schema: schema, next: first}
	sql, err := b.build(e)
	if err != nil {
		return "", nil, err
	}
	return sql, b.args, nil
}

type builder struct {
	schema Schema
	args   []any
	next   int
}

func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	b.next++
	return fmt.Sprintf("$%d", b.next-1)
}

func (b *builder) build(e Expr) (string, error) {
	switch e := e.(type) {
	case And:
		return b.binary(e.Left, e.Right, "AND")
	case Or:
		return b.binary(e.Left, e.Right, "OR")
	case Not:
		x, err := b.build(e.X)
		return "(NOT " + x + ")", err
	case Compare:
		return b.compare(e)
	}
	return "", fmt.Errorf("filter: unknown expression %T", e)
}

func (b *builder) binary(l, r Expr, op string) (string, error) {
	ls, err := b.build(l)
	if err != nil {
		return "", err
	}
	rs, err := b.build(r)
	if err != nil {
		return "", err
	}
	return "(" + ls + " " + op + " " + rs + ")", nil
}

func (b *builder) names() string {
	names := make([]string, 0, len(b.schema))
	for n := range b.schema {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func (b *builder) compare(c Compare) (string, error) {
	f, ok := b.schema[c.Field]
	if !ok {
		return "", errAt(c.Pos, "unknown field %q; filter on %s", c.Field, b.names())
	}
	sqlOp := map[string]string{"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[c.Op]
	switch f.Kind {
	case Text:
		if c.Op != "=" && c.Op != "!=" {
			return "", errAt(c.Pos, "%s takes = or !=", c.Field)
		}
		if c.Quoted && strings.Contains(c.Value, "*") {
			like := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`, "*", "%").Replace(c.Value)
			op := "LIKE"
			if c.Op == "!=" {
				op = "NOT LIKE"
			}
			return fmt.Sprintf("(%s %s %s)", f.Column, op, b.arg(like)), nil
		}
		return fmt.Sprintf("(%s %s %s)", f.Column, sqlOp, b.arg(c.Value)), nil
	case Int:
		if c.Op == ":" {
			return "", errAt(c.Pos, "%s is not a list; compare it with = != < <= > >=", c.Field)
		}
		n, err := strconv.ParseInt(c.Value, 10, 64)
		if err != nil {
			return "", errAt(c.Pos, "%s takes a whole number, not %q", c.Field, c.Value)
		}
		return fmt.Sprintf("(%s %s %s)", f.Column, sqlOp, b.arg(n)), nil
	case Time:
		if c.Op == ":" {
			return "", errAt(c.Pos, "%s is a time; compare it with = != < <= > >=", c.Field)
		}
		at, err := time.Parse(time.RFC3339Nano, c.Value)
		if err != nil {
			return "", errAt(c.Pos, "%s takes an RFC 3339 time such as \"2026-01-01T00:00:00Z\", not %q", c.Field, c.Value)
		}
		return fmt.Sprintf("(%s %s %s)", f.Column, sqlOp, b.arg(at.UTC())), nil
	case Bool:
		if c.Op != "=" && c.Op != "!=" {
			return "", errAt(c.Pos, "%s takes = or !=", c.Field)
		}
		v, err := strconv.ParseBool(c.Value)
		if err != nil {
			return "", errAt(c.Pos, "%s takes true or false", c.Field)
		}
		return fmt.Sprintf("(%s %s %s)", f.Column, sqlOp, b.arg(v)), nil
	case TextList:
		if c.Op != ":" {
			return "", errAt(c.Pos, "%s is a list: test it with %s:\"value\"", c.Field, c.Field)
		}
		return fmt.Sprintf("(%s = ANY(coalesce(%s, '{}')))", b.arg(c.Value), f.Column), nil
	case Enum, EnumList:
		n, ok := f.Values[c.Value]
		if !ok {
			return "", errAt(c.Pos, "%s has no value %q", c.Field, c.Value)
		}
		if f.Kind == EnumList {
			if c.Op != ":" {
				return "", errAt(c.Pos, "%s is a list: test it with %s:VALUE", c.Field, c.Field)
			}
			return fmt.Sprintf("(%s = ANY(%s))", b.arg(n), f.Column), nil
		}
		if c.Op != "=" && c.Op != "!=" {
			return "", errAt(c.Pos, "%s takes = or !=", c.Field)
		}
		return fmt.Sprintf("(%s %s %s)", f.Column, sqlOp, b.arg(n)), nil
	}
	return "", fmt.Errorf("filter: field %s has unknown kind %d", c.Field, f.Kind)
}
