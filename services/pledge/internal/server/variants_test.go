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
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// TestVariantCountyCardImportsIntoEveryServiceAndRendersBack imports a county's
// card (국가 · 도 · 군 levels, units in the indicators' titles, a plan that
// starts a year into the term) into a county, and renders it back with the
// card's rows: its marks, units, numbers and columns.
func TestVariantCountyCardImportsIntoEveryServiceAndRendersBack(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	createEighthTerm(t, st, "garam", "가람군", pledgev1.DistrictKind_DISTRICT_KIND_COUNTY, "전라남도")
	resp, card := importVariant(t, st, "garam", "county_units")
	if len(resp.GetWarnings()) != 0 || resp.GetBudgetLines() != 10 || resp.GetIndicators() != 2 {
		t.Errorf("import answered %v", resp)
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
	hasRows(t, text, []string{
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
	})
	page, err := st.pledges.RenderPledgeCard(ctx, &pledgev1.RenderPledgeCardRequest{Name: resp.GetPledge().GetName(), Format: "html"})
	if err != nil {
		t.Fatal(err)
	}
	for _, cells := range []string{
		"<th>국가</th><th>도</th><th>군</th>",
		"<th>2023년</th><th>2024년</th><th>2025년</th>",
		`<td rowspan="2">방문객 수(명)</td><th>목 표</th><td></td><td>3,000</td><td>3,500</td><td>4,000</td>`,
		`<td rowspan="2">재이용률(%)</td><th>목 표</th><td></td><td>60</td><td>65</td><td>70</td>`,
		`<th>합계</th><td class="num">3,500</td><td class="num">500</td><td class="num">1,500</td><td class="num">1,300</td><td class="num">200</td>`,
	} {
		if !strings.Contains(string(page.GetData()), cells) {
			t.Errorf("the HTML card lacks the card's cells %s", cells)
		}
	}
}

// TestVariantSpacedCityCardImportsAndKeepsItsStatusDate imports a city's card
// whose tabs became spaces (its type marks, goals, indicators, budget and
// logs read from their layout) into a city, renders it back with its rows,
// and imports the card rendered with its status's date into another city,
// whose status history then dates the status as the card did.
func TestVariantSpacedCityCardImportsAndKeepsItsStatusDate(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	createEighthTerm(t, st, "narae", "나래시", pledgev1.DistrictKind_DISTRICT_KIND_CITY, "경기도")
	createEighthTerm(t, st, "narae-copy", "나래시", pledgev1.DistrictKind_DISTRICT_KIND_CITY, "경기도")
	resp, card := importVariant(t, st, "narae", "city_spaced")
	if len(resp.GetWarnings()) != 0 || resp.GetBudgetLines() != 5 || resp.GetIndicators() != 2 {
		t.Errorf("import answered %v", resp)
	}
	pl := card.GetPledge()
	goals := []*pledgev1.YearlyGoal{{Year: 2024, Goal: "대여소 20곳 설치"}, {Year: 2025, Goal: "대여소 40곳 확대 (역세권 10곳 포함)"}, {Year: 2026, Goal: "대여소 50곳과 정비센터 1곳"}}
	if diff := cmp.Diff(goals, pl.GetYearlyGoals(), protocmp.Transform()); diff != "" || pl.GetFinalGoal() != "공공자전거 1,000대 운영" {
		t.Errorf("final goal %q; goals (-card +stored):\n%s", pl.GetFinalGoal(), diff)
	}
	if log := pl.GetProgressLog(); len(log) != 3 || log[1].GetDate().GetLabel() != "'24. 11." || len(log[1].GetItems()) != 2 {
		t.Errorf("progress log: %v", log)
	}
	effective := func(name string) *date.Date {
		t.Helper()
		hist, err := st.pledges.ListStatusChanges(ctx, &pledgev1.ListStatusChangesRequest{Parent: name})
		if err != nil {
			t.Fatal(err)
		}
		changes := hist.GetStatusChanges()
		if len(changes) == 0 {
			t.Fatalf("%s has no status history", name)
		}
		return changes[len(changes)-1].GetEffectiveDate()
	}
	statusDate := effective(resp.GetPledge().GetName())
	if !proto.Equal(statusDate, day(2025, 3, 1)) {
		t.Errorf("the status took effect on %v, want 2025-03-01 ('25.3.)", statusDate)
	}

	body, err := st.pledges.RenderPledgeCard(ctx, &pledgev1.RenderPledgeCardRequest{Name: resp.GetPledge().GetName(), Format: "text"})
	if err != nil {
		t.Fatal(err)
	}
	hasRows(t, string(body.GetData()), []string{
		"\t신규사업\t계속사업\t국가\t도\t시\t임기내\t임기후",
		"\t\t○\t○\t\t○\t\t○",
		"공공자전거 1,000대 운영\t2024년\t대여소 20곳 설치",
		"\t2025년\t대여소 40곳 확대 (역세권 10곳 포함)",
		"재이용률(%)\t목 표\t\t40\t45\t50",
		"하루 대여 건수(건/일)\t목 표\t\t1,200\t2,500\t3,000",
		"시비\t840\t\t280\t360\t200",
		"'24. 11.\t○ 1단계 대여소 20곳 개통 ○ 이용 요금 조례 개정",
		"소요예산\t12억원(국 30, 시 70)\t추진상황\t일부추진('25. 3.)",
	})

	// The render dates the status as the history does: imported again,
	// the card records the change on the same day.
	again, err := st.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/narae-copy", CardText: string(body.GetData()), Term: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.GetWarnings()) != 0 {
		t.Errorf("the rendered card imports with warnings %v", again.GetWarnings())
	}
	if got := effective(again.GetPledge().GetName()); !proto.Equal(got, statusDate) {
		t.Errorf("imported from the render, the status took effect on %v, want %v", got, statusDate)
	}
}

// createEighthTerm creates a district whose current term is 민선 8기
// (2022-07-01 to 2026-06-30).
func createEighthTerm(t *testing.T, st *suite, id, name string, kind pledgev1.DistrictKind, metro string) {
	t.Helper()
	d := &pledgev1.District{
		DisplayName: name, Kind: kind, MetropolitanGovernment: metro,
		Terms:       []*pledgev1.Term{{Number: 8, DisplayName: "민선 8기", StartDate: day(2022, 7, 1), EndDate: day(2026, 6, 30)}},
		CurrentTerm: 8,
	}
	if _, err := st.districts.CreateDistrict(context.Background(), &pledgev1.CreateDistrictRequest{DistrictId: id, District: d}); err != nil {
		t.Fatal(err)
	}
}

// importVariant imports the variant card cardtext/testdata/name.txt into
// the district's eighth term and returns the import's answer and the card
// the services then assemble.
func importVariant(t *testing.T, st *suite, district, name string) (*pledgev1.ImportPledgeCardResponse, *pledgev1.PledgeCard) {
	t.Helper()
	ctx := context.Background()
	raw, err := os.ReadFile("../cardtext/testdata/" + name + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := st.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/" + district, CardText: string(raw), Term: 8})
	if err != nil {
		t.Fatal(err)
	}
	card, err := st.pledges.GetPledgeCard(ctx, &pledgev1.GetPledgeCardRequest{Name: resp.GetPledge().GetName()})
	if err != nil {
		t.Fatal(err)
	}
	return resp, card
}

// hasRows fails the test for each of the card's rows the rendered text
// lacks.
func hasRows(t *testing.T, text string, rows []string) {
	t.Helper()
	rendered := strings.Split(text, "\n")
	for _, row := range rows {
		if !slices.Contains(rendered, row) {
			t.Errorf("the rendered card lacks the card's row %q", row)
		}
	}
	if t.Failed() {
		t.Logf("rendered:\n%s", text)
	}
}
