package server_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	gocmp "github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// The statuses, short.
const (
	none       = pledgev1.PledgeStatus_PLEDGE_STATUS_UNSPECIFIED
	completed  = pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED
	continuing = pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING
	onTrack    = pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK
	partial    = pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL
	onHold     = pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD
	abandoned  = pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED
)

// on is a day written 2020-12-31, as a google.type.Date.
func on(s string) *date.Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return day(int32(t.Year()), int32(t.Month()), int32(t.Day()))
}

// dateFirstStatus dates a pledge's first status (its creation or import)
// to the day given, as a card that dates its status would: a pledge made
// through the API today has a history that starts today.
func (st *suite) dateFirstStatus(t *testing.T, pledgeName, day string) {
	t.Helper()
	district, id := splitName(pledgeName)
	if _, err := st.pledgePool.Exec(context.Background(), `UPDATE status_changes SET effective_date = $3
		WHERE district_id = $1 AND pledge_id = $2 AND number = 1`, district, id, day); err != nil {
		t.Fatal(err)
	}
}

// changeStatus changes a pledge's status as an official back-filling its
// history does, with the day it took effect.
func (st *suite) changeStatus(t *testing.T, pledgeName string, status pledgev1.PledgeStatus, day string) {
	t.Helper()
	ctx := context.Background()
	p, err := st.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: pledgeName})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.pledges.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: pledgeName, Etag: p.GetEtag(),
		Status: status, Reason: "이력 입력", EffectiveDate: on(day)}); err != nil {
		t.Fatalf("change %s to %v on %s: %v", pledgeName, status, day, err)
	}
}

func splitName(pledgeName string) (district, id string) {
	parts := strings.Split(pledgeName, "/")
	return parts[1], parts[3]
}

func (st *suite) createPledge(t *testing.T, district string, p *pledgev1.Pledge) string {
	t.Helper()
	created, err := st.pledges.CreatePledge(context.Background(), &pledgev1.CreatePledgeRequest{Parent: "districts/" + district, Pledge: p})
	if err != nil {
		t.Fatal(err)
	}
	return created.GetName()
}

// history are the pledges of gwangsan's 민선 7기 (2018-07-01 to
// 2022-06-30) the report tests read, with their status histories:
//
//	card       the seed card, imported: 완료 from 2020-12-31 (its log ends
//	           there), 이행 후 계속추진 from 2021-03-01 (its plans go on)
//	budget     정상추진 from 2018-07-01, 일부추진 2019-06-30, 완료 2021-12-20
//	river      임기후: 정상추진 from 2018-07-01, 보류 2020-03-01, 정상추진 2020-09-01
//	dropped    정상추진 from 2018-07-01, 폐기 2019-01-15
//	late       no status (미지정) until its first, 정상추진 from 2021-06-01
//
// and two the report leaves out: a deleted pledge and one of 민선 8기.
type history struct {
	card, budget, river, dropped, late string
}

func seedHistory(t *testing.T, st *suite) history {
	t.Helper()
	ctx := context.Background()
	h := history{card: st.importCard(t, "gwangsan", seedCard(t)).GetPledge().GetName()}
	st.dateFirstStatus(t, h.card, "2020-12-31")
	st.changeStatus(t, h.card, continuing, "2021-03-01")

	within := pledgev1.CompletionTiming_COMPLETION_TIMING_WITHIN_TERM
	h.budget = st.createPledge(t, "gwangsan", &pledgev1.Pledge{Title: "주민참여예산 확대", Term: 7, Status: onTrack, CompletionTiming: within})
	st.dateFirstStatus(t, h.budget, "2018-07-01")
	st.changeStatus(t, h.budget, partial, "2019-06-30")
	st.changeStatus(t, h.budget, completed, "2021-12-20")

	h.river = st.createPledge(t, "gwangsan", &pledgev1.Pledge{Title: "황룡강 수변공원 조성", Term: 7, Status: onTrack,
		CompletionTiming: pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM,
		Overview:         &pledgev1.Overview{Period: &pledgev1.Period{StartYear: 2019, OpenEnded: true}}})
	st.dateFirstStatus(t, h.river, "2018-07-01")
	st.changeStatus(t, h.river, onHold, "2020-03-01")
	st.changeStatus(t, h.river, onTrack, "2020-09-01")

	h.dropped = st.createPledge(t, "gwangsan", &pledgev1.Pledge{Title: "구청사 이전", Term: 7, Status: onTrack, CompletionTiming: within})
	st.dateFirstStatus(t, h.dropped, "2018-07-01")
	st.changeStatus(t, h.dropped, abandoned, "2019-01-15")

	h.late = st.createPledge(t, "gwangsan", &pledgev1.Pledge{Title: "늦게 시작한 공약", Term: 7, Status: onTrack})
	st.dateFirstStatus(t, h.late, "2021-06-01")

	gone := st.createPledge(t, "gwangsan", &pledgev1.Pledge{Title: "삭제된 공약", Term: 7, Status: completed})
	st.dateFirstStatus(t, gone, "2018-07-01")
	p, err := st.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: gone})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.pledges.DeletePledge(ctx, &pledgev1.DeletePledgeRequest{Name: gone, Etag: p.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	st.dateFirstStatus(t, st.createPledge(t, "gwangsan", &pledgev1.Pledge{Title: "8기 공약", Term: 8, Status: completed}), "2022-07-01")
	return h
}

// counts writes StatusCounts in the Manifesto order: 완료, 이행 후
// 계속추진, 정상추진, 일부추진, 보류, 폐기, 미지정.
func counts(n ...int32) *pledgev1.StatusCounts {
	return &pledgev1.StatusCounts{Completed: n[0], CompletedContinuing: n[1], OnTrack: n[2], Partial: n[3], OnHold: n[4], Abandoned: n[5], Unspecified: n[6]}
}

// TestTheReportReadsStatusesAsTheyStoodOnTheDayAsked reads gwangsan's
// 민선 7기 as of several days of its history: the statuses of each day,
// the completion rates with and without the pledge due after the term,
// and the pledges whose status changed in the period.
func TestTheReportReadsStatusesAsTheyStoodOnTheDayAsked(t *testing.T) {
	st := newSuite(t)
	h := seedHistory(t, st)
	type changed struct {
		pledge         string
		before, after  pledgev1.PledgeStatus
		effectiveOnDay string
	}
	for _, tt := range []struct {
		name                 string
		start, asOf          string
		statuses, withinTerm *pledgev1.StatusCounts
		rate, rateWithinTerm string
		changes              []changed
		wantStart            string
	}{
		{"the first half year", "", "2018-12-31",
			counts(0, 0, 3, 0, 0, 0, 2), counts(0, 0, 2, 0, 0, 0, 2), "0.00", "0.00",
			[]changed{{h.budget, none, onTrack, "2018-07-01"}, {h.dropped, none, onTrack, "2018-07-01"}, {h.river, none, onTrack, "2018-07-01"}},
			"2018-07-01"},
		{"the first half of 2020", "2020-01-01", "2020-06-30",
			counts(0, 0, 0, 1, 1, 1, 2), counts(0, 0, 0, 1, 0, 1, 2), "0.00", "0.00",
			[]changed{{h.river, onTrack, onHold, "2020-03-01"}},
			"2020-01-01"},
		{"the end of 2021", "", "2021-12-31",
			counts(1, 1, 2, 0, 0, 1, 0), counts(1, 1, 1, 0, 0, 1, 0), "40.00", "50.00",
			[]changed{{h.dropped, none, abandoned, "2019-01-15"}, {h.river, none, onTrack, "2020-09-01"},
				{h.card, none, continuing, "2021-03-01"}, {h.late, none, onTrack, "2021-06-01"}, {h.budget, none, completed, "2021-12-20"}},
			"2018-07-01"},
		{"the term's last months", "2021-06-01", "2022-06-30",
			counts(1, 1, 2, 0, 0, 1, 0), counts(1, 1, 1, 0, 0, 1, 0), "40.00", "50.00",
			[]changed{{h.late, none, onTrack, "2021-06-01"}, {h.budget, partial, completed, "2021-12-20"}},
			"2021-06-01"},
		{"a day the card changed", "2021-03-01", "2021-03-01",
			counts(0, 1, 1, 1, 0, 1, 1), counts(0, 1, 0, 1, 0, 1, 1), "20.00", "25.00",
			[]changed{{h.card, completed, continuing, "2021-03-01"}},
			"2021-03-01"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := &pledgev1.GetImplementationReportRequest{Name: "districts/gwangsan/implementationReport", Term: 7, AsOfDate: on(tt.asOf)}
			if tt.start != "" {
				req.StartDate = on(tt.start)
			}
			r, err := st.reports.GetImplementationReport(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.GetDistricts()) != 1 || r.GetTerm() != 7 || r.GetName() != "districts/gwangsan/implementationReport" {
				t.Fatalf("report %s of term %d with %d districts", r.GetName(), r.GetTerm(), len(r.GetDistricts()))
			}
			if !gocmp.Equal(r.GetStartDate(), on(tt.wantStart), protocmp.Transform()) || !gocmp.Equal(r.GetAsOfDate(), on(tt.asOf), protocmp.Transform()) {
				t.Errorf("period %v to %v", r.GetStartDate(), r.GetAsOfDate())
			}
			for _, row := range []*pledgev1.DistrictImplementation{r.GetDistricts()[0], r.GetTotal()} {
				if row.GetPledgeCount() != 5 || row.GetPledgeCountWithinTerm() != 4 {
					t.Errorf("%q counts %d pledges, %d within the term", row.GetDistrict(), row.GetPledgeCount(), row.GetPledgeCountWithinTerm())
				}
				if diff := gocmp.Diff(tt.statuses, row.GetStatuses(), protocmp.Transform()); diff != "" {
					t.Errorf("%q statuses (-want +got):\n%s", row.GetDistrict(), diff)
				}
				if diff := gocmp.Diff(tt.withinTerm, row.GetStatusesWithinTerm(), protocmp.Transform()); diff != "" {
					t.Errorf("%q statuses within the term (-want +got):\n%s", row.GetDistrict(), diff)
				}
				if row.GetCompletionRate() != tt.rate || row.GetCompletionRateWithinTerm() != tt.rateWithinTerm {
					t.Errorf("%q completion rates %q and %q within the term, want %q and %q", row.GetDistrict(),
						row.GetCompletionRate(), row.GetCompletionRateWithinTerm(), tt.rate, tt.rateWithinTerm)
				}
				if int(row.GetStatusChanges()) != len(tt.changes) {
					t.Errorf("%q: %d pledges changed, want %d", row.GetDistrict(), row.GetStatusChanges(), len(tt.changes))
				}
			}
			var got []changed
			for _, c := range r.GetStatusChanges() {
				d := c.GetEffectiveDate()
				got = append(got, changed{c.GetPledge(), c.GetPreviousStatus(), c.GetStatus(),
					time.Date(int(d.GetYear()), time.Month(d.GetMonth()), int(d.GetDay()), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)})
			}
			// By effective date; on one day, by name.
			want := slices.Clone(tt.changes)
			slices.SortFunc(want, func(a, b changed) int {
				return cmp.Or(strings.Compare(a.effectiveOnDay, b.effectiveOnDay), strings.Compare(a.pledge, b.pledge))
			})
			if diff := gocmp.Diff(want, got, gocmp.AllowUnexported(changed{})); diff != "" {
				t.Errorf("the period's changes (-want +got):\n%s", diff)
			}
			if len(r.GetNotes()) < 3 || !strings.Contains(r.GetNotes()[0], tt.asOf) || !strings.Contains(r.GetCompletionRateFormula(), "(완료 + 이행 후 계속추진) ÷ 공약 수") ||
				!strings.Contains(r.GetCompletionRateWithinTermFormula(), "임기후") {
				t.Errorf("notes %q, formulas %q and %q", r.GetNotes(), r.GetCompletionRateFormula(), r.GetCompletionRateWithinTermFormula())
			}
		})
	}
	// The titles come with the changes.
	r, err := st.reports.GetImplementationReport(context.Background(), &pledgev1.GetImplementationReportRequest{Name: "districts/gwangsan/implementationReport", Term: 7, AsOfDate: on("2021-03-01"), StartDate: on("2021-03-01")})
	if err != nil || len(r.GetStatusChanges()) != 1 || r.GetStatusChanges()[0].GetTitle() != "사회적가치 제고를 위한 시민참여형 구정혁신 TF 운영" {
		t.Errorf("the card's change: %v %v", r.GetStatusChanges(), err)
	}
}

// addBudget gives a pledge a plan of two sources, partly secured and
// executed.
func (st *suite) addBudget(t *testing.T, pledgeName string) {
	t.Helper()
	lines := []*budgetv1.BudgetLine{
		{Source: typev1.FundingSource_FUNDING_SOURCE_NATIONAL, Year: 2019, PlannedWon: 120_000_000, SecuredWon: 100_000_000, ExecutedWon: 33_333_333},
		{Source: typev1.FundingSource_FUNDING_SOURCE_LOCAL, Year: 2019, PlannedWon: 30_000_000, SecuredWon: 30_000_000, ExecutedWon: 29_999_999},
		{Source: typev1.FundingSource_FUNDING_SOURCE_LOCAL, Year: 2020, PlannedWon: 45_500_000, SecuredWon: 40_000_000},
	}
	if _, err := st.budgets.UpdateBudget(context.Background(), &budgetv1.UpdateBudgetRequest{Budget: &budgetv1.Budget{Name: pledgeName + "/budget", Lines: lines}, AllowMissing: true}); err != nil {
		t.Fatal(err)
	}
}

// TestTheReportsMoneyIndicatorsAndParticipationAreTheServicesOwn reads the
// report's other sections beside what each service summarizes itself.
func TestTheReportsMoneyIndicatorsAndParticipationAreTheServicesOwn(t *testing.T) {
	st := newSuite(t)
	h := seedHistory(t, st)
	st.addBudget(t, h.budget)
	ctx := context.Background()
	r, err := st.reports.GetImplementationReport(ctx, &pledgev1.GetImplementationReportRequest{Name: "districts/gwangsan/implementationReport", Term: 7})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*pledgev1.Section{r.GetBudgetSection(), r.GetIndicatorSection(), r.GetParticipationSection()} {
		if s.GetState() != pledgev1.SectionState_SECTION_STATE_AVAILABLE {
			t.Errorf("a section is %v", s)
		}
	}
	row := r.GetDistricts()[0]
	bySource, err := st.budgets.SummarizeBudgets(ctx, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/gwangsan", GroupBy: []string{"district", "source"}, Filter: "term = 7"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(bySource.GetRows(), row.GetMoney(), protocmp.Transform()); diff != "" || len(row.GetMoney()) != 2 {
		t.Errorf("money by source (-service +report):\n%s", diff)
	}
	total, err := st.budgets.SummarizeBudgets(ctx, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/gwangsan", GroupBy: []string{"district"}, Filter: "term = 7"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(total.GetRows()[0], row.GetMoneyTotal(), protocmp.Transform()); diff != "" {
		t.Errorf("money in all (-service +report):\n%s", diff)
	}
	// 구비: the card's 8.5 백만원 and the other pledge's 75.5, 2 pledges.
	local := row.GetMoney()[1]
	if local.GetSource() != typev1.FundingSource_FUNDING_SOURCE_LOCAL || local.GetPledgeCount() != 2 || local.GetAmounts().GetPlannedWon() != 84_000_000 {
		t.Errorf("구비: %v", local)
	}
	indicators, err := st.indicators.SummarizeIndicators(ctx, &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/gwangsan", GroupBy: []string{"district"}, Filter: "term = 7"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(indicators.GetRows()[0], row.GetIndicators(), protocmp.Transform()); diff != "" || row.GetIndicators().GetNotYetDueEntries()+row.GetIndicators().GetNoDataEntries()+row.GetIndicators().GetMeasuredEntries() != 3 {
		t.Errorf("indicators (-service +report):\n%s", diff)
	}
	programs, err := st.participation.SummarizePrograms(ctx, &participationv1.SummarizeProgramsRequest{Parent: "districts/gwangsan", GroupBy: []string{"district"}, Filter: "term = 7"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(programs.GetRows()[0], row.GetParticipation(), protocmp.Transform()); diff != "" || row.GetParticipation().GetSubmissions() != 7 {
		t.Errorf("participation (-service +report):\n%s", diff)
	}
	// One district: the total is the district's, rates and all.
	want := &pledgev1.DistrictImplementation{
		PledgeCount: row.GetPledgeCount(), Statuses: row.GetStatuses(), CompletionRate: row.GetCompletionRate(),
		PledgeCountWithinTerm: row.GetPledgeCountWithinTerm(), StatusesWithinTerm: row.GetStatusesWithinTerm(), CompletionRateWithinTerm: row.GetCompletionRateWithinTerm(),
		Money: withoutDistrict(row.GetMoney()), MoneyTotal: withoutDistrict([]*budgetv1.BudgetSummary{row.GetMoneyTotal()})[0],
		Indicators: &indicatorv1.IndicatorSummary{MeasuredEntries: row.GetIndicators().GetMeasuredEntries(), NoDataEntries: row.GetIndicators().GetNoDataEntries(),
			NotYetDueEntries: row.GetIndicators().GetNotYetDueEntries(), MeanAchievement: row.GetIndicators().GetMeanAchievement(), OverdueIndicators: row.GetIndicators().GetOverdueIndicators()},
		Participation: func() *participationv1.ParticipationSummary {
			p := proto.Clone(row.GetParticipation()).(*participationv1.ParticipationSummary)
			p.District, p.Term = "", 0
			return p
		}(),
		StatusChanges: row.GetStatusChanges(),
	}
	if diff := gocmp.Diff(want, r.GetTotal(), protocmp.Transform()); diff != "" {
		t.Errorf("the total of one district (-district +total):\n%s", diff)
	}
}

func withoutDistrict(rows []*budgetv1.BudgetSummary) []*budgetv1.BudgetSummary {
	var out []*budgetv1.BudgetSummary
	for _, r := range rows {
		c := proto.Clone(r).(*budgetv1.BudgetSummary)
		c.District, c.Term = "", 0
		out = append(out, c)
	}
	return out
}

// TestTheReportCoversEveryDistrict reads districts/- in 민선 7기 and then
// in each district's current term, when they differ.
func TestTheReportCoversEveryDistrict(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	h := seedHistory(t, st)
	st.addBudget(t, h.budget)
	// 다른구: two pledges of 민선 7기, one completed in 2019; one of 8기.
	a := st.createPledge(t, "other", &pledgev1.Pledge{Title: "다른구 도서관", Term: 7, Status: onTrack})
	st.dateFirstStatus(t, a, "2018-07-01")
	st.changeStatus(t, a, completed, "2019-11-01")
	st.dateFirstStatus(t, st.createPledge(t, "other", &pledgev1.Pledge{Title: "다른구 공원", Term: 7, Status: partial}), "2018-07-01")
	st.addBudget(t, a)

	r, err := st.reports.GetImplementationReport(ctx, &pledgev1.GetImplementationReportRequest{Name: "districts/-/implementationReport", Term: 7, AsOfDate: on("2022-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.GetDistricts()) != 2 || r.GetDistricts()[0].GetDisplayName() != "광산구" || r.GetDistricts()[1].GetDistrict() != "districts/other" {
		t.Fatalf("districts: %v", r.GetDistricts())
	}
	other, total := r.GetDistricts()[1], r.GetTotal()
	if diff := gocmp.Diff(counts(1, 0, 0, 1, 0, 0, 0), other.GetStatuses(), protocmp.Transform()); diff != "" || other.GetCompletionRate() != "50.00" {
		t.Errorf("다른구: %v, %s", other.GetStatuses(), other.GetCompletionRate())
	}
	if diff := gocmp.Diff(counts(2, 1, 2, 1, 0, 1, 0), total.GetStatuses(), protocmp.Transform()); diff != "" ||
		total.GetPledgeCount() != 7 || total.GetPledgeCountWithinTerm() != 6 || total.GetCompletionRate() != "42.86" || total.GetCompletionRateWithinTerm() != "50.00" {
		t.Errorf("the total: %v", total)
	}
	if total.GetStatusChanges() != 7 || len(r.GetStatusChanges()) != 7 || r.GetStatusChanges()[2].GetPledge() != a {
		t.Errorf("changes in the term: %v", r.GetStatusChanges())
	}
	// Money adds up by source across districts, rates computed again.
	all, err := st.budgets.SummarizeBudgets(ctx, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/-", GroupBy: []string{"source"}, Filter: "term = 7"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(all.GetRows(), total.GetMoney(), protocmp.Transform()); diff != "" {
		t.Errorf("money by source of every district (-service +report):\n%s", diff)
	}
	if diff := gocmp.Diff(all.GetTotal(), total.GetMoneyTotal(), protocmp.Transform()); diff != "" {
		t.Errorf("money of every district (-service +report):\n%s", diff)
	}
	indicators, err := st.indicators.SummarizeIndicators(ctx, &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/-", Filter: "term = 7"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(indicators.GetTotal(), total.GetIndicators(), protocmp.Transform()); diff != "" {
		t.Errorf("indicators of every district (-service +report):\n%s", diff)
	}
	programs, err := st.participation.SummarizePrograms(ctx, &participationv1.SummarizeProgramsRequest{Parent: "districts/-", Filter: "term = 7"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(programs.GetTotal(), total.GetParticipation(), protocmp.Transform()); diff != "" {
		t.Errorf("participation of every district (-service +report):\n%s", diff)
	}

	// Each district in its current term: gwangsan's is 9 (nothing yet),
	// other's becomes 8.
	d, err := st.districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/other"})
	if err != nil {
		t.Fatal(err)
	}
	d.CurrentTerm = 8
	if _, err := st.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{District: d, UpdateMask: mask("current_term")}); err != nil {
		t.Fatal(err)
	}
	eighth := st.createPledge(t, "other", &pledgev1.Pledge{Title: "다른구 8기 공약", Term: 8, Status: completed})
	r, err = st.reports.GetImplementationReport(ctx, &pledgev1.GetImplementationReportRequest{Name: "districts/-/implementationReport"})
	if err != nil {
		t.Fatal(err)
	}
	if r.GetTerm() != 0 || len(r.GetDistricts()) != 2 || r.GetDistricts()[0].GetPledgeCount() != 0 || r.GetDistricts()[1].GetPledgeCount() != 1 ||
		r.GetDistricts()[1].GetStatuses().GetCompleted() != 1 || r.GetDistricts()[1].GetCompletionRate() != "100.00" || r.GetDistricts()[0].GetCompletionRate() != "" {
		t.Errorf("current terms: term %d, %v", r.GetTerm(), r.GetDistricts())
	}
	if len(r.GetStatusChanges()) != 1 || r.GetStatusChanges()[0].GetPledge() != eighth || !strings.Contains(strings.Join(r.GetNotes(), " "), "current terms differ") {
		t.Errorf("changes %v, notes %q", r.GetStatusChanges(), r.GetNotes())
	}
	// Nothing of 민선 7기 is money of the current terms.
	if len(r.GetTotal().GetMoney()) != 0 || r.GetTotal().GetMoneyTotal().GetAmounts().GetPlannedWon() != 0 {
		t.Errorf("money of the current terms: %v", r.GetTotal())
	}
}

// TestAServiceThatIsDownLeavesItsSectionUnavailable stops the indicator
// service: the report still comes, its indicators marked unavailable and
// empty, and neither export is written.
func TestAServiceThatIsDownLeavesItsSectionUnavailable(t *testing.T) {
	st := newSuite(t)
	st.importCard(t, "gwangsan", seedCard(t))
	st.stopIndicator()
	ctx := context.Background()
	name := "districts/gwangsan/implementationReport"
	r, err := st.reports.GetImplementationReport(ctx, &pledgev1.GetImplementationReportRequest{Name: name, Term: 7})
	if err != nil {
		t.Fatal(err)
	}
	if s := r.GetIndicatorSection(); s.GetState() != pledgev1.SectionState_SECTION_STATE_UNAVAILABLE || !strings.Contains(s.GetReason(), "indicator service") {
		t.Errorf("indicator section: %v", s)
	}
	if r.GetBudgetSection().GetState() != pledgev1.SectionState_SECTION_STATE_AVAILABLE || r.GetParticipationSection().GetState() != pledgev1.SectionState_SECTION_STATE_AVAILABLE {
		t.Errorf("the other sections: %v %v", r.GetBudgetSection(), r.GetParticipationSection())
	}
	row := r.GetDistricts()[0]
	if row.GetIndicators() != nil || r.GetTotal().GetIndicators() != nil || row.GetMoneyTotal().GetAmounts().GetPlannedWon() != 8_500_000 || row.GetPledgeCount() != 1 {
		t.Errorf("figures with the indicators away: %v", row)
	}
	for _, format := range []string{"csv", "xlsx"} {
		_, err := st.reports.ExportImplementationReport(ctx, &pledgev1.ExportImplementationReportRequest{Name: name, Term: 7, Format: format})
		if st := wantStatus(t, err, codes.Unavailable); !strings.Contains(st.Message(), "indicator service") {
			t.Errorf("%s export refused with %q", format, st.Message())
		}
	}
}

// TestWhoMayReadTheReport: a district's readers read its report, not
// another's nor every district's; cross-district callers read them all.
func TestWhoMayReadTheReport(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	client := pledgev1.NewReportServiceClient(st.pledgeConn)
	for _, tt := range []struct {
		who, role string
		district  string
		want      codes.Code
	}{
		{"viewer", "viewer@districts/gwangsan", "gwangsan", codes.OK},
		{"viewer", "viewer@districts/gwangsan", "other", codes.PermissionDenied},
		{"viewer", "viewer@districts/gwangsan", "-", codes.PermissionDenied},
		{"admin", "district-admin@districts/gwangsan", "-", codes.PermissionDenied},
		{"editor", "department-editor@districts/gwangsan/departments/legal-support", "gwangsan", codes.OK},
		{"ministry", "ministry-reporter", "-", codes.OK},
		{"ministry", "ministry-reporter", "gwangsan", codes.OK},
		{"sys", "system-admin", "-", codes.OK},
		{"anonymous", "", "gwangsan", codes.Unauthenticated},
	} {
		cctx := ctx
		if tt.role != "" {
			cctx = authtest.As(ctx, st.issuer.Token(t, tt.who, tt.role))
		}
		name := "districts/" + tt.district + "/implementationReport"
		_, err := client.GetImplementationReport(cctx, &pledgev1.GetImplementationReportRequest{Name: name, Term: 7})
		if got := status.Code(err); got != tt.want {
			t.Errorf("%s reading %s: %v, want %v", tt.role, name, err, tt.want)
		}
		_, err = client.ExportImplementationReport(cctx, &pledgev1.ExportImplementationReportRequest{Name: name, Term: 7, Format: "csv"})
		if got := status.Code(err); got != tt.want {
			t.Errorf("%s exporting %s: %v, want %v", tt.role, name, err, tt.want)
		}
	}
}

// TestBadReportRequestsNameEachBadField asks for reports that cannot be.
func TestBadReportRequestsNameEachBadField(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	tomorrow := time.Now().In(time.FixedZone("KST", 9*60*60)).AddDate(0, 0, 1)
	for _, tt := range []struct {
		req    *pledgev1.ExportImplementationReportRequest
		code   codes.Code
		fields []string
	}{
		{&pledgev1.ExportImplementationReportRequest{Name: "districts/gwangsan", Format: "csv"}, codes.InvalidArgument, []string{"name"}},
		{&pledgev1.ExportImplementationReportRequest{Name: "districts/gwangsan/implementationReport", Term: -1, Format: "pdf"}, codes.InvalidArgument, []string{"format", "term"}},
		{&pledgev1.ExportImplementationReportRequest{Name: "districts/gwangsan/implementationReport", Format: "xlsx",
			AsOfDate: day(int32(tomorrow.Year()), int32(tomorrow.Month()), int32(tomorrow.Day()))}, codes.InvalidArgument, []string{"as_of_date"}},
		{&pledgev1.ExportImplementationReportRequest{Name: "districts/gwangsan/implementationReport", Format: "xlsx",
			StartDate: on("2020-01-01"), AsOfDate: on("2019-12-31")}, codes.InvalidArgument, []string{"as_of_date"}},
		{&pledgev1.ExportImplementationReportRequest{Name: "districts/gwangsan/implementationReport", Format: "csv",
			StartDate: day(2020, 2, 30), AsOfDate: day(2020, 13, 1)}, codes.InvalidArgument, []string{"as_of_date", "start_date"}},
		// 민선 7기 began 2018-07-01.
		{&pledgev1.ExportImplementationReportRequest{Name: "districts/gwangsan/implementationReport", Term: 7, Format: "csv",
			AsOfDate: on("2018-06-30")}, codes.InvalidArgument, []string{"as_of_date"}},
		{&pledgev1.ExportImplementationReportRequest{Name: "districts/gwangsan/implementationReport", Term: 5, Format: "csv"}, codes.InvalidArgument, []string{"term"}},
		{&pledgev1.ExportImplementationReportRequest{Name: "districts/nowhere/implementationReport", Format: "csv"}, codes.NotFound, nil},
	} {
		_, err := st.reports.ExportImplementationReport(ctx, tt.req)
		if got := violated(wantStatus(t, err, tt.code)); !gocmp.Equal(got, tt.fields) {
			t.Errorf("%v: violations %v, want %v", tt.req, got, tt.fields)
		}
		if tt.req.GetFormat() == "pdf" {
			continue
		}
		_, err = st.reports.GetImplementationReport(ctx, &pledgev1.GetImplementationReportRequest{Name: tt.req.GetName(), Term: tt.req.GetTerm(),
			StartDate: tt.req.GetStartDate(), AsOfDate: tt.req.GetAsOfDate()})
		if got := violated(wantStatus(t, err, tt.code)); !gocmp.Equal(got, tt.fields) {
			t.Errorf("get %v: violations %v, want %v", tt.req, got, tt.fields)
		}
	}
}

// TestAKeptReportShowsEveryWriteMadeAfterIt asks for the same report
// again and again, as a ministry's client does, with a write between each
// to a table each of its sections is computed from: what this service and
// the budget and indicator services keep of it never hides a write.
func TestAKeptReportShowsEveryWriteMadeAfterIt(t *testing.T) {
	st := newSuite(t)
	h := seedHistory(t, st)
	ctx := context.Background()
	get := func() *pledgev1.DistrictImplementation {
		t.Helper()
		r, err := st.reports.GetImplementationReport(ctx, &pledgev1.GetImplementationReportRequest{Name: "districts/-/implementationReport", Term: 7})
		if err != nil {
			t.Fatal(err)
		}
		return r.GetTotal()
	}
	before := get()
	if again := get(); !proto.Equal(before, again) {
		t.Fatalf("the same report asked twice differs:\n%v\n%v", before, again)
	}

	st.changeStatus(t, h.late, completed, "2022-06-01")
	after := get()
	if after.GetStatuses().GetCompleted() != before.GetStatuses().GetCompleted()+1 || after.GetStatusChanges() != before.GetStatusChanges() {
		t.Errorf("after a pledge was completed: %v, before: %v", after.GetStatuses(), before.GetStatuses())
	}

	st.addBudget(t, h.river)
	withMoney := get()
	if got, want := withMoney.GetMoneyTotal().GetAmounts().GetPlannedWon(), after.GetMoneyTotal().GetAmounts().GetPlannedWon()+195_500_000; got != want {
		t.Errorf("after a plan of ₩195,500,000 was written the report plans ₩%d, want ₩%d", got, want)
	}

	list, err := st.indicators.ListIndicators(ctx, &indicatorv1.ListIndicatorsRequest{Parent: h.card})
	if err != nil || len(list.GetIndicators()) == 0 {
		t.Fatalf("the card's indicators: %v %v", list, err)
	}
	gone := list.GetIndicators()[0]
	if _, err := st.indicators.DeleteIndicator(ctx, &indicatorv1.DeleteIndicatorRequest{Name: gone.GetName(), Etag: gone.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	entries := func(d *pledgev1.DistrictImplementation) int32 {
		i := d.GetIndicators()
		return i.GetMeasuredEntries() + i.GetNoDataEntries() + i.GetNotYetDueEntries()
	}
	if got, want := entries(get()), entries(withMoney)-int32(len(gone.GetEntries())); got != want || len(gone.GetEntries()) == 0 {
		t.Errorf("after an indicator of %d entries was deleted the report counts %d entries, want %d", len(gone.GetEntries()), got, want)
	}
}
