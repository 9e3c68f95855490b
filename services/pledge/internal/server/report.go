package server

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"github.com/gongyak/gongyak/services/pledge/internal/report"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// reportRequest is what an implementation report is asked for.
type reportRequest struct {
	// district is the one district reported, "" for every one.
	district string
	// term is the term reported; 0 for each district's current term.
	term int
	// start is the period's first day; zero for each district's term's
	// start.
	start time.Time
	asOf  time.Time
}

// readReportRequest reads a report's name, term and days, adding a
// violation to v for each that is wrong; today is the day in Seoul.
func readReportRequest(name string, term int32, start, asOf *date.Date, today time.Time, v *apierr.Violations) reportRequest {
	var q reportRequest
	if name != resourcename.ImplementationReport.Format(auth.AllDistricts) {
		if ids, ok := resourcename.ImplementationReport.Match(name); ok {
			q.district = ids[0]
		} else {
			v.Add("name", "must be %s, or districts/-/implementationReport for every district", resourcename.ImplementationReport)
		}
	}
	if term < 0 || term > 99 {
		v.Add("term", "must be a term number (1 to 99), or 0 for each district's current term")
	}
	q.term = int(term)
	q.start, _ = report.ReadDate("start_date", start, v)
	var given bool
	if q.asOf, given = report.ReadDate("as_of_date", asOf, v); !given {
		q.asOf = today
	}
	switch {
	case q.asOf.After(today):
		v.Add("as_of_date", "is in the future: today in Seoul is %s", report.FormatDate(today))
	case !q.start.IsZero() && q.asOf.Before(q.start):
		v.Add("as_of_date", "comes before start_date, %s", report.FormatDate(q.start))
	}
	return q
}

// GetImplementationReport computes a district's implementation report, or
// every district's.
func (s *ReportServer) GetImplementationReport(ctx context.Context, req *pledgev1.GetImplementationReportRequest) (*pledgev1.ImplementationReport, error) {
	var v apierr.Violations
	q := readReportRequest(req.GetName(), req.GetTerm(), req.GetStartDate(), req.GetAsOfDate(), report.Today(time.Now()), &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.compute(ctx, q)
}

// scopeKey is which districts a report covers, in which term.
type scopeKey struct {
	district string
	term     int
}

// pledgePart is what a report reads from this service's tables: each
// district's row with its pledges counted (in the order of the report's
// scope), and the pledges whose status changed in the period. Kept in a
// cache and shared by every report asking the same, it is never changed:
// a report clones the rows it fills.
type pledgePart struct {
	rows    []*pledgev1.DistrictImplementation
	changes []*pledgev1.PeriodStatusChange
}

// compute gathers the report: the districts and their terms, then the
// pledges' standings from this service's history while the other
// services are asked for their summaries, all at once. What it reads from
// this service's tables it keeps until they change.
func (s *ReportServer) compute(ctx context.Context, q reportRequest) (*pledgev1.ImplementationReport, error) {
	scope, err := s.scopes.Get(ctx, scopeKey{q.district, q.term}, func(ctx context.Context) ([]postgres.ReportDistrict, error) {
		return s.store.ReportScope(ctx, q.district, q.term)
	})
	if err != nil {
		return nil, err
	}
	if q.district != "" && len(scope) == 0 {
		if _, err := s.store.GetDistrict(ctx, q.district); err != nil {
			return nil, err
		}
		if q.term != 0 {
			return nil, apierr.Invalid("term", "district %s has no term %d", pledge.DistrictName(q.district), q.term)
		}
		return nil, apierr.Invalid("term", "district %s has no current term: name the term to report", pledge.DistrictName(q.district))
	}
	periods := make([]postgres.ReportPeriod, len(scope))
	start := q.start
	for i, d := range scope {
		periods[i] = postgres.ReportPeriod{District: d.ID, Term: d.Term, Start: cmp.Or(q.start, d.TermStart)}
		if start.IsZero() || periods[i].Start.Before(start) {
			start = periods[i].Start
		}
	}
	switch {
	case start.IsZero(): // no district has the term: an empty period
		start = q.asOf
	case q.start.IsZero() && q.asOf.Before(start):
		return nil, apierr.Invalid("as_of_date", "comes before the start of the term reported, %s (start_date when none is given)", report.FormatDate(start))
	}
	name := resourcename.ImplementationReport.Format(cmp.Or(q.district, auth.AllDistricts))
	gathered := s.gather(ctx, q.district, scope)
	part, err := s.parts.Get(ctx, q, func(ctx context.Context) (*pledgePart, error) {
		standings, err := s.store.Standings(ctx, periods, q.asOf)
		if err != nil {
			return nil, err
		}
		part := &pledgePart{rows: make([]*pledgev1.DistrictImplementation, len(scope))}
		for i, d := range scope {
			part.rows[i] = &pledgev1.DistrictImplementation{
				District: pledge.DistrictName(d.ID), DisplayName: d.DisplayName, MetropolitanGovernment: d.MetropolitanGovernment,
				Statuses: &pledgev1.StatusCounts{}, StatusesWithinTerm: &pledgev1.StatusCounts{},
			}
		}
		part.changes = tally(standings, scope, part.rows)
		return part, nil
	})
	figures := gathered()
	if err != nil {
		return nil, err
	}
	out := &pledgev1.ImplementationReport{
		Name:                            name,
		StartDate:                       report.DateToProto(start),
		AsOfDate:                        report.DateToProto(q.asOf),
		CompletionRateFormula:           report.CompletionRateFormula,
		CompletionRateWithinTermFormula: report.CompletionRateWithinTermFormula,
		BudgetSection:                   figures.budgetSection,
		IndicatorSection:                figures.indicatorSection,
		ParticipationSection:            figures.participationSection,
		ComputeTime:                     timestamppb.Now(),
	}
	out.Term = int32(q.term)
	terms := map[int]bool{}
	for i, d := range scope {
		terms[d.Term] = true
		out.Term = int32(d.Term)
		row := proto.CloneOf(part.rows[i])
		figures.fill(row)
		out.Districts = append(out.Districts, row)
	}
	if len(terms) > 1 {
		out.Term = 0
	}
	out.StatusChanges = part.changes
	out.Total = figures.total(out.Districts)
	for _, row := range slices.Concat(out.Districts, []*pledgev1.DistrictImplementation{out.Total}) {
		row.CompletionRate = report.CompletionRate(row.GetStatuses(), row.GetPledgeCount())
		row.CompletionRateWithinTerm = report.CompletionRate(row.GetStatusesWithinTerm(), row.GetPledgeCountWithinTerm())
	}
	out.Notes = report.Notes(start, q.asOf, len(terms) > 1, figures.meanLeftOut)
	return out, nil
}

// tally counts each standing into its district's row (rows are scope's
// districts, in order) and returns the pledges that changed status in the
// period, by effective date, then district (in the report's order) and
// pledge id. (Sorted by a key of one number before they become messages:
// at tens of thousands, comparing and moving them is what costs.)
func tally(standings []postgres.Standing, scope []postgres.ReportDistrict, rows []*pledgev1.DistrictImplementation) []*pledgev1.PeriodStatusChange {
	// Each change with its sort key beside it: the day it took effect,
	// then its district's place in the report.
	type change struct {
		key int64
		st  *postgres.Standing
	}
	var changed []change
	for i := range standings {
		st := &standings[i]
		row := rows[st.Period]
		status := pledgev1.PledgeStatus(st.Status)
		row.PledgeCount++
		report.Count(row.Statuses, status, 1)
		if !st.AfterTerm {
			row.PledgeCountWithinTerm++
			report.Count(row.StatusesWithinTerm, status, 1)
		}
		if st.Changed {
			row.StatusChanges++
			changed = append(changed, change{st.Effective.Unix()/86400<<20 | int64(st.Period), st})
		}
	}
	slices.SortFunc(changed, func(a, b change) int { return cmp.Or(cmp.Compare(a.key, b.key), strings.Compare(a.st.ID, b.st.ID)) })
	changes := make([]*pledgev1.PeriodStatusChange, len(changed))
	for i, c := range changed {
		st := c.st
		changes[i] = &pledgev1.PeriodStatusChange{
			Pledge: pledge.PledgeName(scope[st.Period].ID, st.ID), Title: st.Title,
			PreviousStatus: pledgev1.PledgeStatus(st.Previous), Status: pledgev1.PledgeStatus(st.Status), EffectiveDate: report.DateToProto(st.Effective),
		}
	}
	return changes
}
