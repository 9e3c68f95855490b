package postgres

import (
	"context"

	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/services/budget/internal/budget"
	"github.com/jackc/pgx/v5"
)

// listFilter is what List filters on: update_time lets a poller ask which
// plans changed since it last looked.
var listFilter = filter.Schema{
	"term":        {Column: "term", Kind: filter.Int},
	"update_time": {Column: "update_time", Kind: filter.Time},
}

// List returns a page of a district's plans in order of pledge, those
// filterText takes, with their lines.
func (s *Store) List(ctx context.Context, district, filterText string, size int, token string) ([]budget.Plan, string, error) {
	binding := pagetoken.Bind("budgets", district, filterText)
	after, err := pagetoken.Decode(token, binding, 1)
	if err != nil {
		return nil, "", err
	}
	where, fargs, err := filter.SQL(filterText, listFilter, 3)
	if err != nil {
		return nil, "", err
	}
	keys := []pagetoken.Key{{Expr: "pledge_id", Type: "text"}}
	cond, args := pagetoken.After(keys, after, 3+len(fargs))
	rows, err := s.pool.Query(ctx, `SELECT pledge_id FROM plans WHERE district_id = $1 AND `+where+` AND `+cond+
		` ORDER BY `+pagetoken.OrderBy(keys)+` LIMIT $2`, append(append([]any{district, size + 1}, fargs...), args...)...)
	if err != nil {
		return nil, "", err
	}
	pledges, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, "", err
	}
	pledges, next := pagetoken.Cut(pledges, size, binding, func(last string) []string { return []string{last} })
	if len(pledges) == 0 {
		return nil, "", nil
	}
	byPledge, err := getAll(ctx, s.pool, district, pledges, "")
	if err != nil {
		return nil, "", err
	}
	plans := make([]budget.Plan, 0, len(pledges))
	for _, p := range pledges {
		// A plan deleted since the first query is left out.
		if plan, ok := byPledge[p]; ok {
			plans = append(plans, plan)
		}
	}
	return plans, next, nil
}
