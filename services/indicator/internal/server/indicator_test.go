package server_test

import (
	"context"
	"fmt"
	"testing"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

const (
	quantitative = indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE
	qualitative  = indicatorv1.IndicatorKind_INDICATOR_KIND_QUALITATIVE
	measured     = indicatorv1.AchievementState_ACHIEVEMENT_STATE_MEASURED
	noData       = indicatorv1.AchievementState_ACHIEVEMENT_STATE_NO_DATA
	notYetDue    = indicatorv1.AchievementState_ACHIEVEMENT_STATE_NOT_YET_DUE
)

// cardIndicator is the Gwangsan card's only indicator, as the card writes
// it: qualitative targets and actuals for 2018–2020, 2021 and 2022 empty.
func cardIndicator() *indicatorv1.Indicator {
	return &indicatorv1.Indicator{
		Title: "광산구정혁신 TF 운영",
		Kind:  qualitative,
		Entries: []*indicatorv1.YearEntry{
			{Year: 2018, Target: txt("TF 운영 계획 수립"), Actual: txt("광산구정혁신 TF 운영 기본계획 수립")},
			{Year: 2019, Target: txt("제도 마련"), Actual: txt("조례 제정 ('19.09.)")},
			{Year: 2020, Target: txt("TF 운영"), Actual: txt("TF구성(시민행복위원회, 정책기획단 등 50명) · 정부혁신 최우수 선정")},
		},
	}
}

// strip drops what the server fills in.
func strip(i *indicatorv1.Indicator) *indicatorv1.Indicator {
	i = proto.Clone(i).(*indicatorv1.Indicator)
	i.Name, i.Etag, i.CreateTime, i.UpdateTime, i.Achievement, i.Term, i.Position = "", "", nil, nil, nil, 0, 0
	for _, e := range i.Entries {
		e.Achievement = nil
	}
	return i
}

func TestTheCardsIndicatorHasNoDataUntilAssessed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	created, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.Card, Indicator: cardIndicator()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.indicators.GetIndicator(ctx, &indicatorv1.GetIndicatorRequest{Name: created.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cardIndicator(), strip(got), protocmp.Transform()); diff != "" {
		t.Errorf("read back differs (-want +got):\n%s", diff)
	}
	if a := got.GetAchievement(); a.GetState() != noData || a.GetPercent() != "" || a.GetNoData() != 3 {
		t.Errorf("an unassessed indicator's achievement = %v; want no data, not zero", a)
	}
	for _, entry := range got.GetEntries() {
		if entry.GetAchievement().GetState() != noData || entry.GetAchievement().GetPercent() != "" {
			t.Errorf("%d: %v", entry.GetYear(), entry.GetAchievement())
		}
	}
	pa, err := e.indicators.GetPledgeAchievement(ctx, &indicatorv1.GetPledgeAchievementRequest{Name: e.pledges.Card + "/achievement"})
	if err != nil {
		t.Fatal(err)
	}
	if pa.GetAchievement().GetState() != noData || pa.GetAchievement().GetPercent() != "" || len(pa.GetIndicators()) != 1 {
		t.Errorf("pledge achievement = %v", pa)
	}

	// Assessed: achieved, achieved, partly = (100 + 100 + 50) / 3.
	assessed := cardIndicator()
	assessed.Name, assessed.Etag = got.GetName(), got.GetEtag()
	for i, a := range []indicatorv1.Assessment{indicatorv1.Assessment_ASSESSMENT_ACHIEVED, indicatorv1.Assessment_ASSESSMENT_ACHIEVED, indicatorv1.Assessment_ASSESSMENT_PARTLY_ACHIEVED} {
		assessed.Entries[i].Assessment = a
	}
	got, err = e.indicators.UpdateIndicator(ctx, &indicatorv1.UpdateIndicatorRequest{Indicator: assessed, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"entries"}}})
	if err != nil {
		t.Fatal(err)
	}
	if a := got.GetAchievement(); a.GetState() != measured || a.GetPercent() != "83.33" || a.GetMeasured() != 3 {
		t.Errorf("assessed indicator = %v, want 83.33", a)
	}
	pa, _ = e.indicators.GetPledgeAchievement(ctx, &indicatorv1.GetPledgeAchievementRequest{Name: e.pledges.Card + "/achievement"})
	if pa.GetAchievement().GetPercent() != "83.33" {
		t.Errorf("pledge achievement = %v", pa.GetAchievement())
	}
}

// TestQuantitativeAchievement checks the formula on numbers, both
// directions, the cap, zeros, and the years that cannot be measured.
// TestNothingToMeasureIsNoDataNotNotYetDue reads a pledge without
// indicators and an indicator without entries: neither has anything that
// could still fall due, so both report no data with no percent.
func TestNothingToMeasureIsNoDataNotNotYetDue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pa, err := e.indicators.GetPledgeAchievement(ctx, &indicatorv1.GetPledgeAchievementRequest{Name: e.pledges.Card + "/achievement"})
	if err != nil {
		t.Fatal(err)
	}
	if a := pa.GetAchievement(); a.GetState() != noData || a.GetPercent() != "" || len(pa.GetIndicators()) != 0 {
		t.Errorf("a pledge without indicators: %v", pa)
	}
	empty, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.Card, Indicator: &indicatorv1.Indicator{
		Title: "주민참여 예산 제안 건수", Kind: quantitative, Unit: "건"}})
	if err != nil {
		t.Fatal(err)
	}
	if a := empty.GetAchievement(); a.GetState() != noData || a.GetPercent() != "" || a.GetMeasured()+a.GetNoData()+a.GetNotYetDue() != 0 {
		t.Errorf("an indicator without entries: %v", a)
	}
	got, err := e.indicators.GetIndicator(ctx, &indicatorv1.GetIndicatorRequest{Name: empty.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if a := got.GetAchievement(); a.GetState() != noData || a.GetPercent() != "" {
		t.Errorf("an indicator without entries, read back: %v", a)
	}
	pa, err = e.indicators.GetPledgeAchievement(ctx, &indicatorv1.GetPledgeAchievementRequest{Name: e.pledges.Card + "/achievement"})
	if err != nil {
		t.Fatal(err)
	}
	if a := pa.GetAchievement(); a.GetState() != noData || a.GetPercent() != "" || a.GetNoData() != 1 || len(pa.GetIndicators()) != 1 ||
		pa.GetIndicators()[0].GetAchievement().GetState() != noData {
		t.Errorf("a pledge whose one indicator has no entries: %v", pa)
	}
}

func TestQuantitativeAchievement(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	higher, lower := indicatorv1.Direction_DIRECTION_HIGHER_IS_BETTER, indicatorv1.Direction_DIRECTION_LOWER_IS_BETTER
	type year struct {
		year           int32
		target, actual string
		state          indicatorv1.AchievementState
		percent        string
	}
	tests := []struct {
		name      string
		direction indicatorv1.Direction
		years     []year
		state     indicatorv1.AchievementState
		percent   string
	}{
		{"more participants", higher, []year{
			{2021, "50", "40", measured, "80.00"},
			{2022, "50", "60", measured, "100.00"}, // capped
			{2023, "0", "3", measured, "100.00"},   // a target of 0 is met
			{2024, "30", "10", measured, "33.33"},
			{2025, "30", "", noData, ""},     // passed, no actual
			{2026, "30", "", notYetDue, ""},  // the current year
			{2027, "30", "", notYetDue, ""},  // ahead
			{2020 + 8, "", "12", noData, ""}, // an actual without a target
		}, measured, "78.33"}, // (80 + 100 + 100 + 33.33…) / 4, unrounded parts
		{"fewer complaints", lower, []year{
			{2021, "10", "20", measured, "50.00"},
			{2022, "10", "5", measured, "100.00"},
			{2023, "3", "7", measured, "42.86"},
			{2024, "0", "0", measured, "100.00"},
			{2025, "10", "12.5", measured, "80.00"},
		}, measured, "74.57"},
		{"nothing due yet", higher, []year{{2026, "10", "", notYetDue, ""}, {2027, "10", "", notYetDue, ""}}, notYetDue, ""},
		{"nothing reported", higher, []year{{2022, "10", "", noData, ""}}, noData, ""},
	}
	var names []string
	for n, tt := range tests {
		ind := &indicatorv1.Indicator{Title: tt.name, Kind: quantitative, Direction: tt.direction, Unit: "건"}
		for _, y := range tt.years {
			entry := &indicatorv1.YearEntry{Year: y.year}
			if y.target != "" {
				entry.Target = num(y.target)
			}
			if y.actual != "" {
				entry.Actual = num(y.actual)
			}
			ind.Entries = append(ind.Entries, entry)
		}
		got, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.AfterTerm, Indicator: ind, IndicatorId: fmt.Sprintf("q%d", n)})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		names = append(names, got.GetName())
		for i, y := range tt.years {
			a := got.GetEntries()[i].GetAchievement()
			if a.GetState() != y.state || a.GetPercent() != y.percent {
				t.Errorf("%s %d (target %q, actual %q): %v %q, want %v %q", tt.name, y.year, y.target, y.actual, a.GetState(), a.GetPercent(), y.state, y.percent)
			}
		}
		if a := got.GetAchievement(); a.GetState() != tt.state || a.GetPercent() != tt.percent {
			t.Errorf("%s: indicator %v %q, want %v %q", tt.name, a.GetState(), a.GetPercent(), tt.state, tt.percent)
		}
	}
	// The pledge averages its two measured indicators; the others are
	// counted beside the average, not as zero in it.
	pa, err := e.indicators.GetPledgeAchievement(ctx, &indicatorv1.GetPledgeAchievementRequest{Name: e.pledges.AfterTerm + "/achievement"})
	if err != nil {
		t.Fatal(err)
	}
	if a := pa.GetAchievement(); a.GetState() != measured || a.GetPercent() != "76.45" || a.GetMeasured() != 2 || a.GetNoData() != 1 || a.GetNotYetDue() != 1 {
		t.Errorf("pledge achievement = %v; want 76.45 from two measured, one with no data, one not yet due", a)
	}
	if len(pa.GetIndicators()) != 4 || pa.GetIndicators()[0].GetIndicator() != names[0] {
		t.Errorf("pledge parts = %v", pa.GetIndicators())
	}
}

func TestBadIndicatorsAreRefusedNamingTheFieldAndNothingIsWritten(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ok, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.Card, Indicator: cardIndicator()})
	if err != nil {
		t.Fatal(err)
	}
	quant := func(change func(i *indicatorv1.Indicator)) *indicatorv1.Indicator {
		i := &indicatorv1.Indicator{Title: "참여 시민 수", Kind: quantitative, Unit: "명", Entries: []*indicatorv1.YearEntry{
			{Year: 2019, Target: num("100"), Actual: num("120")}, {Year: 2020, Target: num("150")},
		}}
		change(i)
		return i
	}
	qual := func(change func(i *indicatorv1.Indicator)) *indicatorv1.Indicator {
		i := cardIndicator()
		change(i)
		return i
	}
	tests := []struct {
		name   string
		ind    *indicatorv1.Indicator
		fields []string
	}{
		{"a number for a qualitative indicator", qual(func(i *indicatorv1.Indicator) { i.Entries[1].Actual = num("1") }), []string{"indicator.entries[1].actual"}},
		{"text for a quantitative indicator", quant(func(i *indicatorv1.Indicator) { i.Entries[0].Target = txt("백 명") }), []string{"indicator.entries[0].target"}},
		{"two entries for one year", quant(func(i *indicatorv1.Indicator) { i.Entries[1].Year = 2019 }), []string{"indicator.entries[1].year"}},
		{"a year outside the term", qual(func(i *indicatorv1.Indicator) { i.Entries[2].Year = 2023 }), []string{"indicator.entries[2].year"}},
		{"a unit that changes between years", quant(func(i *indicatorv1.Indicator) { i.Entries[1].Unit = "건" }), []string{"indicator.entries[1].unit"}},
		{"an assessment of numbers", quant(func(i *indicatorv1.Indicator) { i.Entries[0].Assessment = indicatorv1.Assessment_ASSESSMENT_ACHIEVED }), []string{"indicator.entries[0].assessment"}},
		{"a negative number", quant(func(i *indicatorv1.Indicator) { i.Entries[0].Actual = num("-5") }), []string{"indicator.entries[0].actual"}},
		{"a float-looking number", quant(func(i *indicatorv1.Indicator) { i.Entries[0].Actual = num("1e3") }), []string{"indicator.entries[0].actual"}},
		{"no kind", quant(func(i *indicatorv1.Indicator) { i.Kind = 0 }), []string{"indicator.kind"}},
		{"a unit on a qualitative indicator", qual(func(i *indicatorv1.Indicator) { i.Unit = "건" }), []string{"indicator.unit"}},
		{"no title and a bad baseline", quant(func(i *indicatorv1.Indicator) { i.Title = ""; i.Baseline = txt("없음") }), []string{"indicator.baseline", "indicator.title"}},
	}
	before := snapshot(t, e.pool)
	for _, tt := range tests {
		_, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.Card, Indicator: tt.ind})
		if status.Code(err) != codes.InvalidArgument || !cmp.Equal(violated(err), tt.fields) {
			t.Errorf("%s: %v, violations %v; want %v", tt.name, err, violated(err), tt.fields)
		}
	}
	// The same on update, and a stale etag.
	bad := qual(func(i *indicatorv1.Indicator) { i.Entries[0].Target = num("3") })
	bad.Name, bad.Etag = ok.GetName(), ok.GetEtag()
	_, err = e.indicators.UpdateIndicator(ctx, &indicatorv1.UpdateIndicatorRequest{Indicator: bad})
	if !cmp.Equal(violated(err), []string{"indicator.entries[0].target"}) {
		t.Errorf("update with a number: %v", err)
	}
	_, err = e.indicators.UpdateIndicator(ctx, &indicatorv1.UpdateIndicatorRequest{Indicator: &indicatorv1.Indicator{Name: ok.GetName(), Etag: "stale", Title: "x"}})
	if status.Code(err) != codes.Aborted {
		t.Errorf("a stale etag: %v", err)
	}
	_, err = e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: "districts/gwangsan/pledges/nothing", Indicator: cardIndicator()})
	if status.Code(err) != codes.NotFound {
		t.Errorf("an unknown pledge: %v", err)
	}
	if after := snapshot(t, e.pool); after != before {
		t.Error("refused requests changed the indicator schema")
	}
}

func TestCreateRetriedOnceAndDeleteWithEtag(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.Card, Indicator: cardIndicator(), RequestId: "retry-1"}
	first, err := e.indicators.CreateIndicator(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.indicators.CreateIndicator(ctx, req)
	if err != nil || again.GetName() != first.GetName() {
		t.Fatalf("retry: %v, %s vs %s", err, again.GetName(), first.GetName())
	}
	list, err := e.indicators.ListIndicators(ctx, &indicatorv1.ListIndicatorsRequest{Parent: e.pledges.Card})
	if err != nil || len(list.GetIndicators()) != 1 {
		t.Fatalf("after a retry: %v, %d indicators", err, len(list.GetIndicators()))
	}
	if _, err := e.indicators.DeleteIndicator(ctx, &indicatorv1.DeleteIndicatorRequest{Name: first.GetName(), Etag: "stale"}); status.Code(err) != codes.Aborted {
		t.Errorf("delete with a stale etag: %v", err)
	}
	if _, err := e.indicators.DeleteIndicator(ctx, &indicatorv1.DeleteIndicatorRequest{Name: first.GetName(), Etag: first.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.indicators.GetIndicator(ctx, &indicatorv1.GetIndicatorRequest{Name: first.GetName()}); status.Code(err) != codes.NotFound {
		t.Errorf("get after delete: %v", err)
	}
}

func TestSummariesReportAchievementAndOverdueReporting(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	assessed := cardIndicator()
	assessed.Entries[0].Assessment = indicatorv1.Assessment_ASSESSMENT_ACHIEVED
	assessed.Entries = append(assessed.Entries, &indicatorv1.YearEntry{Year: 2021, Target: txt("TF 운영")})
	if _, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.Card, Indicator: assessed}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.AfterTerm, Indicator: &indicatorv1.Indicator{
		Title: "방문객", Kind: quantitative, Unit: "명", Entries: []*indicatorv1.YearEntry{
			{Year: 2024, Target: num("1000"), Actual: num("500")},
			{Year: 2025, Target: num("1000")},
			{Year: 2027, Target: num("1000")},
		}}}); err != nil {
		t.Fatal(err)
	}
	resp, err := e.indicators.SummarizeIndicators(ctx, &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/gwangsan", GroupBy: []string{"term"}})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, r := range resp.GetRows() {
		rows = append(rows, fmt.Sprintf("t%d m%d n%d d%d %s o%d", r.GetTerm(), r.GetMeasuredEntries(), r.GetNoDataEntries(), r.GetNotYetDueEntries(), r.GetMeanAchievement(), r.GetOverdueIndicators()))
	}
	// 민선 7기: 2018 assessed (100); 2019, 2020 unassessed; 2021 without an
	// actual, overdue. 민선 8기: 2024 at 50; 2025 without an actual,
	// overdue; 2027 not yet due.
	want := []string{"t7 m1 n3 d0 100.00 o1", "t8 m1 n1 d1 50.00 o1"}
	if !cmp.Equal(rows, want) {
		t.Errorf("by term: %v, want %v", rows, want)
	}
	if tot := resp.GetTotal(); tot.GetMeanAchievement() != "75.00" || tot.GetOverdueIndicators() != 2 {
		t.Errorf("total = %v", tot)
	}
	resp, err = e.indicators.SummarizeIndicators(ctx, &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/-", GroupBy: []string{"district", "year"}, Filter: "year >= 2021"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetRows()) != 4 || resp.GetRows()[0].GetDistrict() != "districts/gwangsan" || resp.GetRows()[0].GetYear() != 2021 || resp.GetRows()[0].GetOverdueIndicators() != 1 {
		t.Errorf("by district and year from 2021: %v", resp.GetRows())
	}
}

// TestAnIndicatorMissingSeveralYearsIsOverdueOnce: 참여자 went through 2023
// and 2024 without an actual, 방문객 through 2025. Each is one overdue
// indicator in its term and in the total, though a year at a time they are
// overdue in three rows.
func TestAnIndicatorMissingSeveralYearsIsOverdueOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, i := range []*indicatorv1.Indicator{
		{Title: "참여자", Kind: quantitative, Unit: "명", Entries: []*indicatorv1.YearEntry{
			{Year: 2023, Target: num("100")},
			{Year: 2024, Target: num("100")},
			{Year: 2025, Target: num("100"), Actual: num("100")},
		}},
		{Title: "방문객", Kind: quantitative, Unit: "명", Entries: []*indicatorv1.YearEntry{
			{Year: 2024, Target: num("1000"), Actual: num("500")},
			{Year: 2025, Target: num("1000")},
		}},
	} {
		if _, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.AfterTerm, Indicator: i}); err != nil {
			t.Fatal(err)
		}
	}
	summarize := func(groupBy ...string) ([]string, string) {
		t.Helper()
		resp, err := e.indicators.SummarizeIndicators(ctx, &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/-", GroupBy: groupBy})
		if err != nil {
			t.Fatal(err)
		}
		row := func(r *indicatorv1.IndicatorSummary) string {
			return fmt.Sprintf("%s t%d y%d m%d n%d d%d %s o%d", r.GetDistrict(), r.GetTerm(), r.GetYear(), r.GetMeasuredEntries(),
				r.GetNoDataEntries(), r.GetNotYetDueEntries(), r.GetMeanAchievement(), r.GetOverdueIndicators())
		}
		var rows []string
		for _, r := range resp.GetRows() {
			rows = append(rows, row(r))
		}
		return rows, row(resp.GetTotal())
	}
	const total = " t0 y0 m2 n3 d0 75.00 o2"
	for _, c := range []struct {
		groupBy []string
		want    []string
	}{
		{[]string{"district", "term"}, []string{"districts/gwangsan t8 y0 m2 n3 d0 75.00 o2"}},
		{[]string{"year"}, []string{" t0 y2023 m0 n1 d0  o1", " t0 y2024 m1 n1 d0 50.00 o1", " t0 y2025 m1 n1 d0 100.00 o1"}},
		{nil, []string{total}},
	} {
		rows, tot := summarize(c.groupBy...)
		if !cmp.Equal(rows, c.want) || tot != total {
			t.Errorf("by %v: %q, total %q; want %q, total %q", c.groupBy, rows, tot, c.want, total)
		}
	}
}
