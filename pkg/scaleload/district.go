package scaleload

import (
	"context"
	"strconv"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/batch"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/pkg/scalegen"
	"golang.org/x/sync/errgroup"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// do makes call until it is answered for good: an answer that says to
// try again (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED: a service
// restarting, a transaction that lost a race, a busy machine) sends the
// same request, request id and all, again after a pause, up to 20 times.
func do[T any](ctx context.Context, l *loader, call func(ctx context.Context) (T, error)) (T, error) {
	wait := 200 * time.Millisecond
	for attempt := 0; ; attempt++ {
		l.calls.Add(1)
		out, err := call(ctx)
		switch status.Code(err) {
		case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
			if attempt >= 20 {
				return out, err
			}
		default:
			return out, err
		}
		select {
		case <-ctx.Done():
			return out, err
		case <-time.After(wait):
		}
		wait = min(2*wait, 3*time.Second)
	}
}

// created passes a create's answer on, taking ALREADY_EXISTS — a
// resource an earlier load made, whose request id the service has since
// forgotten — as done.
func created(err error) error {
	if status.Code(err) == codes.AlreadyExists {
		return nil
	}
	return err
}

// district writes one district and everything under it, in the order the
// services need (a pledge before its plan, its indicators and its
// programs), the ballots last.
func (l *loader) district(ctx context.Context, d scalegen.District) error {
	id := func(what string) string { return l.prefix + "-" + d.ID + "-" + what }
	if whole, err := l.loaded(ctx, d); err != nil || whole {
		if whole {
			l.skip.Add(1)
		}
		return err
	}
	_, err := do(ctx, l, func(ctx context.Context) (*pledgev1.District, error) {
		return l.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{District: d.District, DistrictId: d.ID, RequestId: id("district")})
	})
	if err := created(err); err != nil {
		return err
	}
	l.rows.Add(1)
	for _, dep := range d.Departments {
		_, err := do(ctx, l, func(ctx context.Context) (*pledgev1.Department, error) {
			return l.districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{Parent: d.Name(), DepartmentId: dep.ID,
				Department: dep.Value, RequestId: id("department-" + dep.ID)})
		})
		if err := created(err); err != nil {
			return err
		}
		l.rows.Add(1)
	}
	pledges, err := l.pledgesOf(ctx, d, id)
	if err != nil {
		return err
	}
	if err := l.plans(ctx, d, id); err != nil {
		return err
	}
	if err := l.indicatorsOf(ctx, d, id); err != nil {
		return err
	}
	if err := l.histories(ctx, d, pledges, id); err != nil {
		return err
	}
	return l.programs(ctx, d, id)
}

// loaded reports whether the district was loaded whole before: its last
// write, the ballots of its policy competition, is there.
func (l *loader) loaded(ctx context.Context, d scalegen.District) (bool, error) {
	resp, err := do(ctx, l, func(ctx context.Context) (*participationv1.ListBallotsResponse, error) {
		return l.participation.ListBallots(ctx, &participationv1.ListBallotsRequest{Parent: resourcename.Program.Format(d.ID, "vote"), PageSize: 1})
	})
	if status.Code(err) == codes.NotFound {
		return false, nil
	}
	return len(resp.GetBallots()) > 0, err
}

// pledgesOf creates the district's pledges, batch by batch, and returns
// them as created (with their etags) by id.
func (l *loader) pledgesOf(ctx context.Context, d scalegen.District, id func(string) string) (map[string]*pledgev1.Pledge, error) {
	out := map[string]*pledgev1.Pledge{}
	for first := 0; first < len(d.Pledges); first += batch.Max {
		part := d.Pledges[first:min(first+batch.Max, len(d.Pledges))]
		req := &pledgev1.BatchCreatePledgesRequest{Parent: d.Name(), RequestId: id("pledges-" + itoa(first))}
		for _, p := range part {
			req.Requests = append(req.Requests, &pledgev1.CreatePledgeRequest{PledgeId: p.ID, Pledge: p.Pledge})
		}
		resp, err := do(ctx, l, func(ctx context.Context) (*pledgev1.BatchCreatePledgesResponse, error) {
			return l.pledges.BatchCreatePledges(ctx, req)
		})
		if err != nil {
			return nil, err
		}
		for i, p := range resp.GetPledges() {
			out[part[i].ID] = p
		}
		l.rows.Add(int64(len(part)))
	}
	return out, nil
}

// plans writes the pledges' investment plans, batch by batch.
func (l *loader) plans(ctx context.Context, d scalegen.District, id func(string) string) error {
	var reqs []*budgetv1.UpdateBudgetRequest
	lines := 0
	for _, p := range d.Pledges {
		if p.Budget != nil {
			reqs = append(reqs, &budgetv1.UpdateBudgetRequest{Budget: p.Budget, AllowMissing: true})
			lines += len(p.Budget.GetLines())
		}
	}
	for first := 0; first < len(reqs); first += batch.Max {
		req := &budgetv1.BatchUpdateBudgetsRequest{Parent: d.Name(), Requests: reqs[first:min(first+batch.Max, len(reqs))], RequestId: id("plans-" + itoa(first))}
		if _, err := do(ctx, l, func(ctx context.Context) (*budgetv1.BatchUpdateBudgetsResponse, error) {
			return l.budgets.BatchUpdateBudgets(ctx, req)
		}); err != nil {
			return err
		}
	}
	l.rows.Add(int64(lines))
	return nil
}

// indicatorsOf creates the pledges' indicators, of all of them at once
// (`…/pledges/-`), batch by batch.
func (l *loader) indicatorsOf(ctx context.Context, d scalegen.District, id func(string) string) error {
	var reqs []*indicatorv1.CreateIndicatorRequest
	rows := 0
	for _, p := range d.Pledges {
		for _, i := range p.Indicators {
			reqs = append(reqs, &indicatorv1.CreateIndicatorRequest{Parent: resourcename.Pledge.Format(d.ID, p.ID), IndicatorId: i.ID, Indicator: i.Value})
			rows += 1 + len(i.Value.GetEntries())
		}
	}
	for first := 0; first < len(reqs); first += batch.Max {
		req := &indicatorv1.BatchCreateIndicatorsRequest{Parent: resourcename.Pledge.Format(d.ID, resourcename.Wildcard), Requests: reqs[first:min(first+batch.Max, len(reqs))],
			RequestId: id("indicators-" + itoa(first))}
		if _, err := do(ctx, l, func(ctx context.Context) (*indicatorv1.BatchCreateIndicatorsResponse, error) {
			return l.indicators.BatchCreateIndicators(ctx, req)
		}); err != nil {
			return err
		}
	}
	l.rows.Add(int64(rows))
	return nil
}

// histories changes each pledge's status through its history, each
// change with the day it took effect, and deletes the pledges made by
// mistake. A pledge's changes go one after another, each with the etag
// the last one left; pledges go side by side.
func (l *loader) histories(ctx context.Context, d scalegen.District, pledges map[string]*pledgev1.Pledge, id func(string) string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(l.opt.StatusChanges)
	for _, p := range d.Pledges {
		g.Go(func() error {
			cur := pledges[p.ID]
			if p.Deleted {
				_, err := do(gctx, l, func(ctx context.Context) (*pledgev1.Pledge, error) {
					return l.pledges.DeletePledge(ctx, &pledgev1.DeletePledgeRequest{Name: cur.GetName(), Etag: cur.GetEtag()})
				})
				l.rows.Add(1)
				return err
			}
			for n, s := range p.History {
				next, err := do(gctx, l, func(ctx context.Context) (*pledgev1.Pledge, error) {
					return l.pledges.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: cur.GetName(), Etag: cur.GetEtag(),
						Status: s.Status, Reason: s.Reason, EffectiveDate: day(s.Effective), RequestId: id("status-" + p.ID + "-" + itoa(n))})
				})
				if err != nil {
					return err
				}
				cur = next
				l.rows.Add(1)
			}
			return nil
		})
	}
	return g.Wait()
}

// programs creates the district's programs with their entries, members,
// submissions and ballots, the ballots last.
func (l *loader) programs(ctx context.Context, d scalegen.District, id func(string) string) error {
	for _, p := range d.Programs {
		_, err := do(ctx, l, func(ctx context.Context) (*participationv1.Program, error) {
			return l.participation.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: d.Name(), ProgramId: p.ID, Program: p.Program,
				RequestId: id("program-" + p.ID)})
		})
		if err := created(err); err != nil {
			return err
		}
		name := resourcename.Program.Format(d.ID, p.ID)
		for _, e := range p.Entries {
			_, err := do(ctx, l, func(ctx context.Context) (*participationv1.Entry, error) {
				return l.participation.CreateEntry(ctx, &participationv1.CreateEntryRequest{Parent: name, EntryId: e.ID, Entry: e.Value,
					RequestId: id("entry-" + p.ID + "-" + e.ID)})
			})
			if err := created(err); err != nil {
				return err
			}
		}
		l.rows.Add(int64(1 + len(p.Entries)))
		for first := 0; first < len(p.Members); first += batch.Max {
			req := &participationv1.BatchCreateMembersRequest{Parent: name, RequestId: id("members-" + p.ID + "-" + itoa(first))}
			for _, m := range p.Members[first:min(first+batch.Max, len(p.Members))] {
				req.Requests = append(req.Requests, &participationv1.CreateMemberRequest{MemberId: m.ID, Member: m.Value})
			}
			if _, err := do(ctx, l, func(ctx context.Context) (*participationv1.BatchCreateMembersResponse, error) {
				return l.participation.BatchCreateMembers(ctx, req)
			}); err != nil {
				return err
			}
		}
		for first := 0; first < len(p.Submissions); first += batch.Max {
			req := &participationv1.BatchCreateSubmissionsRequest{Parent: name, RequestId: id("submissions-" + p.ID + "-" + itoa(first))}
			for _, s := range p.Submissions[first:min(first+batch.Max, len(p.Submissions))] {
				req.Requests = append(req.Requests, &participationv1.CreateSubmissionRequest{SubmissionId: s.ID, Submission: s.Value})
			}
			if _, err := do(ctx, l, func(ctx context.Context) (*participationv1.BatchCreateSubmissionsResponse, error) {
				return l.participation.BatchCreateSubmissions(ctx, req)
			}); err != nil {
				return err
			}
		}
		for first := 0; first < len(p.Ballots); first += batch.Max {
			req := &participationv1.BatchCreateBallotsRequest{Parent: name, RequestId: id("ballots-" + p.ID + "-" + itoa(first))}
			for _, b := range p.Ballots[first:min(first+batch.Max, len(p.Ballots))] {
				req.Requests = append(req.Requests, &participationv1.CreateBallotRequest{BallotId: b.ID, Ballot: b.Value})
			}
			if _, err := do(ctx, l, func(ctx context.Context) (*participationv1.BatchCreateBallotsResponse, error) {
				return l.participation.BatchCreateBallots(ctx, req)
			}); err != nil {
				return err
			}
		}
		l.rows.Add(int64(len(p.Members) + len(p.Submissions) + len(p.Ballots)))
	}
	return nil
}

func day(t time.Time) *date.Date {
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}
}

func itoa(n int) string { return strconv.Itoa(n) }
