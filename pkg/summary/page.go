package summary

import (
	"strconv"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/pagetoken"
)

// Cursor is where a page of a summary starts: the groups before it, in
// the order of the groups, and how many it holds. It is bound to its
// query, so a token it issues serves that query alone.
type Cursor struct {
	Offset, Size int
	binding      pagetoken.Binding
}

// Start reads q's page token (none is the first page), which must be one
// the summary named listing ("budgets:summarize") issued for a query
// with the same district, group_by and filter.
func (q Query) Start(listing string) (Cursor, error) {
	b := pagetoken.Bind(listing, q.District, strings.Join(q.GroupBy, ","), q.Filter)
	after, err := pagetoken.Decode(q.Token, b, 1)
	if err != nil {
		return Cursor{}, err
	}
	c := Cursor{Size: q.Size, binding: b}
	if after == nil {
		return c, nil
	}
	c.Offset, err = strconv.Atoi(after[0])
	if err != nil || c.Offset < 0 {
		return Cursor{}, apierr.Invalid("page_token", "is not a page token this listing issued")
	}
	return c, nil
}

// Limit is how many groups to read from Offset: one more than the page
// holds, to tell whether another page follows.
func (c Cursor) Limit() int { return c.Size + 1 }

// cut cuts rows, read with Limit from Offset, to the page and returns the
// token of the next page, or "" when this is the last.
func cut[T any](rows []T, c Cursor) ([]T, string) {
	next := []string{strconv.Itoa(c.Offset + c.Size)}
	return pagetoken.Cut(rows, c.Size, c.binding, func(T) []string { return next })
}
