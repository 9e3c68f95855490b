package cardtext

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// titleUnit is an indicator's title closing in parentheses, as in
// 방문객 수(명) or 재이용률(%); isUnit says whether they give its unit.
var titleUnit = regexp.MustCompile(`^(.*\S)\s*\(([^()\s0-9]{1,10})\)$`)

// isUnit says whether u, what the parentheses closing an indicator's title
// hold, is the indicator's unit rather than a remark on the title. Taking a
// remark for a unit would write it after every value (3,500누적), so the
// rule is:
//
//   - a rate, a unit per a span of time: 명/일, 건/년, 톤/월, 회/분기;
//   - signs and Latin letters, at most five: %, %p, ‰, ℃, km, m², ㎡, kg,
//     t, ha, kWh, MW — but not an acronym in capitals (AI, CCTV);
//   - a Hangul counter of one or two syllables, after a magnitude (천, 만,
//     백만, 억) if any: 명, 건, 회, 곳, 톤, 개소, 가구, 세대, 천원,
//     백만원, 천명; or a measure spelled in Hangul (킬로미터, 헥타르,
//     퍼센트);
//   - but not a remark: a word of one or two syllables that qualifies the
//     title (누적, 연간, 가칭, 신규, 예정 …, see remarks);
//   - and nothing else: no digits (2026년, 1단계: the regexp keeps them
//     out), no spaces, nothing longer (광산구, 전년대비).
//
// A remark the list does not know reads as a unit: the official then
// corrects the indicator's title and unit once, and the render writes
// them back as corrected.
func isUnit(u string) bool {
	if per, span, ok := strings.Cut(u, "/"); ok {
		return isUnit(per) && timeSpans[span]
	}
	if remarks[u] {
		return false
	}
	if signs.MatchString(u) {
		return true
	}
	if spelled.MatchString(u) {
		return true
	}
	for _, m := range []string{"백만", "천", "만", "억"} {
		if rest, ok := strings.CutPrefix(u, m); ok && rest != "" && !remarks[rest] && hangulSyllables(rest) {
			u = rest
			break
		}
	}
	n := utf8.RuneCountInString(u)
	return n >= 1 && n <= 2 && hangulSyllables(u)
}

var (
	// signs are units written in signs and Latin letters: a measure's
	// symbol starts in lower case (km, kg, t, ha, kWh) or is a power's or
	// a volume's (MW, GWh, L); capitals alone are an acronym (AI, CCTV).
	signs = regexp.MustCompile(`^(?:%p?|‰|℃|[a-z][A-Za-z]{0,3}[²³]?|[kMGT]?(?:W|Wh)|[mk]?L|[\x{3380}-\x{33DF}])$`)
	// spelled are measures spelled in Hangul.
	spelled = regexp.MustCompile(`^(?:킬로|센티|밀리|제곱|세제곱)?(?:미터|그램|리터|와트)$|^(?:헥타르|퍼센트|포인트|퍼밀)$`)
)

// timeSpans are what a rate's unit is per.
var timeSpans = map[string]bool{"일": true, "주": true, "월": true, "분기": true, "반기": true, "년": true, "연": true, "회": true, "시간": true}

// remarks are the short words a title's parentheses hold that qualify the
// title rather than give its unit: how it counts (누적, 연간, 평균), what
// the title is (가칭, 신규, 예정), where (관내, 전국), for whom (청년,
// 노인) or whose money (국비).
var remarks = map[string]bool{
	"누적": true, "누계": true, "합계": true, "총계": true, "소계": true, "연간": true, "월간": true, "연평균": true, "평균": true,
	"전체": true, "최대": true, "최소": true, "이상": true, "이하": true, "미만": true, "초과": true, "내외": true, "추정": true,
	"가칭": true, "가제": true, "신규": true, "계속": true, "예정": true, "잠정": true, "목표": true, "실적": true, "기준": true,
	"시범": true, "확대": true, "신설": true, "변경": true, "완료": true, "정량": true, "정성": true, "증가": true, "감소": true,
	"관내": true, "관외": true, "전국": true, "국내": true, "해외": true, "읍면": true, "동별": true, "월별": true, "분기": true,
	"국비": true, "도비": true, "시비": true, "구비": true, "군비": true, "민자": true,
	"청년": true, "노인": true, "아동": true, "여성": true, "남성": true, "주민": true, "시민": true, "구민": true, "군민": true,
	"학생": true, "가족": true,
	"안": true, "외": true, "등": true, "약": true, "계": true, "전": true, "후": true, "구": true, "현": true,
}

// hangulSyllables says whether s is made of Hangul syllables only.
func hangulSyllables(s string) bool {
	for _, r := range s {
		if r < 0xAC00 || r > 0xD7A3 { // 가 to 힣
			return false
		}
	}
	return s != ""
}
