// Package scaleload writes a scalegen plan into a running Gongyak suite
// through its real gRPC APIs, as one caller (a system admin): the batch
// methods where one call per row would be slow (pledges, plans,
// indicators, members, submissions, ballots), single calls for the rest
// (districts, departments, each status change with its effective date,
// programs and their entries). Districts load side by side, a few at a
// time; every write carries a request id derived from the seed, so a load
// cut off and started again replays what was written (within the
// services' request-id retention, 7 days) and a district loaded whole is
// skipped.
package scaleload

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/scalegen"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// Addrs are the gRPC addresses of the services a load writes to.
type Addrs struct {
	Pledge, Budget, Indicator, Participation string
}

// Options tune a load.
type Options struct {
	// Districts is how many districts load at once; 4 when 0.
	Districts int
	// StatusChanges is how many pledges of a district have their status
	// changed at once; 6 when 0.
	StatusChanges int
	// Progress, when set, is told how the load goes every Every (2 s
	// when 0), and when it ends.
	Progress io.Writer
	Every    time.Duration
}

// Stats say what a load did.
type Stats struct {
	// Districts loaded by this load, and those found loaded already.
	Districts, Skipped int
	// Rows are the records written: districts, departments, pledges,
	// status changes, plan lines, indicator entries, programs and their
	// entries, members, submissions and ballots.
	Rows int64
	// Calls are the gRPC calls made.
	Calls   int64
	Elapsed time.Duration
}

// RowsPerSecond is the rate of the load.
func (s Stats) RowsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Rows) / s.Elapsed.Seconds()
}

// clients are the services' APIs, as the load's caller.
type clients struct {
	districts     pledgev1.DistrictServiceClient
	pledges       pledgev1.PledgeServiceClient
	budgets       budgetv1.BudgetServiceClient
	indicators    indicatorv1.IndicatorServiceClient
	participation participationv1.ParticipationServiceClient
}

// loader loads one plan.
type loader struct {
	clients
	plan   *scalegen.Plan
	opt    Options
	prefix string
	rows   atomic.Int64
	calls  atomic.Int64
	done   atomic.Int64
	skip   atomic.Int64
}

// Load writes plan into the suite at addrs, presenting credential (a
// token or an API key of a system admin), and reports what it did. It
// stops at the first write the suite refuses for good.
func Load(ctx context.Context, addrs Addrs, credential string, plan *scalegen.Plan, opt Options) (Stats, error) {
	if opt.Districts <= 0 {
		opt.Districts = 4
	}
	if opt.StatusChanges <= 0 {
		opt.StatusChanges = 6
	}
	if opt.Every <= 0 {
		opt.Every = 2 * time.Second
	}
	var conns []*grpc.ClientConn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	dial := func(addr string) (grpc.ClientConnInterface, error) {
		c, err := grpcclient.Dial(addr)
		if err == nil {
			conns = append(conns, c)
		}
		return c, err
	}
	var cs [4]grpc.ClientConnInterface
	for i, addr := range []string{addrs.Pledge, addrs.Budget, addrs.Indicator, addrs.Participation} {
		c, err := dial(addr)
		if err != nil {
			return Stats{}, err
		}
		cs[i] = c
	}
	cfg := plan.Config()
	l := &loader{
		clients: clients{
			districts: pledgev1.NewDistrictServiceClient(cs[0]), pledges: pledgev1.NewPledgeServiceClient(cs[0]),
			budgets: budgetv1.NewBudgetServiceClient(cs[1]), indicators: indicatorv1.NewIndicatorServiceClient(cs[2]),
			participation: participationv1.NewParticipationServiceClient(cs[3]),
		},
		plan: plan, opt: opt,
		// The data depends on the seed, the pledges a district has and the
		// year it is made in: a request id means one request.
		prefix: fmt.Sprintf("scale-%d-%d-%d", cfg.Seed, cfg.Pledges, cfg.Today.Year()),
	}
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+credential)
	return l.run(ctx)
}

func (l *loader) run(ctx context.Context) (Stats, error) {
	start := time.Now()
	stop := l.report(start)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(l.opt.Districts)
	for i := range l.plan.Districts() {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			d := l.plan.District(i)
			if err := l.district(gctx, d); err != nil {
				return fmt.Errorf("loading %s (%s): %w", d.Name(), d.District.GetDisplayName(), err)
			}
			l.done.Add(1)
			return nil
		})
	}
	err := g.Wait()
	stats := Stats{Districts: int(l.done.Load() - l.skip.Load()), Skipped: int(l.skip.Load()), Rows: l.rows.Load(), Calls: l.calls.Load(), Elapsed: time.Since(start)}
	stop(stats, err)
	return stats, err
}

// report prints progress every Every until the returned func is called
// with the end result.
func (l *loader) report(start time.Time) func(Stats, error) {
	if l.opt.Progress == nil {
		return func(Stats, error) {}
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(l.opt.Every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				elapsed := time.Since(start)
				fmt.Fprintf(l.opt.Progress, "scale: %d/%d districts, %d rows in %s (%.0f rows/s)\n",
					l.done.Load(), l.plan.Districts(), l.rows.Load(), elapsed.Round(time.Second), float64(l.rows.Load())/elapsed.Seconds())
			}
		}
	}()
	return func(s Stats, err error) {
		close(quit)
		<-finished
		if err != nil {
			fmt.Fprintf(l.opt.Progress, "scale: stopped after %s: %v\n", s.Elapsed.Round(time.Millisecond), err)
			return
		}
		fmt.Fprintf(l.opt.Progress, "scale: loaded %d districts (%d found loaded already): %d rows in %d calls, %s (%.0f rows/s)\n",
			s.Districts, s.Skipped, s.Rows, s.Calls, s.Elapsed.Round(time.Millisecond), s.RowsPerSecond())
	}
}
