// Package summary holds what the services' reporting methods (Summarize*)
// share: a parent naming one district or all of them, a group_by list
// checked against the dimensions a summary offers and turned into SQL,
// offset paging bound to the request, reading the groups and the total
// from PostgreSQL, and answering (from a cache where a service keeps one)
// with the rows turned to messages. Each service keeps its own sums and
// SQL.
package summary

import (
	"strconv"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// Request is what every Summarize* request carries.
type Request interface {
	GetParent() string
	GetGroupBy() []string
	GetFilter() string
	GetPageSize() int32
	GetPageToken() string
}

// Query is a summary request, read.
type Query struct {
	// District is the one district summed; "" sums every district.
	District string
	GroupBy  []string
	Filter   string
	Size     int
	Token    string
	// Year is the year the answer is read in, for a summary whose answer
	// changes with the calendar (see NewCache); 0 for the others.
	Year int
}

// Read reads req: its parent, `districts/{district}` or `districts/-`
// for every district, and its page size; the error names each bad field.
// What group_by and the filter say is checked by the store, which knows
// its dimensions.
func Read(req Request) (Query, error) {
	var v apierr.Violations
	q := Query{GroupBy: req.GetGroupBy(), Filter: req.GetFilter(), Token: req.GetPageToken()}
	ids, ok := resourcename.District.MatchWildcard(req.GetParent())
	switch {
	case !ok:
		v.Add("parent", "must be %s, or districts/- for every district", resourcename.District)
	case ids[0] != resourcename.Wildcard:
		q.District = ids[0]
	}
	size, err := pagetoken.Size(req.GetPageSize())
	v.Merge(err)
	q.Size = size
	return q, v.Err()
}

// Key tells queries apart, as a cache keeps their answers.
type Key struct {
	District, GroupBy, Filter, Token string
	Size, Year                       int
}

// Key is q's Key.
func (q Query) Key() Key {
	return Key{District: q.District, GroupBy: strings.Join(q.GroupBy, ","), Filter: q.Filter, Token: q.Token,
		Size: q.Size, Year: q.Year}
}

// InDistrict adds q's district to args when q names one, and returns the
// condition on column (a district id) that keeps its rows: "column = $n",
// or "true" for every district. Every district's summary names no
// district: a parameter that may be empty ("$1 = ” OR district_id = $1")
// would leave PostgreSQL unable to estimate the rows of the plan it keeps
// for a prepared statement.
func (q Query) InDistrict(column string, args []any) (string, []any) {
	if q.District == "" {
		return "true", args
	}
	args = append(args, q.District)
	return column + " = $" + strconv.Itoa(len(args)), args
}
