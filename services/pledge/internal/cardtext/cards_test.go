package cardtext

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"regexp"
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
		name := fmt.Sprintf("departments/related-%d", i)
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
// expectation, renders each back as text and as HTML and finds the card's
// own rows (numbers, units, columns) in both renders; the text reads back
// to the same values, the status's date among them.
func TestVariantCardsFromOtherDistricts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     Options
		district *pledgev1.District
		// The term's years, which the render must not widen the plan's
		// columns to.
		validYears *pledgev1.YearRange
		// Rows of the card the renders write back as they are: the text
		// render as lines, the HTML render as table rows (leading cells
		// a rowspan holds aside, see htmlRows).
		rows []string
		// Rows the text render alone writes so: the logs, whose items
		// the HTML lists.
		textRows []string
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
			"담당부서\t환경산림과 생태관광팀\t관련부서\t관광문화과, 건설과",
			"소요예산\t3,500백만원(국 40, 도 20, 군 40)\t추진상황\t정상추진",
			"가람천 생태탐방로 4.2km 개통\t2023년\t기본 및 실시설계",
			"\t2026년\t전 구간 개통",
		},
		textRows: []string{
			"'24. 3.\t○ 1단계 구간 착공 - 관찰데크 2개소 포함",
		},
	}, {
		name:       "city_spaced",
		opts:       Options{DistrictKind: pledgev1.DistrictKind_DISTRICT_KIND_CITY},
		district:   &pledgev1.District{Kind: pledgev1.DistrictKind_DISTRICT_KIND_CITY, MetropolitanGovernment: "경기도"},
		validYears: &pledgev1.YearRange{FirstYear: 2022, LastYear: 2026},
		// The render writes tabs where the card had spaces.
		rows: []string{
			"\t신규사업\t계속사업\t국가\t도\t시\t임기내\t임기후",
			"\t\t○\t○\t\t○\t\t○",
			"소요예산\t12억원(국 30, 시 70)\t추진상황\t일부추진('25. 3.)",
			"연도별/주요지표\t구 분\t2023년\t2024년\t2025년\t2026년",
			"재이용률(%)\t목 표\t\t40\t45\t50",
			"\t실 적\t\t\t41.5\t",
			"하루 대여 건수(건/일)\t목 표\t\t1,200\t2,500\t3,000",
			"\t실 적\t\t1,310\t\t",
			"구 분(백만원)\t계\t2023년\t2024년\t2025년\t2026년",
			"국비\t360\t\t120\t240\t",
			"시비\t840\t\t280\t360\t200",
			"합계\t1,200\t\t400\t600\t200",
			"공공자전거 1,000대 운영\t2024년\t대여소 20곳 설치",
			"\t2025년\t대여소 40곳 확대 (역세권 10곳 포함)",
			"\t2026년\t대여소 50곳과 정비센터 1곳",
		},
		textRows: []string{
			"'24. 3.\t○ 대여소 20곳 설치 착수 - 역세권 우선 배치",
			"'24. 11.\t○ 1단계 대여소 20곳 개통 ○ 이용 요금 조례 개정",
			"'26.\t○ 3단계 대여소 50곳 완성",
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

			page := Page{Card: pledgeCardOf(card, tc.district, tc.validYears), StatusDate: card.StatusDate}
			text := page.Text()
			rendered := strings.Split(text, "\n")
			var missing []string
			for _, row := range append(tc.rows, tc.textRows...) {
				if !slices.Contains(rendered, row) {
					missing = append(missing, row)
				}
			}
			if len(missing) > 0 {
				t.Errorf("the render lacks the card's rows %q:\n%s", missing, text)
			}
			html, err := page.HTML()
			if err != nil {
				t.Fatal(err)
			}
			missing = nil
			for _, row := range tc.rows {
				if !slices.Contains(htmlRows(html), strings.TrimLeft(row, "\t")) {
					missing = append(missing, row)
				}
			}
			if len(missing) > 0 {
				t.Errorf("the HTML render lacks the card's rows %q:\n%q", missing, htmlRows(html))
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

var (
	htmlRow  = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	htmlCell = regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	htmlTags = regexp.MustCompile(`<[^>]*>`)
)

// htmlRows are the rows of an HTML render's tables as the text render
// writes them, cells joined by tabs, with the tabs that lead a row (the
// cells a rowspan holds in the text) left out: so a text row with its
// leading tabs trimmed can be looked for among them.
func htmlRows(page []byte) []string {
	var out []string
	for _, tr := range htmlRow.FindAllStringSubmatch(string(page), -1) {
		var cells []string
		for _, td := range htmlCell.FindAllStringSubmatch(tr[1], -1) {
			cells = append(cells, strings.TrimSpace(html.UnescapeString(htmlTags.ReplaceAllString(td[1], ""))))
		}
		out = append(out, strings.TrimLeft(strings.Join(cells, "\t"), "\t"))
	}
	return out
}

// TestRenderWritesUnitsAndNumbersAsTheCardDid renders indicators whose
// unit the card wrote in their cells or in their title, with numbers that
// need thousands separators or decimals, as text and as HTML.
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
			text := Page{Card: &pledgev1.PledgeCard{Pledge: &pledgev1.Pledge{Title: "제목"}, Indicators: []*indicatorv1.Indicator{tc.ind}}}.Text()
			rendered := strings.Split(text, "\n")
			page, err := Page{Card: &pledgev1.PledgeCard{Pledge: &pledgev1.Pledge{Title: "제목"}, Indicators: []*indicatorv1.Indicator{tc.ind}}}.HTML()
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range tc.want {
				if !slices.Contains(rendered, row) {
					t.Errorf("the render lacks %q:\n%s", row, text)
				}
				if !slices.Contains(htmlRows(page), strings.TrimLeft(row, "\t")) {
					t.Errorf("the HTML render lacks %q:\n%q", row, htmlRows(page))
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

// TestSpacedTablesAreReadFromTheirLayout reads type tables, budget rows,
// goals and logs whose tabs became spaces, from the places of their values
// under the header words, and warns where the places do not tell.
func TestSpacedTablesAreReadFromTheirLayout(t *testing.T) {
	county := Options{DistrictKind: pledgev1.DistrictKind_DISTRICT_KIND_COUNTY}
	n := func(k int) string { return strings.Repeat(" ", k) }
	// The header words stand at display columns 10 (신규사업), 20 (계속사업),
	// 30 (국가), 40 (도), 50 (군), 60 (임기내) and 70 (임기후); a Hangul
	// syllable is two columns wide.
	names := n(10) + "신규사업" + n(2) + "계속사업" + n(2) + "국가" + n(6) + "도" + n(8) + "군" + n(8) + "임기내" + n(4) + "임기후"
	typeTable := func(marks string) string {
		return "공약명\t제목\n\n유형별 공약현황\n" + names + "\n" + marks + "\n"
	}

	t.Run("marks under the words", func(t *testing.T) {
		// ○ at columns 23 (계속사업), 40 (도) and 72 (임기후).
		card, warnings := mustParse(t, typeTable(n(23)+"○"+n(16)+"○"+n(31)+"○"), county)
		if len(warnings) != 0 {
			t.Errorf("warnings: %v", warnings)
		}
		pl := card.Pledge
		if pl.GetProjectType() != pledgev1.ProjectType_PROJECT_TYPE_CONTINUING || pl.GetCompletionTiming() != pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM ||
			!cmp.Equal(pl.GetImplementingLevels(), []pledgev1.ImplementingLevel{pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_METROPOLITAN}) {
			t.Errorf("types: %v %v %v", pl.GetProjectType(), pl.GetImplementingLevels(), pl.GetCompletionTiming())
		}
	})

	t.Run("a mark between two words", func(t *testing.T) {
		// ○ at columns 23 (계속사업) and 36, between 국가 (30-33) and 도 (40-41).
		text := typeTable(n(23) + "○" + n(12) + "○")
		card, warnings := mustParse(t, text, county)
		if len(warnings) != 1 || warnings[0].Line != 5 || !strings.Contains(warnings[0].Message, "do not say which types") {
			t.Errorf("warnings: %v", warnings)
		}
		if card.Pledge.GetProjectType() != pledgev1.ProjectType_PROJECT_TYPE_UNSPECIFIED || card.Unread["project_type"] == "" || card.Unread["implementing_levels"] == "" {
			t.Errorf("a type was guessed: %v; unread %v", card.Pledge, card.Unread)
		}
	})

	t.Run("tabs of eight spaces", func(t *testing.T) {
		tab := n(8)
		text := strings.ReplaceAll(seed(t), "\t", tab)
		card, warnings := mustParse(t, text, gwangsan)
		if len(warnings) != 0 {
			t.Errorf("warnings: %v", warnings)
		}
		base, _ := mustParse(t, seed(t), gwangsan)
		if card.Pledge.GetProjectType() != base.Pledge.GetProjectType() || !cmp.Equal(card.Pledge.GetImplementingLevels(), base.Pledge.GetImplementingLevels()) ||
			card.Pledge.GetCompletionTiming() != base.Pledge.GetCompletionTiming() {
			t.Errorf("types: %v", card.Pledge)
		}
		if diff := cmp.Diff(lineRows(base.Budget), lineRows(card.Budget)); diff != "" {
			t.Errorf("budget: %s", diff)
		}
	})

	t.Run("a 합계 row under the years", func(t *testing.T) {
		// 계 at column 15, 2023년 at 23, 2024년 at 33, 2025년 at 43. The
		// 합계 row leaves 2023 empty; were 100 read as 2023's, the sums
		// would not match and a warning would say so.
		text := "공약명\t제목\n\nIII\n\n연도별 투자계획\n\n" +
			"구 분(백만원)" + n(2) + "계" + n(6) + "2023년" + n(4) + "2024년" + n(4) + "2025년\n" +
			"군 비" + n(10) + "300" + n(5) + "-" + n(9) + "100" + n(7) + "200\n" +
			"합계" + n(11) + "300" + n(15) + "100" + n(7) + "200\n"
		card, warnings := mustParse(t, text, county)
		if len(warnings) != 0 {
			t.Errorf("warnings: %v", warnings)
		}
		want := []string{"FUNDING_SOURCE_LOCAL 군비 2024 100000000", "FUNDING_SOURCE_LOCAL 군비 2025 200000000"}
		if diff := cmp.Diff(want, lineRows(card.Budget)); diff != "" {
			t.Errorf("budget (-want +got):\n%s", diff)
		}
	})

	t.Run("goals and logs under their header words", func(t *testing.T) {
		// 연차별 달성 목표 stands at column 20, 추진사항 at 18: the header
		// words are too far apart for tabs, so the words' places tell.
		// A cell's own spaces (the log's '24.  11., 세부  내용) do not
		// split it; a word crossing into the next column cannot be told.
		text := "공약명\t제목\n\nI 추진개요\n\n○ 연차별 추진계획\n\n" +
			"최종목표" + n(12) + "연차별 달성 목표\n" +
			"시민 1만 명" + n(9) + "2024년" + n(4) + "목표  설정\n" +
			n(20) + "2025년" + n(4) + "참여단 구성\n" +
			"시민 참여를 넓히는 계획  2026년" + n(4) + "평가\n" +
			"\nIV\n\n그간 추진사항\n\n" +
			"추진일자" + n(10) + "추진사항\n" +
			"'24. 3." + n(11) + "○ 착수\n" +
			n(20) + "- 세부  내용\n" +
			"'24.  11." + n(9) + "○ 개통  행사\n" +
			"'25. 3. ○ 2단계 설계 착수" + n(4) + "○ 용역\n"
		card, warnings := mustParse(t, text, county)
		if lines, want := warningLines(warnings), []int{lineOf(t, text, "넓히는"), lineOf(t, text, "2단계")}; !cmp.Equal(lines, want) {
			t.Errorf("warnings at lines %v, want %v: %v", lines, want, warnings)
		}
		pl := card.Pledge
		wantGoals := []*pledgev1.YearlyGoal{{Year: 2024, Goal: "목표 설정"}, {Year: 2025, Goal: "참여단 구성"}}
		if diff := cmp.Diff(wantGoals, pl.GetYearlyGoals(), protocmp.Transform()); diff != "" || pl.GetFinalGoal() != "시민 1만 명" {
			t.Errorf("final goal %q; goals (-want +got):\n%s", pl.GetFinalGoal(), diff)
		}
		wantLog := []*pledgev1.DatedEntry{
			{Date: &pledgev1.DateLabel{Label: "'24. 3."}, Items: []*pledgev1.Bullet{{Text: "착수", Children: []*pledgev1.Bullet{{Text: "세부 내용"}}}}},
			{Date: &pledgev1.DateLabel{Label: "'24. 11."}, Items: []*pledgev1.Bullet{{Text: "개통 행사"}}},
		}
		if diff := cmp.Diff(wantLog, pl.GetProgressLog(), protocmp.Transform()); diff != "" {
			t.Errorf("log (-want +got):\n%s", diff)
		}
	})

	t.Run("a 합계 amount between two years", func(t *testing.T) {
		// 100 at columns 30-32, between 2023년 (23-28) and 2024년 (33-38).
		text := "공약명\t제목\n\nIII\n\n연도별 투자계획\n\n" +
			"구 분(백만원)" + n(2) + "계" + n(6) + "2023년" + n(4) + "2024년" + n(4) + "2025년\n" +
			"군 비" + n(10) + "300" + n(5) + "-" + n(9) + "100" + n(7) + "200\n" +
			"합계" + n(11) + "300" + n(12) + "100" + n(10) + "200\n"
		_, warnings := mustParse(t, text, county)
		if len(warnings) != 1 || warnings[0].Line != 9 || !strings.Contains(warnings[0].Message, "do not say their years") {
			t.Errorf("warnings: %v", warnings)
		}
	})
}

// String writes a warning as the tests list them.
func (w Warning) String() string { return fmt.Sprintf("line %d: %s: %q", w.Line, w.Message, w.Text) }
