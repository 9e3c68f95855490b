// Package resourcename builds and parses the resource names of the API
// (AIP-122), one Pattern per name shape the protos' resource annotations
// declare, so that every service spells and checks them the same way.
//
// A pattern is literal collection segments and {variables}. A variable
// holds a resource id (resourceid.Valid), or a decimal number when the
// resource is numbered by the server (status changes, photos,
// deliveries, dead letters). Each pattern also says the type of the
// resources it names (Type), which event types are made of.
package resourcename

import (
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/resourceid"
)

// Wildcard stands for every resource of a collection where a request
// allows it (AIP-159), as in districts/-; patterns never match it as an
// id.
const Wildcard = "-"

// Pattern is one shape of resource name, such as
// districts/{district}/pledges/{pledge}.
type Pattern struct {
	text     string
	segments []string // literal segments, and "" where a variable stands
	numbered []bool   // per segment: the variable is a decimal number
	vars     int
	typ      string
}

// numberedVars are the variables the server numbers rather than names.
var numberedVars = map[string]bool{"status_change": true, "n": true, "delivery": true, "dead_letter": true}

// MustPattern reads a pattern's text; it panics on a malformed one, as
// patterns are written in the code.
func MustPattern(text string) Pattern {
	p := Pattern{text: text}
	for _, s := range strings.Split(text, "/") {
		switch {
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && len(s) > 2:
			p.segments = append(p.segments, "")
			p.numbered = append(p.numbered, numberedVars[s[1:len(s)-1]])
			p.vars++
		case s != "" && !strings.ContainsAny(s, "{}"):
			p.segments = append(p.segments, s)
			p.numbered = append(p.numbered, false)
		default:
			panic("resourcename: malformed pattern " + text)
		}
	}
	last := p.segments[len(p.segments)-1]
	if last == "" {
		last = lowerCamel(strings.Trim(text[strings.LastIndexByte(text, '/')+1:], "{}"))
	}
	p.typ = last
	return p
}

// lowerCamel writes a variable's snake_case name as the API writes a
// type: status_change → statusChange.
func lowerCamel(s string) string {
	words := strings.Split(s, "_")
	for i := 1; i < len(words); i++ {
		words[i] = strings.ToUpper(words[i][:1]) + words[i][1:]
	}
	return strings.Join(words, "")
}

// String is the pattern's text, as error messages quote it.
func (p Pattern) String() string { return p.text }

// Type is the type of the resources the pattern names, as event types
// say it: the singular its last variable names, in lowerCamelCase
// (…/entries/{entry} → entry, …/statusChanges/{status_change} →
// statusChange), or the singleton its last segment is (…/budget →
// budget). The plural of a collection is never trimmed: the pattern says
// its singular.
func (p Pattern) Type() string { return p.typ }

// Format builds the name of ids, in the order of the pattern's
// variables. The ids are not checked: they come from storage or from a
// name already parsed. It panics when the count of ids is wrong, a
// mistake in the code.
func (p Pattern) Format(ids ...string) string {
	if len(ids) != p.vars {
		panic("resourcename: " + p.text + " takes a different number of ids")
	}
	var b strings.Builder
	for i, s := range p.segments {
		if i > 0 {
			b.WriteByte('/')
		}
		if s == "" {
			s, ids = ids[0], ids[1:]
		}
		b.WriteString(s)
	}
	return b.String()
}

// Match returns the ids of name in the order of the pattern's variables,
// or false when name does not have the pattern's shape or an id is not
// valid.
func (p Pattern) Match(name string) ([]string, bool) { return p.match(name, false) }

// MatchWildcard is Match that also takes Wildcard for any id, for the
// requests that read across a collection (districts/- for every
// district).
func (p Pattern) MatchWildcard(name string) ([]string, bool) { return p.match(name, true) }

// MatchPrefix is Match for the name of the resource itself or of
// anything under it: Pledge.MatchPrefix of
// districts/d/pledges/p/indicators/i is [d p], as a policy that decides
// by the pledge reads it.
func (p Pattern) MatchPrefix(name string) ([]string, bool) {
	parts := strings.SplitN(name, "/", len(p.segments)+1)
	if len(parts) > len(p.segments) {
		parts = parts[:len(p.segments)]
	}
	return p.matchParts(parts, false)
}

func (p Pattern) match(name string, wildcard bool) ([]string, bool) {
	return p.matchParts(strings.Split(name, "/"), wildcard)
}

func (p Pattern) matchParts(parts []string, wildcard bool) ([]string, bool) {
	if len(parts) != len(p.segments) {
		return nil, false
	}
	ids := make([]string, 0, p.vars)
	for i, s := range p.segments {
		switch {
		case s != "":
			if parts[i] != s {
				return nil, false
			}
		case wildcard && parts[i] == Wildcard:
			ids = append(ids, parts[i])
		case p.numbered[i]:
			if !number(parts[i]) {
				return nil, false
			}
			ids = append(ids, parts[i])
		default:
			if !resourceid.Valid(parts[i]) {
				return nil, false
			}
			ids = append(ids, parts[i])
		}
	}
	return ids, true
}

// Parse is Match with the INVALID_ARGUMENT a request gets for a bad
// name: naming field and saying the pattern.
func (p Pattern) Parse(field, name string) ([]string, error) {
	if name == "" {
		return nil, apierr.Invalid(field, "is required: %s", p.text)
	}
	ids, ok := p.Match(name)
	if !ok {
		return nil, apierr.Invalid(field, "must look like %s", p.text)
	}
	return ids, nil
}

// number reports whether s is a positive decimal that fits an int64
// without its sign: 1 to 18 digits, no leading zero.
func number(s string) bool {
	if len(s) == 0 || len(s) > 18 || s[0] == '0' {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// SQL writes the pattern as a PostgreSQL text expression over cols, the
// columns (or any SQL expressions) holding its ids in the order of its
// variables, for a store that filters or selects by name:
// Pledge.SQL("p.district_id", "p.id") is
// ('districts/' || p.district_id || '/pledges/' || p.id), the name Format
// builds of the same ids. A numbered id may be a bigint column. The
// columns are written as they are given: they come from the code, never
// from a request. Like Format, it panics when the count of columns is
// wrong.
func (p Pattern) SQL(cols ...string) string {
	if len(cols) != p.vars {
		panic("resourcename: " + p.text + " takes a different number of columns")
	}
	var terms []string
	var literal strings.Builder
	for i, s := range p.segments {
		if i > 0 {
			literal.WriteByte('/')
		}
		if s != "" {
			literal.WriteString(s)
			continue
		}
		if literal.Len() > 0 {
			terms = append(terms, sqlString(literal.String()))
			literal.Reset()
		}
		terms = append(terms, cols[0])
		cols = cols[1:]
	}
	if literal.Len() > 0 {
		terms = append(terms, sqlString(literal.String()))
	}
	return "(" + strings.Join(terms, " || ") + ")"
}

// sqlString quotes s as a SQL string constant.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
