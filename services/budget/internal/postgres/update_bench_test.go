package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/services/budget/internal/budget"
	"github.com/gongyak/gongyak/services/budget/internal/postgres"
	"github.com/gongyak/gongyak/services/budget/internal/server"
	"github.com/gongyak/gongyak/services/budget/migrations"
)

// BenchmarkUpdateBudget updates plans of four lines with their etags from
// parallel callers (about 32 on two cores), each caller on a pledge of its
// own, as make bench's budget load does through the API.
func BenchmarkUpdateBudget(b *testing.B) {
	ctx := context.Background()
	store := postgres.New(pgtest.NewPool(b, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS}), server.View)
	var callers atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		pledge := fmt.Sprintf("pledge-%d", callers.Add(1))
		name := postgres.Name("gwangsan", pledge)
		tag, round := "", int64(0)
		for pb.Next() {
			round++
			p, err := store.Update(ctx, postgres.Name("gwangsan", pledge), tag, true, func(p *budget.Plan) error {
				p.Term = 8
				p.Lines = nil
				for year := range 4 {
					p.Lines = append(p.Lines, budget.Line{Source: budget.SourceLocal, Year: 2023 + year,
						Planned: 1_000_000_000 + round, Secured: 400_000_000, Executed: 100_000_000 * int64(year)})
				}
				return nil
			})
			if err != nil {
				b.Error(err)
				return
			}
			tag = etag.Of(name, p.Revision)
		}
	})
}
