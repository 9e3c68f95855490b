package cardtext

import (
	"os"
	"strings"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
)

var gwangsan = Options{DistrictKind: pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT}

// seedText is the real card, read once.
var seedText = func() string {
	raw, err := os.ReadFile("../../testdata/cards/000_f92421f269c71dea.txt")
	if err != nil {
		panic(err)
	}
	return string(raw)
}()

func seed(testing.TB) string { return seedText }

// TestTheSeedCardReadsAsTheFixture reads the real card and finds every
// field the hand-written fixture holds, and the sections other services
// keep.
func TestTheSeedCardReadsAsTheFixture(t *testing.T) {
	card, warnings, err := Parse(seed(t), gwangsan)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range warnings {
		t.Errorf("warning: %s", w)
	}
	want := fixture.Gwangsan()
	want.Term, want.OwningDepartment = 0, ""
	if diff := cmp.Diff(want, card.Pledge, protocmp.Transform()); diff != "" {
		t.Errorf("the pledge read from the card differs from the fixture (-fixture +card):\n%s", diff)
	}
	if card.Department != "법무지원과" || len(card.Related) != 0 {
		t.Errorf("departments: %q, related %v", card.Department, card.Related)
	}
	local := typev1.FundingSource_FUNDING_SOURCE_LOCAL
	wantBudget := []*budgetv1.BudgetLine{
		{Source: local, SourceLabel: "구비", Year: 2020, PlannedWon: 2_500_000},
		{Source: local, SourceLabel: "구비", Year: 2021, PlannedWon: 3_000_000},
		{Source: local, SourceLabel: "구비", Year: 2022, PlannedWon: 3_000_000},
	}
	if diff := cmp.Diff(wantBudget, card.Budget, protocmp.Transform()); diff != "" {
		t.Errorf("budget (-want +got):\n%s", diff)
	}
	txt := func(s string) *indicatorv1.Measure {
		return &indicatorv1.Measure{Value: &indicatorv1.Measure_Text{Text: s}}
	}
	wantIndicators := []*indicatorv1.Indicator{{
		Title: "광산구정혁신 TF 운영", Kind: indicatorv1.IndicatorKind_INDICATOR_KIND_QUALITATIVE,
		Entries: []*indicatorv1.YearEntry{
			{Year: 2018, Target: txt("TF 운영 계획 수립"), Actual: txt("광산구정혁신 TF 운영 기본계획 수립")},
			{Year: 2019, Target: txt("제도 마련"), Actual: txt("조례 제정 ('19.09.)")},
			{Year: 2020, Target: txt("TF 운영"), Actual: txt("TF구성(시민행복위원회, 정책기획단 등 50명) · 정부혁신 최우수 선정")},
		},
	}}
	if diff := cmp.Diff(wantIndicators, card.Indicators, protocmp.Transform()); diff != "" {
		t.Errorf("indicators (-want +got):\n%s", diff)
	}
	if card.Contest == nil || card.Contest.Title != "행복정책 아이디어 공모전" || len(card.Contest.Submissions) != 7 {
		t.Fatalf("contest: %+v", card.Contest)
	}
	var awards []string
	for _, s := range card.Contest.Submissions {
		awards = append(awards, s.GetAward()+" "+s.GetProposer().GetName()+" "+s.GetTitle())
	}
	wantAwards := []string{
		"금상 정*정 청각장애인 등 의사소통 취약자 관공서 이용편의 개선",
		"은상 이*기 코로나 19에 대응하는 우리들의 자매(엔프카드결제기 도입)",
		"은상 정*정 관내 기업 노후화된 직원 편의시설 개선 지원사업",
		"동상 정*원 집에서 즐기는 언택트 요가, 근력 강의",
		"동상 이*현 올해의 분리수거왕 선발",
		"장려상 전*경 동 행정복지센터 어린이 행복 공유",
		"장려상 강*경 아동과 노인의 상생하는 나라",
	}
	if !cmp.Equal(awards, wantAwards) {
		t.Errorf("awards:\n%v", awards)
	}
	w := card.Contest.Window
	if w.GetOpenTime().AsTime().In(kst).Format("2006-01-02 15:04") != "2020-01-20 00:00" || w.GetCloseTime().AsTime().In(kst).Format("2006-01-02 15:04:05") != "2020-02-14 23:59:59" {
		t.Errorf("window: %v", w)
	}
}

// BenchmarkParse reads the reference card, and the largest card Parse
// accepts made of the reference card repeated, to show the parser's cost
// grows with the card and not faster.
func BenchmarkParse(b *testing.B) {
	copies := min(MaxBytes/(len(seedText)+1), MaxLines/(strings.Count(seedText, "\n")+2))
	big := strings.Repeat(seedText+"\n", copies)
	for _, bb := range []struct {
		name string
		text string
	}{{"seed", seedText}, {"1MiB", big}} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.text)))
			for b.Loop() {
				if _, _, err := Parse(bb.text, gwangsan); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
