package summary

import (
	"context"

	"github.com/gongyak/gongyak/pkg/pgchange"
)

// Reader reads a page of a summary: the groups on the page, the total
// over every group and the next page's token ("" on the last).
type Reader[T any] func(ctx context.Context, q Query) (rows []T, total T, next string, err error)

// Answer is a page of a summary as a Summarize* response carries it.
type Answer[M any] struct {
	Rows          []M
	Total         M
	NextPageToken string
}

// Cache keeps a service's answers until the tables they sum change:
// reporting asks for the same sums over every district again and again,
// and each costs a scan of the tables.
type Cache[M any] struct {
	answers *pgchange.Cache[Key, Answer[M]]
	year    func() int
}

// NewCache returns a Cache valid while changes counts no change. year,
// when not nil, is the current year, for a summary whose answer changes
// with the calendar as well as with its tables: it is read once a
// request, kept in the Query (and so in its Key) and read by its Reader.
func NewCache[M any](changes *pgchange.Watcher, year func() int) *Cache[M] {
	return &Cache[M]{answers: pgchange.NewCache[Key, Answer[M]](changes, 64), year: year}
}

// Serve answers req: it reads the request, reads the page by read and
// turns its rows and total into messages by toProto. With a cache (nil
// for none) it answers from it when it can, and keeps what it reads.
func Serve[T, M any](ctx context.Context, req Request, cache *Cache[M], read Reader[T], toProto func(T) M) (Answer[M], error) {
	q, err := Read(req)
	if err != nil {
		return Answer[M]{}, err
	}
	if cache != nil && cache.year != nil {
		q.Year = cache.year()
	}
	answer := func(ctx context.Context) (Answer[M], error) {
		rows, total, next, err := read(ctx, q)
		if err != nil {
			return Answer[M]{}, err
		}
		a := Answer[M]{Total: toProto(total), NextPageToken: next}
		for _, r := range rows {
			a.Rows = append(a.Rows, toProto(r))
		}
		return a, nil
	}
	if cache == nil {
		return answer(ctx)
	}
	return cache.answers.Get(ctx, q.Key(), answer)
}
