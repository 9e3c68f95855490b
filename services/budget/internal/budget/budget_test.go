package budget

import (
	"reflect"
	"testing"

	"github.com/gongyak/gongyak/pkg/apierr"
)

// gwangsanPlan is the card's 연도별 투자계획: 구비 2.5, 3 and 3 백만원 in
// 2020–2022, '-' in 2018 and 2019.
func gwangsanPlan() Plan {
	return Plan{Lines: []Line{
		{Source: SourceLocal, Year: 2020, Planned: 2_500_000, Secured: 2_500_000, Executed: 2_400_000},
		{Source: SourceLocal, Year: 2021, Planned: 3_000_000, Secured: 3_000_000, Executed: 3_000_000},
		{Source: SourceLocal, Year: 2022, Planned: 3_000_000, Secured: 2_000_000},
	}}
}

type termYears struct{ first, last int }

func (y termYears) YearValid(year int) bool { return year >= y.first && year <= y.last }
func (y termYears) Years() string           { return "2018–2022" }

func TestTotalsAreTheCardsSums(t *testing.T) {
	p := gwangsanPlan()
	if err := p.Check("budget", termYears{2018, 2022}, District{Kind: 1, Metropolitan: "광주광역시"}); err != nil {
		t.Fatal(err)
	}
	tot := p.Totals()
	if tot.Total != (Amounts{Planned: 8_500_000, Secured: 7_500_000, Executed: 5_400_000}) {
		t.Errorf("total = %+v", tot.Total)
	}
	if len(tot.Sources) != 1 || tot.Sources[0].Label != "구비" || tot.Sources[0].Planned != 8_500_000 {
		t.Errorf("source totals = %+v", tot.Sources)
	}
	wantYears := []YearTotal{{2020, Amounts{2_500_000, 2_500_000, 2_400_000}}, {2021, Amounts{3_000_000, 3_000_000, 3_000_000}}, {2022, Amounts{3_000_000, 2_000_000, 0}}}
	if !reflect.DeepEqual(tot.Years, wantYears) {
		t.Errorf("year totals = %+v", tot.Years)
	}
	if !reflect.DeepEqual(tot.Shares, []Share{{Source: SourceLocal, Label: "구비", Percent: 100}}) {
		t.Errorf("shares = %+v, want 구 100", tot.Shares)
	}
	if r := tot.Total.SecuringRate(); r != "88.24" {
		t.Errorf("securing rate = %s, want 88.24 (7.5 / 8.5)", r)
	}
	if r := tot.Total.ExecutionRate(); r != "72.00" {
		t.Errorf("execution rate = %s, want 72.00 (5.4 / 7.5)", r)
	}
	c := Compare(RequiredBudget{Label: "8.5백만원(구 100)", Won: 8_500_000, Shares: []Share{{Source: SourceLocal, Percent: 100}}}, tot)
	if !c.Consistent || c.Difference != 0 {
		t.Errorf("the card's 8.5백만원(구 100) against the plan: %+v", c)
	}
	c = Compare(RequiredBudget{Label: "9백만원(구 100)", Won: 9_000_000, Shares: []Share{{Source: SourceLocal, Percent: 100}}}, tot)
	if c.Consistent || c.Difference != -500_000 || c.Explanation == "" {
		t.Errorf("a card stating 9백만원: %+v", c)
	}
}

func TestSharesAlwaysAddUpTo100(t *testing.T) {
	p := Plan{Lines: []Line{
		{Source: SourceNational, Year: 2020, Planned: 1},
		{Source: SourceMetropolitan, Year: 2020, Planned: 1},
		{Source: SourceLocal, Year: 2020, Planned: 1},
	}}
	sum := 0
	for _, s := range p.Totals().Shares {
		sum += s.Percent
	}
	if sum != 100 {
		t.Errorf("shares add up to %d", sum)
	}
	p = Plan{Lines: []Line{{Source: SourceNational, Year: 2020, Planned: 50}, {Source: SourceLocal, Year: 2021, Planned: 50}}}
	if got := p.Totals().Shares; got[0].Percent != 50 || got[1].Percent != 50 {
		t.Errorf("50/50 plan: %+v", got)
	}
}

func TestCheckNamesEveryBadLineAndField(t *testing.T) {
	p := Plan{AsOf: Date{2021, 2, 30}, Lines: []Line{
		{Source: SourceLocal, Year: 2020, Planned: -1},
		{Source: 9, Year: 2021},
		{Source: SourceLocal, Year: 2025, Planned: 1},
		{Source: SourceLocal, Year: 2020, Planned: 1},
		{Source: SourceNational, Year: 2021, Secured: 10, Executed: 11},
		{Source: SourceNational, Year: 2022, Secured: 10, Executed: 11, CarryOver: true},
		{Source: SourceMetropolitan, Year: 2022, Planned: MaxWon + 1, SourceLabel: "도비"},
	}}
	err := p.Check("budget", termYears{2018, 2022}, District{Kind: 3, Metropolitan: "전라남도"})
	var got []string
	for _, v := range err.(*apierr.Error).Violations {
		got = append(got, v.Field)
	}
	want := []string{"budget.as_of_date", "budget.lines[0].planned_won", "budget.lines[1].source", "budget.lines[2].year", "budget.lines[3]", "budget.lines[4].executed_won", "budget.lines[6].planned_won"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("violations = %v\nwant %v", got, want)
	}
	if p.Lines[4].SourceLabel != "국비" || p.Lines[6].SourceLabel != "도비" {
		t.Errorf("labels = %q, %q", p.Lines[4].SourceLabel, p.Lines[6].SourceLabel)
	}
}

func TestDefaultLabelsFollowTheDistrict(t *testing.T) {
	for _, tt := range []struct {
		s    Source
		d    District
		want string
	}{
		{SourceLocal, District{Kind: 1, Metropolitan: "광주광역시"}, "구비"},
		{SourceMetropolitan, District{Kind: 1, Metropolitan: "광주광역시"}, "시비"},
		{SourceLocal, District{Kind: 3, Metropolitan: "전라남도"}, "군비"},
		{SourceMetropolitan, District{Kind: 3, Metropolitan: "전라남도"}, "도비"},
		{SourceLocal, District{Kind: 2, Metropolitan: "경기도"}, "시비"},
		{SourceMetropolitan, District{Kind: 2, Metropolitan: "제주특별자치도"}, "도비"},
	} {
		if got := DefaultLabel(tt.s, tt.d); got != tt.want {
			t.Errorf("DefaultLabel(%d, %+v) = %q, want %q", tt.s, tt.d, got, tt.want)
		}
	}
}
