// Package filter reads the subset of AIP-160 filters Gongyak lists accept
// and turns them into SQL conditions over a service's own columns.
//
// The language: comparisons `field op value` with op one of = != < <= > >=
// and : (has, for repeated fields), joined by AND and OR (or by juxtaposition,
// an implicit AND), negated by NOT, grouped with parentheses. Values are numbers, enum names, true/false,
// or text in double quotes; a * in quoted text matches any run of
// characters. AND binds tighter than OR.
//
// It is ours rather than go.einride.tech/aip's filtering because that
// library parses and type-checks into CEL expressions but builds no SQL:
// the walk from its expressions to SQL would be as long as sql.go, its
// type errors carry no position and speak CEL ("no matching overload"),
// and its parser bounds no nesting. Every List refuses, with
// INVALID_ARGUMENT naming `filter`, a filter it cannot honour.
package filter

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gongyak/gongyak/pkg/apierr"
)

// maxLength bounds a filter, so a request cannot make the parser work
// without limit.
const maxLength = 2000

// maxDepth bounds nesting of parentheses and negations.
const maxDepth = 20

// Expr is a parsed filter.
type Expr interface{ isExpr() }

// And holds when both sides hold.
type And struct{ Left, Right Expr }

// Or holds when either side holds.
type Or struct{ Left, Right Expr }

// Not holds when its operand does not.
type Not struct{ X Expr }

// Compare compares a field with a value.
type Compare struct {
	Field  string
	Op     string
	Value  string
	Quoted bool
	Pos    int
}

func (And) isExpr()     {}
func (Or) isExpr()      {}
func (Not) isExpr()     {}
func (Compare) isExpr() {}

type token struct {
	kind string // word, string, op, (, ), eof
	text string
	pos  int
}

func errAt(pos int, format string, args ...any) error {
	return apierr.Invalid("filter", "at character %d: %s", pos+1, fmt.Sprintf(format, args...))
}

func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(' || r == ')':
			toks = append(toks, token{kind: string(r), text: string(r), pos: i})
			i++
		case r == '"':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(s) {
				c := s[j]
				if c == '\\' && j+1 < len(s) {
					b.WriteByte(s[j+1])
					j += 2
					continue
				}
				if c == '"' {
					closed = true
					j++
					break
				}
				b.WriteByte(c)
				j++
			}
			if !closed {
				return nil, errAt(i, "text in quotes is not closed")
			}
			toks = append(toks, token{kind: "string", text: b.String(), pos: i})
			i = j
		case strings.ContainsRune("=!<>:", r):
			op := string(r)
			if i+1 < len(s) && s[i+1] == '=' && r != '=' && r != ':' {
				op += "="
			}
			if op == "!" {
				return nil, errAt(i, "expected != ")
			}
			toks = append(toks, token{kind: "op", text: op, pos: i})
			i += len(op)
		case isWordRune(r) || r == '-':
			j := i
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(r2) && r2 != '-' {
					break
				}
				j += n
			}
			toks = append(toks, token{kind: "word", text: s[i:j], pos: i})
			i = j
		default:
			return nil, errAt(i, "unexpected %q", r)
		}
	}
	return append(toks, token{kind: "eof", pos: len(s)}), nil
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.' || r == '*' || r == '/' || r == '+'
}

func isKeyword(w string) bool { return w == "AND" || w == "OR" || w == "NOT" }

type parser struct {
	toks  []token
	i     int
	depth int
}

// Parse reads a filter. An empty or blank filter returns nil.
func Parse(s string) (Expr, error) {
	if !utf8.ValidString(s) {
		return nil, apierr.Invalid("filter", "is not valid UTF-8")
	}
	if len(s) > maxLength {
		return nil, apierr.Invalid("filter", "is longer than %d bytes", maxLength)
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, errAt(t.pos, "unexpected %q", t.text)
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) or() (Expr, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == "word" && p.peek().text == "OR" {
		p.next()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = Or{left, right}
	}
	return left, nil
}

func (p *parser) and() (Expr, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == "word" && t.text == "AND":
			p.next()
		case t.kind == "word" && t.text != "OR" || t.kind == "(":
			// Juxtaposition is an implicit AND (AIP-160).
		default:
			return left, nil
		}
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = And{left, right}
	}
}

func (p *parser) unary() (Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, errAt(p.peek().pos, "nested more than %d deep", maxDepth)
	}
	t := p.peek()
	switch {
	case t.kind == "word" && t.text == "NOT":
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	case t.kind == "(":
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != ")" {
			return nil, errAt(c.pos, "expected )")
		}
		return e, nil
	case t.kind == "word" && !isKeyword(t.text):
		p.next()
		op := p.next()
		if op.kind != "op" {
			return nil, errAt(op.pos, "expected an operator (= != < <= > >= :) after %q", t.text)
		}
		v := p.next()
		if v.kind != "word" && v.kind != "string" {
			return nil, errAt(v.pos, "expected a value after %s", op.text)
		}
		return Compare{Field: t.text, Op: op.text, Value: v.text, Quoted: v.kind == "string", Pos: t.pos}, nil
	case t.kind == "eof":
		return nil, errAt(t.pos, "the filter ends where a comparison was expected")
	}
	return nil, errAt(t.pos, "unexpected %q", t.text)
}
