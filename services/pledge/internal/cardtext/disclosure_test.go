package cardtext

import (
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"google.golang.org/genproto/googleapis/type/date"
)

// TestADisclosurePageNamesItsDistrictAndTerm renders a term with two
// cards and one with none: the title names the district and the term, the
// contents list each card in order and link to it, and a term without
// pledges says so.
func TestADisclosurePageNamesItsDistrictAndTerm(t *testing.T) {
	district := &pledgev1.District{Name: "districts/gwangsan", DisplayName: "광산구", MetropolitanGovernment: "광주광역시"}
	term := &pledgev1.Term{Number: 7, StartDate: &date.Date{Year: 2018, Month: 7, Day: 1}, EndDate: &date.Date{Year: 2022, Month: 6, Day: 30}}
	card := func(id, title string) *pledgev1.PledgeCard {
		return &pledgev1.PledgeCard{District: district, Pledge: &pledgev1.Pledge{Name: "districts/gwangsan/pledges/" + id, Title: title,
			Status: pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED}}
	}
	raw, err := RenderDisclosure(Disclosure{District: district, Term: term, Cards: []Page{
		{Card: card("b", "둘째 <공약>")},
		{Card: card("a", "첫째 공약"), StatusDate: pledge.Date{Year: 2020, Month: 12, Day: 1}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	page := string(raw)
	for _, want := range []string{
		"<title>광주광역시 광산구 민선 7기 공약 이행 현황</title>",
		"임기 2018. 7. 1. ~ 2022. 6. 30. · 공약 2건",
		`<li><a href="#pledge-b">둘째 &lt;공약&gt;</a><span class="status">완료</span></li>`,
		`<section class="card" id="pledge-a">`,
		"<h1>첫째 공약</h1>",
		// The status as the card dates it, where its history has a date.
		`<li><a href="#pledge-a">첫째 공약</a><span class="status">완료(&#39;20. 12.)</span></li>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Index(page, `id="pledge-b"`) > strings.Index(page, `id="pledge-a"`) {
		t.Error("the cards are not in the order given")
	}
	raw, err = RenderDisclosure(Disclosure{District: district, Term: &pledgev1.Term{Number: 9, DisplayName: "민선 9기"}})
	if err != nil || !strings.Contains(string(raw), "이 임기에 공개된 공약이 없습니다") || !strings.Contains(string(raw), "광산구 민선 9기") {
		t.Errorf("an empty term: %v\n%s", err, raw)
	}
}
