package scalegen

import (
	"testing"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"google.golang.org/protobuf/proto"
)

var today = Day(2026, 11, 29)

func plan(t *testing.T, districts, pledges int) *Plan {
	t.Helper()
	p, err := New(Config{Seed: 12, Districts: districts, Pledges: pledges, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestASeedMakesTheSameDataDistrictByDistrict: a small plan is the start
// of the full one, and another seed makes other data.
func TestASeedMakesTheSameDataDistrictByDistrict(t *testing.T) {
	small, full := plan(t, 5, 20), plan(t, MaxDistricts, 20)
	for i := range 5 {
		a, b := small.District(i), full.District(i)
		if a.ID != b.ID || !proto.Equal(a.District, b.District) || len(a.Pledges) != len(b.Pledges) ||
			!proto.Equal(a.Pledges[7].Pledge, b.Pledges[7].Pledge) || !proto.Equal(a.Pledges[7].Budget, b.Pledges[7].Budget) {
			t.Errorf("district %d differs between 5 and 243 districts", i)
		}
	}
	other, err := New(Config{Seed: 13, Districts: 5, Pledges: 20, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if proto.Equal(other.District(0).Pledges[0].Budget, small.District(0).Pledges[0].Budget) {
		t.Error("another seed made the same plan")
	}
}

// TestTheDistrictsAreKoreasLocalGovernmentsInShape: 243 of them with
// ids and names of their own, in the 17 metropolitan governments, 자치구
// only under a 특별시 or 광역시.
func TestTheDistrictsAreKoreasLocalGovernmentsInShape(t *testing.T) {
	p := plan(t, MaxDistricts, 1)
	ids, names, inMetro := map[string]bool{}, map[string]bool{}, map[string]int{}
	for i := range MaxDistricts {
		d := p.District(i)
		if !resourceid.Valid(d.ID) || ids[d.ID] || names[d.District.GetDisplayName()] {
			t.Errorf("district %d: id %q, name %q: not a valid id, or not its own", i, d.ID, d.District.GetDisplayName())
		}
		ids[d.ID], names[d.District.GetDisplayName()] = true, true
		mg := d.District.GetMetropolitanGovernment()
		inMetro[mg]++
		if d.District.GetKind() == pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT && mg[len(mg)-len("시"):] != "시" {
			t.Errorf("a 자치구 under %s", mg)
		}
		if d.District.GetCurrentTerm() != 8 || len(d.District.GetTerms()) != 2 || d.District.GetTerms()[1].GetStartDate().GetYear() != 2022 {
			t.Errorf("terms of %s: %v", d.ID, d.District.GetTerms())
		}
	}
	if len(inMetro) != 17 || inMetro["서울특별시"] != 26 || inMetro["경기도"] != 32 || inMetro["세종특별자치시"] != 1 {
		t.Errorf("districts by metropolitan government: %v", inMetro)
	}
	first := map[string]bool{}
	for i := range 5 {
		first[p.District(i).District.GetMetropolitanGovernment()] = true
	}
	if len(first) != 5 {
		t.Errorf("the first five districts lie in %d metropolitan governments, want 5 different", len(first))
	}
}

// TestHistoriesLieInTheirTermBeforeToday: 2 to 4 changes, in order, each
// to another status (the first from 정상추진, as pledges are created),
// none on or after today.
func TestHistoriesLieInTheirTermBeforeToday(t *testing.T) {
	p := plan(t, 3, 150)
	late := 0
	for i := range 3 {
		for _, pl := range p.District(i).Pledges {
			if pl.Deleted {
				if pl.History != nil || pl.Budget != nil || pl.Indicators != nil {
					t.Errorf("%s: a deleted pledge with something under it", pl.ID)
				}
				continue
			}
			term := Term8
			if pl.Pledge.GetTerm() == 7 {
				term = Term7
			}
			h := pl.History
			if len(h) < 2 || len(h) > 4 {
				t.Errorf("%s: %d changes", pl.ID, len(h))
			}
			for n, s := range h {
				if s.Effective.Before(term.Start) || s.Effective.After(term.End) || !s.Effective.Before(today) ||
					n > 0 && (!h[n-1].Effective.Before(s.Effective) || h[n-1].Status == s.Status) ||
					n == 0 && s.Status == pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK {
					t.Errorf("%s: change %d %v on %v", pl.ID, n, s.Status, s.Effective)
				}
			}
			if h[0].Effective.After(p.Config().AsOfDate) {
				late++
			}
		}
	}
	if late == 0 || late > 45 {
		t.Errorf("%d of 450 pledges start after the period; want a few", late)
	}
}

// TestRatesAreRoundedHalfUpWithTwoDecimals as PostgreSQL's round does.
func TestRatesAreRoundedHalfUpWithTwoDecimals(t *testing.T) {
	for _, tt := range []struct {
		part, whole int64
		want        string
	}{
		{1, 3, "33.33"}, {2, 3, "66.67"}, {1, 8, "12.50"}, {1, 800, "0.13"}, {1, 1600, "0.06"}, {0, 5, "0.00"},
		{5, 5, "100.00"}, {7, 0, ""}, {123_456_789_000, 123_456_789_000, "100.00"}, {2, 1, "200.00"},
	} {
		if got := Percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("Percent(%d, %d) = %q, want %q", tt.part, tt.whole, got, tt.want)
		}
	}
}

// TestAchievementIsJudgedAsTheIndicatorServiceJudgesIt: each state, the
// mean of the measured years, overdue reporting.
func TestAchievementIsJudgedAsTheIndicatorServiceJudgesIt(t *testing.T) {
	num := func(s string) *indicatorv1.Measure {
		return &indicatorv1.Measure{Value: &indicatorv1.Measure_Number{Number: s}}
	}
	txt := func(s string) *indicatorv1.Measure {
		return &indicatorv1.Measure{Value: &indicatorv1.Measure_Text{Text: s}}
	}
	f := IndicatorFigures{sum: newFigures().Indicators.sum}
	f.count(&indicatorv1.Indicator{Kind: indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE, Entries: []*indicatorv1.YearEntry{
		{Year: 2023, Target: num("100"), Actual: num("80")}, // 80
		{Year: 2024, Target: num("3"), Actual: num("4")},    // 100, capped
		{Year: 2025, Target: num("100")},                    // no data: overdue
		{Year: 2026, Target: num("100")},                    // not yet due
	}}, 2026)
	f.count(&indicatorv1.Indicator{Kind: indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE, Direction: indicatorv1.Direction_DIRECTION_LOWER_IS_BETTER,
		Entries: []*indicatorv1.YearEntry{
			{Year: 2023, Target: num("2"), Actual: num("3")}, // 66.66…
			{Year: 2024, Target: num("2"), Actual: num("0")}, // 100
		}}, 2026)
	f.count(&indicatorv1.Indicator{Kind: indicatorv1.IndicatorKind_INDICATOR_KIND_QUALITATIVE, Entries: []*indicatorv1.YearEntry{
		{Year: 2024, Target: txt("a"), Actual: txt("b"), Assessment: indicatorv1.Assessment_ASSESSMENT_PARTLY_ACHIEVED}, // 50
		{Year: 2025, Target: txt("a")}, // no data: overdue
		{Year: 2026, Target: txt("a"), Assessment: indicatorv1.Assessment_ASSESSMENT_NOT_YET_DUE},
	}}, 2026)
	fig := Figures{Indicators: f}
	fig.rates()
	// (80 + 100 + 66.666… + 100 + 50) ÷ 5 = 79.333…
	if f := fig.Indicators; f.Measured != 5 || f.NoData != 2 || f.NotYetDue != 2 || f.Overdue != 2 || f.MeanAchievement != "79.33" {
		t.Errorf("%+v", f)
	}
}
