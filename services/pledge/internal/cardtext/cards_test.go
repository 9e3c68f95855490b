package cardtext

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// expectedCard is a testdata/*.expected.json: what a variant card holds,
// written by hand from the card's text. The proto parts are in protojson.
type expectedCard struct {
	Pledge     json.RawMessage   `json:"pledge"`
	Department string            `json:"department"`
	Related    []string          `json:"related"`
	StatusDate pledge.Date       `json:"status_date"`
	Budget     []json.RawMessage `json:"budget"`
	Indicators []json.RawMessage `json:"indicators"`
	Unread     map[string]string `json:"unread"`
	Warnings   []string          `json:"warnings"`
}

// loadExpected reads testdata/name.expected.json into the Card the parser
// must return.
func loadExpected(t *testing.T, name string) (*Card, []string) {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name + ".expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var e expectedCard
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s.expected.json: %v", name, err)
	}
	unmarshal := func(raw json.RawMessage, m proto.Message) {
		if err := protojson.Unmarshal(raw, m); err != nil {
			t.Fatalf("%s.expected.json: %v", name, err)
		}
	}
	card := &Card{Pledge: &pledgev1.Pledge{}, Department: e.Department, Related: e.Related, StatusDate: e.StatusDate, Unread: e.Unread}
	unmarshal(e.Pledge, card.Pledge)
	for _, b := range e.Budget {
		line := &budgetv1.BudgetLine{}
		unmarshal(b, line)
		card.Budget = append(card.Budget, line)
	}
	for _, i := range e.Indicators {
		ind := &indicatorv1.Indicator{}
		unmarshal(i, ind)
		card.Indicators = append(card.Indicators, ind)
	}
	if card.Unread == nil {
		card.Unread = map[string]string{}
	}
	return card, e.Warnings
}

func readCard(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// pledgeCardOf is what the server assembles for rendering a parsed card:
// the pledge with its departments named, in district d.
func pledgeCardOf(card *Card, d *pledgev1.District, validYears *pledgev1.YearRange) *pledgev1.PledgeCard {
	pl := proto.Clone(card.Pledge).(*pledgev1.Pledge)
	pl.ValidYears = validYears
	names := map[string]string{}
	pl.OwningDepartment = "departments/owner"
	names[pl.OwningDepartment] = card.Department
	for i, r := range card.Related {
		name := sprintf("departments/related-%d", i)
		pl.RelatedDepartments = append(pl.RelatedDepartments, name)
		names[name] = r
	}
	return &pledgev1.PledgeCard{
		Pledge: pl, District: d, DepartmentNames: names,
		Budget: &budgetv1.Budget{Lines: card.Budget}, Indicators: card.Indicators,
	}
}

// TestVariantCardsFromOtherDistricts reads cards written the ways other
// districts write them, compares every value with the hand-written
// expectation, renders each back and finds the card's own rows (numbers,
// units, columns) in the render, which reads back to the same values.
func TestVariantCardsFromOtherDistricts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     Options
		district *pledgev1.District
		// The term's years, which the render must not widen the plan's
		// columns to.
		validYears *pledgev1.YearRange
		// Lines of the card the render writes back as they are.
		rows []string
	}{{
		name:       "county_units",
		opts:       Options{DistrictKind: pledgev1.DistrictKind_DISTRICT_KIND_COUNTY},
		district:   &pledgev1.District{Kind: pledgev1.DistrictKind_DISTRICT_KIND_COUNTY, MetropolitanGovernment: "전라남도"},
		validYears: &pledgev1.YearRange{FirstYear: 2022, LastYear: 2026},
		rows: []string{
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
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			want, wantWarnings := loadExpected(t, tc.name)
			card, warnings := mustParse(t, readCard(t, tc.name), tc.opts)
			if diff := cmp.Diff(want, card, protocmp.Transform()); diff != "" {
				t.Errorf("the card reads differently from %s.expected.json (-want +got):\n%s", tc.name, diff)
			}
			var got []string
			for _, w := range warnings {
				got = append(got, w.String())
			}
			if len(got)+len(wantWarnings) > 0 && !cmp.Equal(wantWarnings, got) {
				t.Errorf("warnings: %q, want %q", got, wantWarnings)
			}

			text := Render(pledgeCardOf(card, tc.district, tc.validYears))
			rendered := strings.Split(text, "\n")
			var missing []string
			for _, row := range tc.rows {
				if !slices.Contains(rendered, row) {
					missing = append(missing, row)
				}
			}
			if len(missing) > 0 {
				t.Errorf("the render lacks the card's rows %q:\n%s", missing, text)
			}
			again, warnings := mustParse(t, text, tc.opts)
			if len(warnings) != 0 {
				t.Errorf("the render reads with warnings: %v", warnings)
			}
			if diff := cmp.Diff(card, again, protocmp.Transform()); diff != "" {
				t.Errorf("the render reads back differently (-card +render):\n%s", diff)
			}
		})
	}
}

// TestImplementingLevelsAsDistrictsWriteThem marks every level column of a
// type table labelled as a district writes it, and reads the levels.
func TestImplementingLevelsAsDistrictsWriteThem(t *testing.T) {
	const (
		national = pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_NATIONAL
		metro    = pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_METROPOLITAN
		local    = pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_LOCAL
	)
	for _, tc := range []struct {
		name    string
		columns string
		kind    pledgev1.DistrictKind
		want    []pledgev1.ImplementingLevel
	}{
		{"an autonomous district", "국가\t시도\t시군구", pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT, []pledgev1.ImplementingLevel{national, metro, local}},
		{"a county in a province", "국가\t도\t군", pledgev1.DistrictKind_DISTRICT_KIND_COUNTY, []pledgev1.ImplementingLevel{national, metro, local}},
		{"a city in a province: 시 is the city", "국가\t도\t시", pledgev1.DistrictKind_DISTRICT_KIND_CITY, []pledgev1.ImplementingLevel{national, metro, local}},
		{"a metropolitan city's district: 시 is the metropolitan city", "국가\t시\t구", pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT, []pledgev1.ImplementingLevel{national, metro, local}},
		{"a county in a metropolitan city: 시 is the metropolitan city", "국가\t시\t군", pledgev1.DistrictKind_DISTRICT_KIND_COUNTY, []pledgev1.ImplementingLevel{national, metro, local}},
		{"middle dots", "국가\t시·도\t시·군·구", pledgev1.DistrictKind_DISTRICT_KIND_COUNTY, []pledgev1.ImplementingLevel{national, metro, local}},
		{"Hangul middle dots and a slash", "국가\t시ㆍ도\t시/군/구", pledgev1.DistrictKind_DISTRICT_KIND_CITY, []pledgev1.ImplementingLevel{national, metro, local}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := "공약명\t제목\n\n유형별 공약현황\t사업유형\t\t사업주체\t\t\t완료시기\t\n" +
				"\t신규사업\t계속사업\t" + tc.columns + "\t임기내\t임기후\n" +
				"\t\t○\t○\t○\t○\t\t○\n"
			card, warnings := mustParse(t, text, Options{DistrictKind: tc.kind})
			if len(warnings) != 0 {
				t.Errorf("warnings: %v", warnings)
			}
			if got := card.Pledge.GetImplementingLevels(); !cmp.Equal(got, tc.want) {
				t.Errorf("levels %v, want %v", got, tc.want)
			}
			if card.Pledge.GetProjectType() != pledgev1.ProjectType_PROJECT_TYPE_CONTINUING || card.Pledge.GetCompletionTiming() != pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM {
				t.Errorf("type %v, timing %v", card.Pledge.GetProjectType(), card.Pledge.GetCompletionTiming())
			}
		})
	}
}

// TestRenderWritesUnitsAndNumbersAsTheCardDid renders indicators whose
// unit the card wrote in their cells or in their title, with numbers that
// need thousands separators or decimals.
func TestRenderWritesUnitsAndNumbersAsTheCardDid(t *testing.T) {
	num := func(s string) *indicatorv1.Measure {
		return &indicatorv1.Measure{Value: &indicatorv1.Measure_Number{Number: s}}
	}
	quant := indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE
	for _, tc := range []struct {
		name string
		ind  *indicatorv1.Indicator
		want []string
	}{
		{"the unit in every cell", &indicatorv1.Indicator{Title: "참여 시민 수", Kind: quant, Unit: "명", Entries: []*indicatorv1.YearEntry{
			{Year: 2020, Target: num("1000"), Actual: num("980"), Unit: "명"}, {Year: 2021, Target: num("12500"), Unit: "명"},
		}}, []string{"참여 시민 수\t목 표\t1,000명\t12,500명", "\t실 적\t980명\t"}},
		{"the unit in the title", &indicatorv1.Indicator{Title: "재이용률", Kind: quant, Unit: "%", Entries: []*indicatorv1.YearEntry{
			{Year: 2020, Target: num("60"), Actual: num("62.5")}, {Year: 2021, Target: num("65.25"), Actual: num("1234567.5")},
		}}, []string{"재이용률(%)\t목 표\t60\t65.25", "\t실 적\t62.5\t1,234,567.5"}},
		{"no unit, parentheses that are not one", &indicatorv1.Indicator{Title: "협약 건수(누적)", Kind: quant, Entries: []*indicatorv1.YearEntry{
			{Year: 2020, Target: num("3500")}, {Year: 2021, Target: num("4")},
		}}, []string{"협약 건수(누적)\t목 표\t3,500\t4"}},
		{"a unit per year in the title", &indicatorv1.Indicator{Title: "하루 이용객", Kind: quant, Unit: "명/일", Entries: []*indicatorv1.YearEntry{
			{Year: 2020, Target: num("1200")},
		}}, []string{"하루 이용객(명/일)\t목 표\t1,200"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := Render(&pledgev1.PledgeCard{Pledge: &pledgev1.Pledge{Title: "제목"}, Indicators: []*indicatorv1.Indicator{tc.ind}})
			rendered := strings.Split(text, "\n")
			for _, row := range tc.want {
				if !slices.Contains(rendered, row) {
					t.Errorf("the render lacks %q:\n%s", row, text)
				}
			}
			card, warnings := mustParse(t, text, gwangsan)
			if len(warnings) != 0 || len(card.Indicators) != 1 {
				t.Fatalf("the render reads as %d indicators, warnings %v", len(card.Indicators), warnings)
			}
			if diff := cmp.Diff(tc.ind, card.Indicators[0], protocmp.Transform()); diff != "" {
				t.Errorf("the render reads back differently (-rendered +read):\n%s", diff)
			}
		})
	}
}
