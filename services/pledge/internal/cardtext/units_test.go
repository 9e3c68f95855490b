package cardtext

import (
	"testing"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
)

// TestTitleUnits reads a numeric indicator whose title closes in
// parentheses: a unit leaves the title for the indicator's unit, a remark
// stays in the title.
func TestTitleUnits(t *testing.T) {
	for _, tc := range []struct {
		title, want, unit string
	}{
		// Units.
		{"방문객 수(명)", "방문객 수", "명"},
		{"재이용률(%)", "재이용률", "%"},
		{"만족도 상승폭(%p)", "만족도 상승폭", "%p"},
		{"거점 설치(개소)", "거점 설치", "개소"},
		{"민원 처리(건)", "민원 처리", "건"},
		{"교육 횟수(회)", "교육 횟수", "회"},
		{"재활용품 수거량(톤)", "재활용품 수거량", "톤"},
		{"지원액(천원)", "지원액", "천원"},
		{"사업비(백만원)", "사업비", "백만원"},
		{"참여자(천명)", "참여자", "천명"},
		{"수혜 가구(가구)", "수혜 가구", "가구"},
		{"식재(그루)", "식재", "그루"},
		{"유기동물 입양(마리)", "유기동물 입양", "마리"},
		{"홍보물 배부(부)", "홍보물 배부", "부"},
		{"자전거도로(km)", "자전거도로", "km"},
		{"녹지 면적(㎡)", "녹지 면적", "㎡"},
		{"녹지 면적(m²)", "녹지 면적", "m²"},
		{"태양광 발전량(kWh)", "태양광 발전량", "kWh"},
		{"산책로(킬로미터)", "산책로", "킬로미터"},
		{"하루 이용객(명/일)", "하루 이용객", "명/일"},
		{"처리량(톤/월)", "처리량", "톤/월"},
		{"태양광 설비(MW)", "태양광 설비", "MW"},
		// Remarks, which stay in the title.
		{"복합문화센터(가칭)", "복합문화센터(가칭)", ""},
		{"청년 창업 지원(신규)", "청년 창업 지원(신규)", ""},
		{"완공(2026년)", "완공(2026년)", ""},
		{"협약 건수(누적)", "협약 건수(누적)", ""},
		{"관광객(연간)", "관광객(연간)", ""},
		{"참여 기업(관내)", "참여 기업(관내)", ""},
		{"정비 구간(1단계)", "정비 구간(1단계)", ""},
		{"주민 참여(광산구)", "주민 참여(광산구)", ""},
		{"예산 절감(전년대비)", "예산 절감(전년대비)", ""},
		{"지원 건수(누적/년)", "지원 건수(누적/년)", ""},
		{"이용자(명/사람)", "이용자(명/사람)", ""},
		{"집행률(안)", "집행률(안)", ""},
		{"일자리 지원(청년)", "일자리 지원(청년)", ""},
		{"돌봄 서비스(AI)", "돌봄 서비스(AI)", ""},
		{"방범 설치(CCTV)", "방범 설치(CCTV)", ""},
	} {
		t.Run(tc.title, func(t *testing.T) {
			ind := indicatorOf(&indicatorv1.Indicator{Title: tc.title}, []int{2025}, map[int]string{2025: "1,200"}, map[int]string{2025: "980"})
			if title, unit := ind.GetTitle(), ind.GetUnit(); title != tc.want || unit != tc.unit {
				t.Errorf("read as title %q, unit %q; want %q, %q", title, unit, tc.want, tc.unit)
			}
			if ind.GetKind() != indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE {
				t.Errorf("read as %v", ind.GetKind())
			}
		})
	}
}
