package cardtext

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestWhatACardDoesNotCarryIsSaid reads variants of the seed card and
// finds in Unread exactly the fields each does not carry, or carries in a
// form that could not be read, with why; a section there but empty is
// carried (it clears).
func TestWhatACardDoesNotCarryIsSaid(t *testing.T) {
	cut := func(text, from, to string) string {
		t.Helper()
		if !strings.Contains(text, from) {
			t.Fatalf("the seed card has no %q", from)
		}
		return strings.Replace(text, from, to, 1)
	}
	without := func(text, section, next string) string {
		t.Helper()
		i, j := strings.Index(text, "\n"+section+"\n"), strings.Index(text, "\n"+next+"\n")
		if i < 0 || j < i {
			t.Fatalf("the seed card has no section %s before %s", section, next)
		}
		return text[:i] + text[j:]
	}
	marks := "\t○\t\t\t\t○\t○\t\n"
	for _, tt := range []struct {
		name string
		text string
		// want maps each unread field to a word of its reason.
		want map[string]string
	}{
		{"the seed card", seed(t), map[string]string{"code": "공약번호"}},
		{"type marks that lost their tabs", cut(seed(t), marks, "  ○        ○   ○\n"), map[string]string{
			"code": "공약번호", "project_type": "lost their columns", "implementing_levels": "lost their columns", "completion_timing": "lost their columns"}},
		{"no type table", cut(cut(seed(t), marks, ""), "유형별 공약현황\t사업유형\t\t사업주체\t\t\t완료시기\t\n\t신규사업\t계속사업\t국가\t시도\t시군구\t임기내\t임기후\n", ""), map[string]string{
			"code": "공약번호", "project_type": "유형별", "implementing_levels": "유형별", "completion_timing": "유형별"}},
		{"a 소요예산 that does not read and no 추진상황", cut(seed(t), "8.5백만원(구 100)\t추진상황\t완료", "많이"), map[string]string{
			"code": "공약번호", "required_budget": "could not be read", "status": "추진상황"}},
		{"a status that is none", cut(seed(t), "추진상황\t완료", "추진상황\t아마도"), map[string]string{
			"code": "공약번호", "status": "not a status"}},
		{"no 담당부서, 관련부서, 담당자, 연락처", cut(cut(seed(t), "담당부서\t법무지원과 법무규제혁신팀\t관련부서\t전 부서\n", ""), "담당자\t윤송미 팀장 / 윤다슬 주무관\t연락처\t062) 960-8891\n", ""), map[string]string{
			"code": "공약번호", "owning_department": "담당부서", "owning_team": "담당부서", "related_departments": "관련부서",
			"all_departments_related": "관련부서", "contacts": "담당자"}},
		{"no sections II and III", without(without(seed(t), "II", "III"), "III", "IV"), map[string]string{
			"code": "공약번호", "indicators": "section II", "budget": "section III"}},
		{"no sections IV to VII", seed(t)[:strings.Index(seed(t), "\nIV\n")], map[string]string{
			"code": "공약번호", "progress_log": "section IV", "future_plans": "section V", "risks": "section VI", "photos": "section VII"}},
		{"section VI there, empty", cut(seed(t), "- 코로나19로 인한 소그룹 형태의 운영 지속 불가피\n- 분야별 분과 운영 및 온택트 시민참여 방식 확대 운영\n", ""),
			map[string]string{"code": "공약번호"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			card, _ := mustParse(t, tt.text, Options{})
			if got, want := slices.Sorted(maps.Keys(card.Unread)), slices.Sorted(maps.Keys(tt.want)); !slices.Equal(got, want) {
				t.Errorf("unread %v; want %v", card.Unread, want)
			}
			for field, word := range tt.want {
				if !strings.Contains(card.Unread[field], word) {
					t.Errorf("unread[%s] = %q; want it to say %q", field, card.Unread[field], word)
				}
			}
		})
	}
}
