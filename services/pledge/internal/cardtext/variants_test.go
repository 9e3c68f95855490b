package cardtext

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
)

func mustParse(t *testing.T, text string, opts Options) (*Card, []Warning) {
	t.Helper()
	card, warnings, err := Parse(text, opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return card, warnings
}

func lineRows(lines []*budgetv1.BudgetLine) []string {
	var out []string
	for _, l := range lines {
		out = append(out, fmt.Sprintf("%s %s %d %d", l.GetSource(), l.GetSourceLabel(), l.GetYear(), l.GetPlannedWon()))
	}
	return out
}

// TestVariantsOfTheSeedCard reads cards derived from the seed the ways
// exports differ, asserting what each reads as.
func TestVariantsOfTheSeedCard(t *testing.T) {
	base, _ := mustParse(t, seed(t), gwangsan)

	t.Run("CRLF and runs of blank lines", func(t *testing.T) {
		text := strings.ReplaceAll(strings.ReplaceAll(seed(t), "\n\n", "\n\n\n\n"), "\n", "\r\n")
		card, warnings := mustParse(t, text, gwangsan)
		if len(warnings) != 0 {
			t.Errorf("warnings: %v", warnings)
		}
		if diff := cmp.Diff(base, card, protocmp.Transform()); diff != "" {
			t.Errorf("reads differently (-seed +variant):\n%s", diff)
		}
	})

	t.Run("spaces for tabs", func(t *testing.T) {
		card, warnings := mustParse(t, strings.ReplaceAll(seed(t), "\t", "    "), gwangsan)
		if diff := cmp.Diff(lineRows(base.Budget), lineRows(card.Budget)); diff != "" {
			t.Errorf("budget: %s", diff)
		}
		if len(card.Indicators) != 1 || len(card.Indicators[0].GetEntries()) != 3 || card.Indicators[0].GetEntries()[2].GetActual().GetText() != base.Indicators[0].GetEntries()[2].GetActual().GetText() {
			t.Errorf("indicators: %v", card.Indicators)
		}
		if len(card.Pledge.GetProgressLog()) != 11 || card.Pledge.GetProgressLog()[9].GetDate().GetLabel() != "'20. 7.~12." ||
			len(card.Pledge.GetProgressLog()[9].GetItems()[0].GetChildren()) != 4 {
			t.Errorf("progress log: %d rows", len(card.Pledge.GetProgressLog()))
		}
		if card.Pledge.GetRequiredBudget().GetAmountWon() != 8_500_000 || card.Department != "법무지원과" || card.Pledge.GetStatus() != pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED {
			t.Errorf("header: %v %q", card.Pledge.GetRequiredBudget(), card.Department)
		}
		// The type marks and the 합계 row lost their empty cells, but each
		// tab became four spaces: the runs say the columns.
		if len(warnings) != 0 {
			t.Errorf("warnings: %v", warnings)
		}
		pl := card.Pledge
		if pl.GetProjectType() != pledgev1.ProjectType_PROJECT_TYPE_NEW || pl.GetCompletionTiming() != pledgev1.CompletionTiming_COMPLETION_TIMING_WITHIN_TERM ||
			!cmp.Equal(pl.GetImplementingLevels(), []pledgev1.ImplementingLevel{pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_LOCAL}) {
			t.Errorf("types: %v %v %v", pl.GetProjectType(), pl.GetImplementingLevels(), pl.GetCompletionTiming())
		}
		if _, ok := card.Unread["project_type"]; ok {
			t.Errorf("unread: %v", card.Unread)
		}
	})

	t.Run("full-width characters", func(t *testing.T) {
		fw := strings.NewReplacer("8.5백만원(구 100)", "８．５백만원（구 １００）", "2.5\t3\t3", "２．５\t３\t３", "2020년", "２０２０년", "'18.12.31.", "’18．12．31．")
		card, warnings := mustParse(t, fw.Replace(seed(t)), gwangsan)
		if len(warnings) != 0 {
			t.Errorf("warnings: %v", warnings)
		}
		rb := card.Pledge.GetRequiredBudget()
		if rb.GetAmountWon() != 8_500_000 || len(rb.GetShares()) != 1 || rb.GetShares()[0].GetPercent() != 100 || rb.GetShares()[0].GetSource() != typev1.FundingSource_FUNDING_SOURCE_LOCAL {
			t.Errorf("required budget: %v", rb)
		}
		if diff := cmp.Diff(lineRows(base.Budget), lineRows(card.Budget)); diff != "" {
			t.Errorf("budget: %s", diff)
		}
		// The label is kept as written; the server reads the date from it.
		if l := card.Pledge.GetProgressLog()[0].GetDate().GetLabel(); l != "’18.12.31." {
			t.Errorf("first log label read as %q", l)
		}
	})

	t.Run("missing sections", func(t *testing.T) {
		text := seed(t)
		text = text[:strings.Index(text, "VI\n")]
		card, warnings := mustParse(t, text, gwangsan)
		if len(warnings) != 0 || len(card.Pledge.GetRisks()) != 0 || len(card.Pledge.GetPhotos()) != 0 || card.Contest != nil {
			t.Errorf("without VI and VII: %v, risks %v, photos %v", warnings, card.Pledge.GetRisks(), card.Pledge.GetPhotos())
		}
		if len(card.Pledge.GetFuturePlans()) != 1 || len(card.Budget) != 3 {
			t.Errorf("the sections before are gone too")
		}
	})

	t.Run("other years, more of them, and a county's funding names", func(t *testing.T) {
		county := Options{DistrictKind: pledgev1.DistrictKind_DISTRICT_KIND_COUNTY}
		text := strings.NewReplacer(
			"8.5백만원(구 100)", "1,250백만원(국 50, 도 20, 군 30)",
			"연도별/주요지표\t구 분\t2018년\t2019년\t2020년\t2021년\t2022년", "연도별/주요지표\t구 분\t2022년\t2023년\t2024년\t2025년\t2026년\t2027년",
			"구 분(백만원)\t계\t2018년\t2019년\t2020년\t2021년\t2022년", "구 분(백만원)\t계\t2022년\t2023년\t2024년\t2025년\t2026년\t2027년",
			"국 비\t\t\t\t\t\t", "국 비\t625\t\t100\t200\t325\t\t",
			"시 비\t\t\t\t\t\t", "도 비\t250\t\t\t\t100\t150\t",
			"구 비\t8.5\t-\t-\t2.5\t3\t3", "군 비\t375\t-\t-\t125\t125\t125\t",
			"합계\t8.5\t\t\t2.5\t3\t3", "합계\t1,250\t\t100\t325\t550\t275\t",
		).Replace(seed(t))
		card, warnings := mustParse(t, text, county)
		if len(warnings) != 0 {
			t.Errorf("warnings: %v", warnings)
		}
		want := []string{
			"FUNDING_SOURCE_NATIONAL 국비 2023 100000000", "FUNDING_SOURCE_NATIONAL 국비 2024 200000000", "FUNDING_SOURCE_NATIONAL 국비 2025 325000000",
			"FUNDING_SOURCE_METROPOLITAN 도비 2025 100000000", "FUNDING_SOURCE_METROPOLITAN 도비 2026 150000000",
			"FUNDING_SOURCE_LOCAL 군비 2024 125000000", "FUNDING_SOURCE_LOCAL 군비 2025 125000000", "FUNDING_SOURCE_LOCAL 군비 2026 125000000",
		}
		if diff := cmp.Diff(want, lineRows(card.Budget)); diff != "" {
			t.Errorf("budget (-want +got):\n%s", diff)
		}
		rb := card.Pledge.GetRequiredBudget()
		if rb.GetAmountWon() != 1_250_000_000 || len(rb.GetShares()) != 3 || rb.GetShares()[1].GetSource() != typev1.FundingSource_FUNDING_SOURCE_METROPOLITAN ||
			rb.GetShares()[2].GetSource() != typev1.FundingSource_FUNDING_SOURCE_LOCAL || rb.GetShares()[2].GetLabel() != "군" {
			t.Errorf("required budget: %v", rb)
		}
		if e := card.Indicators[0].GetEntries(); len(e) != 3 || e[0].GetYear() != 2022 || e[2].GetYear() != 2024 {
			t.Errorf("indicator entries fall in %v", e)
		}
	})

	t.Run("more indicator rows, numeric ones among them", func(t *testing.T) {
		text := strings.Replace(seed(t), "\t실 적\t· 광산구정혁신 TF 운영 기본계획 수립\t· 조례 제정 ('19.09.)\t· TF구성(시민행복위원회, 정책기획단 등 50명) · 정부혁신 최우수 선정\t\t\n",
			"\t실 적\t· 광산구정혁신 TF 운영 기본계획 수립\t· 조례 제정 ('19.09.)\t· TF구성(시민행복위원회, 정책기획단 등 50명) · 정부혁신 최우수 선정\t\t\n"+
				"참여 시민 수\t목 표\t100명\t200명\t1,000명\t\t\n\t실 적\t120명\t150명\t980명\t\t\n"+
				"시민 만족도\t목 표\t\t\t80%\t85%\t90%\n\t실 적\t\t\t82.5%\t\t\n", 1)
		card, warnings := mustParse(t, text, gwangsan)
		if len(warnings) != 0 || len(card.Indicators) != 3 {
			t.Fatalf("%d indicators, warnings %v", len(card.Indicators), warnings)
		}
		num := func(s string) *indicatorv1.Measure {
			return &indicatorv1.Measure{Value: &indicatorv1.Measure_Number{Number: s}}
		}
		people := &indicatorv1.Indicator{Title: "참여 시민 수", Kind: indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE, Unit: "명", Entries: []*indicatorv1.YearEntry{
			{Year: 2018, Target: num("100"), Actual: num("120"), Unit: "명"}, {Year: 2019, Target: num("200"), Actual: num("150"), Unit: "명"}, {Year: 2020, Target: num("1000"), Actual: num("980"), Unit: "명"},
		}}
		if diff := cmp.Diff(people, card.Indicators[1], protocmp.Transform()); diff != "" {
			t.Errorf("참여 시민 수 (-want +got):\n%s", diff)
		}
		sat := card.Indicators[2]
		if sat.GetKind() != indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE || sat.GetUnit() != "%" || len(sat.GetEntries()) != 3 ||
			sat.GetEntries()[0].GetActual().GetNumber() != "82.5" || sat.GetEntries()[2].GetTarget().GetNumber() != "90" {
			t.Errorf("시민 만족도: %v", sat)
		}
		if card.Indicators[0].GetKind() != indicatorv1.IndicatorKind_INDICATOR_KIND_QUALITATIVE {
			t.Errorf("the text indicator turned %v", card.Indicators[0].GetKind())
		}
	})

	t.Run("day-precision and half-year date labels", func(t *testing.T) {
		text := strings.Replace(seed(t), "'20. 12.\t", "'21. 3. 15.\t○ 21년도 TF 첫 회의\n2021. 하반기\t○ 21년도 하반기 평가 - 시민 평가단 운영\n'20. 12.\t", 1)
		card, warnings := mustParse(t, text, gwangsan)
		if len(warnings) != 0 {
			t.Errorf("warnings: %v", warnings)
		}
		log := card.Pledge.GetProgressLog()
		if len(log) != 13 || log[10].GetDate().GetLabel() != "'21. 3. 15." || log[11].GetDate().GetLabel() != "2021. 하반기" ||
			log[11].GetItems()[0].GetText() != "21년도 하반기 평가" || log[11].GetItems()[0].GetChildren()[0].GetText() != "시민 평가단 운영" {
			t.Errorf("log: %d rows, %v", len(log), log[10:12])
		}
	})

	t.Run("no photo section, a code, listed departments and phones", func(t *testing.T) {
		text := seed(t)
		text = text[:strings.Index(text, "VII\n")]
		text = strings.NewReplacer(
			"공약명\n", "공약번호\t3-1\n공약명\n",
			"관련부서\t전 부서", "관련부서\t기획예산실, 자치행정과",
			"윤송미 팀장 / 윤다슬 주무관\t연락처\t062) 960-8891", "윤송미 팀장 / 윤다슬 주무관\t연락처\t062) 960-8891 / 062) 960-8892",
			"추진상황\t완료", "추진상황\t이행 후 계속추진",
		).Replace(text)
		card, warnings := mustParse(t, text, gwangsan)
		if len(warnings) != 0 || card.Pledge.GetCode() != "3-1" || len(card.Pledge.GetPhotos()) != 0 || card.Pledge.GetAllDepartmentsRelated() {
			t.Errorf("code %q, photos %d, warnings %v", card.Pledge.GetCode(), len(card.Pledge.GetPhotos()), warnings)
		}
		if !cmp.Equal(card.Related, []string{"기획예산실", "자치행정과"}) {
			t.Errorf("related: %v", card.Related)
		}
		c := card.Pledge.GetContacts()
		if len(c) != 2 || c[0].GetPhone() != "062) 960-8891" || c[1].GetPhone() != "062) 960-8892" || c[1].GetPosition() != "주무관" {
			t.Errorf("contacts: %v", c)
		}
		if card.Pledge.GetStatus() != pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING {
			t.Errorf("status: %v", card.Pledge.GetStatus())
		}
	})

	t.Run("lines it cannot place are named by number", func(t *testing.T) {
		text := strings.Replace(seed(t), "II\n", "이 줄은 어디에도 속하지 않는다\nII\n", 1)
		text = strings.Replace(text, "'19. 3.\t", "언젠가\t", 1)
		_, warnings := mustParse(t, text, gwangsan)
		if got, want := warningLines(warnings), []int{lineOf(t, text, "이 줄은"), lineOf(t, text, "언젠가")}; !cmp.Equal(got, want) {
			t.Errorf("warnings at lines %v, want %v: %v", got, want, warnings)
		}
	})
}

// warningLines are the lines the warnings point at.
func warningLines(warnings []Warning) []int {
	var out []int
	for _, w := range warnings {
		out = append(out, w.Line)
	}
	return out
}

// lineOf is the number of the first line of text holding s.
func lineOf(t *testing.T, text, s string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("no line holds %q", s)
	return 0
}

func TestACardWithoutATitleIsAnError(t *testing.T) {
	for _, text := range []string{"", "\n\n", "I 추진개요\n○ 추진배경\n"} {
		if _, _, err := Parse(text, gwangsan); err == nil {
			t.Errorf("Parse(%q) read a card", text)
		}
	}
	if _, _, err := Parse(strings.Repeat("가", MaxBytes), gwangsan); err == nil {
		t.Error("a card over the size limit was read")
	}
}

var lineNumber = regexp.MustCompile(`^line [0-9]+: `)

// FuzzParse feeds the whole-document parser anything: it must not panic,
// must refuse with a line-numbered error or read a card with a title whose
// warnings point at lines of the input. (It does not render: the text
// format has no escapes, so a title that is itself a section heading, such
// as 관련사진, cannot come back; the render round trip is tested on real
// cards in the server's tests.)
func FuzzParse(f *testing.F) {
	f.Add(seedText)
	f.Add(strings.ReplaceAll(seedText, "\t", "    "))
	f.Add("공약명\n\n제목\n\nIII\n\n구 분(백만원)\t계\t2020년\n구 비\t1\t1\n")
	f.Add("공약명\t제목\nIV\n추진일자\t추진사항\n'20. 1.~\t○ 가 - 나 ○ 다\n")
	f.Add("공약명\t제목\nI\n○ 연차별 추진계획\n최종목표    연차별 달성 목표\n가    2020년    나  다\n        라\nIV\n추진일자    추진사항\n'20.  1.    ○ 가  나\n    - 다\n")
	f.Fuzz(func(t *testing.T, text string) {
		card, warnings, err := Parse(text, gwangsan)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T: %v", err, err)
			}
			if e.Line != 0 && !lineNumber.MatchString(e.Error()) {
				t.Fatalf("error without its line: %v", e)
			}
			return
		}
		lines := strings.Count(text, "\n") + 1
		for _, w := range warnings {
			if w.Line < 1 || w.Line > lines {
				t.Fatalf("warning at line %d of %d", w.Line, lines)
			}
		}
		if card.Pledge.GetTitle() == "" {
			t.Fatal("a card without a title was read")
		}
	})
}
