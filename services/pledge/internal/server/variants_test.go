package server_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
)

// TestACountyCardImportsIntoEveryServiceAndRendersBack imports a county's
// card (국가 · 도 · 군 levels, units in the indicators' titles, a plan that
// starts a year into the term) into a county, and renders it back with the
// card's rows: its marks, units, numbers and columns.
func TestACountyCardImportsIntoEveryServiceAndRendersBack(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	garam := &pledgev1.District{
		DisplayName: "가람군", Kind: pledgev1.DistrictKind_DISTRICT_KIND_COUNTY, MetropolitanGovernment: "전라남도",
		Terms:       []*pledgev1.Term{{Number: 8, DisplayName: "민선 8기", StartDate: day(2022, 7, 1), EndDate: day(2026, 6, 30)}},
		CurrentTerm: 8,
	}
	if _, err := st.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: "garam", District: garam}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../cardtext/testdata/county_units.txt")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := st.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/garam", CardText: string(raw), Term: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetWarnings()) != 0 || resp.GetBudgetLines() != 10 || resp.GetIndicators() != 2 {
		t.Errorf("import answered %v", resp)
	}
	card, err := st.pledges.GetPledgeCard(ctx, &pledgev1.GetPledgeCardRequest{Name: resp.GetPledge().GetName()})
	if err != nil {
		t.Fatal(err)
	}
	levels := []pledgev1.ImplementingLevel{pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_METROPOLITAN, pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_LOCAL}
	if got := card.GetPledge().GetImplementingLevels(); !cmp.Equal(got, levels) {
		t.Errorf("levels %v", got)
	}
	num := func(s string) *indicatorv1.Measure {
		return &indicatorv1.Measure{Value: &indicatorv1.Measure_Number{Number: s}}
	}
	quant := indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE
	// The indicator service stores the default direction, more is better.
	more := indicatorv1.Direction_DIRECTION_HIGHER_IS_BETTER
	want := []*indicatorv1.Indicator{
		{Title: "방문객 수", Kind: quant, Direction: more, Unit: "명", Entries: []*indicatorv1.YearEntry{
			{Year: 2024, Target: num("3000"), Actual: num("3120")}, {Year: 2025, Target: num("3500"), Actual: num("3480")}, {Year: 2026, Target: num("4000")},
		}},
		{Title: "재이용률", Kind: quant, Direction: more, Unit: "%", Entries: []*indicatorv1.YearEntry{
			{Year: 2024, Target: num("60"), Actual: num("62.5")}, {Year: 2025, Target: num("65"), Actual: num("66")}, {Year: 2026, Target: num("70")},
		}},
	}
	stored := protocmp.IgnoreFields(&indicatorv1.Indicator{}, "name", "etag", "create_time", "update_time", "achievement", "position", "term")
	if diff := cmp.Diff(want, card.GetIndicators(), protocmp.Transform(), stored,
		protocmp.IgnoreFields(&indicatorv1.YearEntry{}, "achievement")); diff != "" {
		t.Errorf("stored indicators (-want +got):\n%s", diff)
	}

	body, err := st.pledges.RenderPledgeCard(ctx, &pledgev1.RenderPledgeCardRequest{Name: resp.GetPledge().GetName(), Format: "text"})
	if err != nil {
		t.Fatal(err)
	}
	text := string(body.GetData())
	rendered := strings.Split(text, "\n")
	for _, row := range []string{
		"\t신규사업\t계속사업\t국가\t도\t군\t임기내\t임기후",
		"\t○\t\t\t○\t○\t○\t",
		"연도별/주요지표\t구 분\t2023년\t2024년\t2025년\t2026년",
		"방문객 수(명)\t목 표\t\t3,000\t3,500\t4,000",
		"\t실 적\t\t3,120\t3,480\t",
		"재이용률(%)\t목 표\t\t60\t65\t70",
		"\t실 적\t\t62.5\t66\t",
		"구 분(백만원)\t계\t2023년\t2024년\t2025년\t2026년",
		"국비\t1,400\t200\t600\t600\t",
		"도비\t700\t100\t300\t300\t",
		"군비\t1,400\t200\t600\t400\t200",
		"합계\t3,500\t500\t1,500\t1,300\t200",
	} {
		if !slices.Contains(rendered, row) {
			t.Errorf("the rendered card lacks the card's row %q", row)
		}
	}
	if t.Failed() {
		t.Logf("rendered:\n%s", text)
	}
}
