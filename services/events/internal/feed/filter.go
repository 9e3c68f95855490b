package feed

import (
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/filter"
)

// Filter is a parsed filter of the feed: which changes a reader wants, and
// what narrows the stream's subjects and start before they are checked.
type Filter struct {
	expr filter.Expr
}

// filterFields are what a feed's filter may name, and the comparisons each
// takes.
var filterFields = map[string][]string{
	"resource_type": {"=", "!="},
	"type":          {"=", "!="},
	"time":          {"<", "<=", ">", ">="},
}

// ParseFilter reads an AIP-160 filter over resource_type, type and time,
// refusing anything else with INVALID_ARGUMENT on field.
func ParseFilter(field, text string) (*Filter, error) {
	if strings.TrimSpace(text) == "" {
		return &Filter{}, nil
	}
	expr, err := filter.Parse(text)
	if err != nil {
		if e, ok := err.(*apierr.Error); ok {
			return nil, e.Renamed(func(string) string { return field })
		}
		return nil, apierr.Invalid(field, "%v", err)
	}
	if err := check(field, expr); err != nil {
		return nil, err
	}
	return &Filter{expr: expr}, nil
}

func check(field string, e filter.Expr) error {
	switch e := e.(type) {
	case filter.And:
		if err := check(field, e.Left); err != nil {
			return err
		}
		return check(field, e.Right)
	case filter.Or:
		if err := check(field, e.Left); err != nil {
			return err
		}
		return check(field, e.Right)
	case filter.Not:
		return check(field, e.X)
	case filter.Compare:
		ops, ok := filterFields[e.Field]
		if !ok {
			return apierr.Invalid(field, "at character %d: the change feed filters on resource_type, type and time, not %q", e.Pos+1, e.Field)
		}
		if !contains(ops, e.Op) {
			return apierr.Invalid(field, "at character %d: %s takes %s, not %s", e.Pos+1, e.Field, strings.Join(ops, " "), e.Op)
		}
		switch e.Field {
		case "time":
			if _, err := time.Parse(time.RFC3339Nano, e.Value); err != nil {
				return apierr.Invalid(field, "at character %d: time compares with an RFC 3339 time in quotes, such as \"2026-03-01T00:00:00Z\"", e.Pos+1)
			}
		case "resource_type":
			if e.Value == "" || strings.ContainsAny(e.Value, ".*> \t") {
				return apierr.Invalid(field, "at character %d: %q is not a resource type, such as pledge or budget", e.Pos+1, e.Value)
			}
		case "type":
			if e.Value == "" || strings.ContainsAny(e.Value, "*> \t") {
				return apierr.Invalid(field, "at character %d: %q is not an event type, such as kr.gongyak.pledge.v1.pledge.updated", e.Pos+1, e.Value)
			}
		}
		return nil
	}
	return apierr.Invalid(field, "an expression the change feed does not take")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Match reports whether c passes the filter.
func (f *Filter) Match(c Change) bool {
	if f == nil || f.expr == nil {
		return true
	}
	return match(f.expr, c)
}

func match(e filter.Expr, c Change) bool {
	switch e := e.(type) {
	case filter.And:
		return match(e.Left, c) && match(e.Right, c)
	case filter.Or:
		return match(e.Left, c) || match(e.Right, c)
	case filter.Not:
		return !match(e.X, c)
	case filter.Compare:
		switch e.Field {
		case "resource_type":
			return (c.ResourceType == e.Value) == (e.Op == "=")
		case "type":
			return (c.Event.Type == e.Value) == (e.Op == "=")
		case "time":
			t, _ := time.Parse(time.RFC3339Nano, e.Value)
			switch e.Op {
			case "<":
				return c.Event.Time.Before(t)
			case "<=":
				return !c.Event.Time.After(t)
			case ">":
				return c.Event.Time.After(t)
			case ">=":
				return !c.Event.Time.Before(t)
			}
		}
	}
	return false
}

// subjects are the stream subjects of district that hold every change the
// filter can pass: the district's, narrowed to a resource type or an
// event type when the filter requires one.
func (f *Filter) subjects(district string) []string {
	all := []string{eventbus.SubjectPrefix + district + ".>"}
	if f == nil || f.expr == nil {
		return all
	}
	for _, conj := range conjuncts(f.expr) {
		if subs, ok := narrow(conj, district); ok {
			return subs
		}
	}
	return all
}

// narrow gives the subjects a conjunct of the filter limits changes to:
// `resource_type = "budget"`, `type = "…"`, or an OR of such.
func narrow(e filter.Expr, district string) ([]string, bool) {
	switch e := e.(type) {
	case filter.Or:
		l, ok := narrow(e.Left, district)
		if !ok {
			return nil, false
		}
		r, ok := narrow(e.Right, district)
		if !ok {
			return nil, false
		}
		return append(l, r...), true
	case filter.Compare:
		if e.Op != "=" {
			return nil, false
		}
		switch e.Field {
		case "resource_type":
			return []string{eventbus.SubjectPrefix + district + ".*." + e.Value + ".*"}, true
		case "type":
			s, err := eventbus.Subject(district, e.Value)
			if err != nil {
				// A type no service publishes: nothing matches it, which
				// the district's subject and the check say too.
				return nil, false
			}
			return []string{s}, true
		}
	}
	return nil, false
}

// since is the earliest time the filter lets a change have (`time >= t`
// or `time > t` among its conjuncts), zero when it sets none.
func (f *Filter) since() time.Time {
	var since time.Time
	if f == nil || f.expr == nil {
		return since
	}
	for _, conj := range conjuncts(f.expr) {
		if c, ok := conj.(filter.Compare); ok && c.Field == "time" && (c.Op == ">=" || c.Op == ">") {
			if t, err := time.Parse(time.RFC3339Nano, c.Value); err == nil && t.After(since) {
				since = t
			}
		}
	}
	return since
}

// conjuncts are the parts of e's top-level AND.
func conjuncts(e filter.Expr) []filter.Expr {
	if a, ok := e.(filter.And); ok {
		return append(conjuncts(a.Left), conjuncts(a.Right)...)
	}
	return []filter.Expr{e}
}
