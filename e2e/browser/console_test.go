//go:build browser

package browser

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The console at /admin, used as an official of Gwangsan uses it, on the
// pledge `gongyak run` imports on its first start (demoCard).

const (
	// consoleUser is the development user the console tests sign in as,
	// and consoleUserName the name the provider gives them.
	consoleUser     = "gwangsan-admin"
	consoleUserName = "광산구 관리자"
	// demoTitle is the demo card's pledge, and demoSearch a Korean word of
	// its title that a search finds it by.
	demoTitle  = "사회적가치 제고를 위한 시민참여형 구정혁신 TF 운영"
	demoSearch = "구정혁신"
	district   = "/admin/districts/gwangsan"
)

// Signing in through the console lands on the district's dashboard with
// the user's name shown; the dashboard and the pledge list pass axe and
// fit a phone's width.
func TestConsoleSignInShowsTheUser(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.waitLocation("the Gwangsan dashboard", func(u string) bool { return strings.HasSuffix(u, district) })
	if got := p.textOf("로그인한 사용자"); got != consoleUserName {
		t.Errorf("the header names the user %q, want %q", got, consoleUserName)
	}
	p.expectText("추진 상태별 공약")
	p.shot("dashboard")

	p.phone()
	p.expectText("추진 상태별 공약")
	p.shot("dashboard-phone")
	p.noSideScroll()
	p.axe()

	p.open(district + "/pledges")
	p.expectText(demoTitle)
	p.shot("pledges-phone")
	p.noSideScroll()
	p.axe()
}

// A card uploaded on the import page is first read without writing, the
// report shown, then written; the pledge list finds it by a Korean word of
// its title (and nothing by a word it lacks), and its card page shows the
// card as rendered.
func TestConsoleImportsTheCardAndFindsIt(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.open(district + "/import")
	p.expectText("카드 가져오기")
	card, err := filepath.Abs(demoCard)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.run(chromedp.SetUploadFiles(chromedp.JSPath(`document.querySelector("input[type=file]")`), []string{card})); err != nil {
		t.Fatalf("choosing the card file: %v", err)
	}
	p.click("미리 보기")
	// `gongyak run` imported the card already: the import updates it.
	p.expectText("있던 공약 갱신")
	p.expectText(demoTitle)
	p.shot("preview")
	p.click("가져오기")
	p.click("가져온 카드 보기")
	p.waitLocation("the imported pledge's card", func(u string) bool { return strings.Contains(u, district+"/pledges/") })
	p.expectCard()

	p.open(district + "/pledges")
	p.fill("검색", "해수욕장")
	p.expectText("조건에 맞는 공약이 없습니다.")
	p.fill("검색", demoSearch)
	p.expectText(demoTitle)
	p.waitLocation("the search in the address", func(u string) bool { return strings.Contains(u, "q=") })
	p.shot("search")
	p.click(demoTitle)
	p.expectCard()
	p.shot("card")
}

// A budget cell edited changes its row's, its year's and the whole total
// as it is typed; saved, the cell and total are there after a reload.
func TestConsoleBudgetTotalsFollowTheTyping(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.openDemo("/budget")
	const cell, row, year = "구·군비 2021년 계획", "구·군비 계", "2021년 합계"
	old, total, rowTotal, yearTotal := p.number(p.value(cell)), p.number(p.textOf("총계")), p.number(p.textOf(row)), p.number(p.textOf(year))
	p.shot("before")

	p.fill(cell, "7.25")
	d := 7.25 - old
	p.expectNumber("총계", total+d)
	p.expectNumber(row, rowTotal+d)
	p.expectNumber(year, yearTotal+d)
	p.shot("typed")

	p.click("저장")
	p.expectText("예산을 저장했습니다.")
	want := fmt.Sprintf("저장된 계획: 총 %s 백만원", millions(total+d))
	p.expectText(want)

	if err := p.run(chromedp.Reload()); err != nil {
		t.Fatalf("reloading: %v", err)
	}
	p.expectText(want)
	if got := p.value(cell); got != "7.25" {
		t.Errorf("after a reload the cell %q reads %q, want 7.25", cell, got)
	}
	p.expectNumber("총계", total+d)
	p.shot("reloaded")
}

// Money executed beyond what was secured is refused by the API, and the
// console shows its error at the cell, marked invalid; nothing is saved.
func TestConsoleBudgetFieldErrorAtTheCell(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.openDemo("/budget")
	p.choose("확보")
	secured := p.number(p.value("구·군비 2020년 확보"))
	p.choose("집행")
	const cell = "구·군비 2020년 집행"
	p.fill(cell, millions(secured+100))
	p.click("저장")
	msg := p.fieldError(cell)
	if !strings.Contains(msg, "secured") {
		t.Errorf("the error at %q says %q, want it to say executed is more than secured", cell, msg)
	}
	p.shot("field-error")
	p.expectText("입력한 내용에 잘못된 값이 있습니다.")

	p.open(district) // leaves the page; the draft stays in the tab
	p.openDemo("/budget")
	p.choose("집행")
	p.expectText("저장하지 않은 내용을 다시 불러왔습니다.")
	// The saved plan did not take the refused amount: a fresh tab of the
	// same user, whose tab keeps no draft,
	// reads it from the API.
	q := p.newTab()
	q.signIn(consoleUser)
	q.openDemo("/budget")
	q.choose("집행")
	if got := q.value(cell); got == millions(secured+100) {
		t.Errorf("the refused amount %s was saved", got)
	}
}

// Two tabs edit the same budget: the second to save is told another saved
// first, and reloading shows the first tab's amount.
func TestConsoleBudgetConflictBetweenTabs(t *testing.T) {
	a := newPage(t)
	a.signIn(consoleUser)
	b := a.newTab()
	b.signIn(consoleUser)
	const cell = "구·군비 2022년 계획"
	for _, tab := range []*page{a, b} {
		tab.openDemo("/budget")
		tab.value(cell)
	}
	a.fill(cell, "11")
	a.click("저장")
	a.expectText("예산을 저장했습니다.")

	b.fill(cell, "22")
	b.click("저장")
	b.expectText("다른 사람이 먼저 고쳤습니다")
	b.shot("conflict")
	b.click("다시 불러오기 (내가 고친 내용 버림)")
	b.eventually("the first tab's amount after reloading", func() (bool, string, error) {
		v, err := eval[string](b, js(controlJS, cell)+".value")
		return v == "11", "the cell reads " + v, err
	})
	b.shot("reloaded")
}

// A status changed with a reason shows as the current status, and in the
// history with its reason.
func TestConsoleStatusChangeWithReason(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.openDemo("/status")
	p.expectText("현재 상태:")
	p.click("상태 변경")
	if msg := p.fieldError("변경 사유"); !strings.Contains(msg, "까닭") {
		t.Errorf("a change without a reason: the reason's error says %q", msg)
	}
	p.pick("바꿀 상태", "보류")
	reason := "재원 확보 지연으로 보류 (브라우저 시험)"
	p.fill("변경 사유", reason)
	p.click("상태 변경")
	p.expectText("상태를 바꿨습니다.")
	p.expectText("현재 상태: 보류")
	p.eventually("the change in the history", func() (bool, string, error) {
		rows, err := eval[string](p, `[...document.querySelectorAll('table[aria-label="상태 변경 이력"] tbody tr')].map(r => r.innerText).join("\n")`)
		return strings.Contains(rows, reason) && strings.Contains(rows, "→ 보류") && strings.Contains(rows, consoleUser), rows, err
	})
	p.shot("history")
}

// openDemo opens the demo pledge's page at suffix ("" its card, "/budget"
// …), found by searching the list as a user would, and waits for it.
func (p *page) openDemo(suffix string) {
	p.t.Helper()
	p.open(district + "/pledges?q=" + demoSearch)
	p.click(demoTitle)
	at := p.waitLocation("the demo pledge's card", func(u string) bool { return strings.Contains(u, district+"/pledges/") })
	p.open(strings.TrimPrefix(at, p.s.Base) + suffix)
	p.expectText(demoTitle)
}

// expectCard waits for the card page of the demo pledge: the card as the
// pledge service renders it, in its frame.
func (p *page) expectCard() {
	p.t.Helper()
	p.eventually("the rendered card", func() (bool, string, error) {
		html, err := eval[string](p, `document.querySelector('iframe[title="공약 이행 카드"]')?.srcdoc ?? ""`)
		return strings.Contains(html, demoTitle) && strings.Contains(html, "연차별 추진계획"), fmt.Sprintf("a card frame of %d characters", len(html)), err
	})
}

// value is the value of the control labelled label.
func (p *page) value(label string) string {
	p.t.Helper()
	p.control(label)
	v, err := eval[string](p, js(controlJS, label)+".value")
	if err != nil {
		p.t.Fatalf("reading %q: %v", label, err)
	}
	return v
}

// textOf is the text of the element labelled label (aria-label).
func (p *page) textOf(label string) string {
	p.t.Helper()
	p.control(label)
	v, err := eval[string](p, js(controlJS, label)+".innerText.trim()")
	if err != nil {
		p.t.Fatalf("reading %q: %v", label, err)
	}
	return v
}

// choose picks the radio labelled label (a segment of a segmented
// control), as a click on its label does.
func (p *page) choose(label string) {
	p.t.Helper()
	p.control(label)
	if _, err := eval[bool](p, js(controlJS, label)+".click() ?? true"); err != nil {
		p.t.Fatalf("choosing %q: %v", label, err)
	}
}

// pick opens the list of the select labelled label and clicks option, the
// one shown: the lists of the page's other selects stay in it, hidden. A
// list that does not open, or closes before the click lands (the page was
// redrawing, which a loaded machine makes likely), is opened again, as a
// user would.
func (p *page) pick(label, option string) {
	p.t.Helper()
	shown := js(`(name) => [...document.querySelectorAll("[role=option]")].find(o => o.getClientRects().length > 0 && o.innerText.trim() === name) || null`, option)
	deadline := time.Now().Add(2 * stepTimeout)
	for {
		if err := p.run(chromedp.Click(p.control(label))); err != nil {
			p.t.Fatalf("opening %q: %v", label, err)
		}
		var open bool
		for wait := time.Now().Add(3 * time.Second); !open && time.Now().Before(wait); time.Sleep(100 * time.Millisecond) {
			open, _ = eval[bool](p, shown+" !== null")
		}
		var err error
		if open {
			ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
			err = chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(shown)))
			cancel()
			if err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			if err != nil {
				p.t.Fatalf("picking %q in %q: %v", option, label, err)
			}
			p.t.Fatalf("picking %q in %q: the list never showed it", option, label)
		}
	}
}

// number reads a 백만원 text as the console writes it ("1,234.5", "" is 0).
func (p *page) number(text string) float64 {
	p.t.Helper()
	t := strings.ReplaceAll(strings.TrimSpace(text), ",", "")
	if t == "" || t == "-" {
		return 0
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil {
		p.t.Fatalf("%q is not an amount: %v", text, err)
	}
	return n
}

// expectNumber waits until the element labelled label shows n.
func (p *page) expectNumber(label string, n float64) {
	p.t.Helper()
	want := millions(n)
	p.eventually(fmt.Sprintf("%q to read %s", label, want), func() (bool, string, error) {
		got, err := eval[string](p, js(controlJS, label)+"?.innerText.trim() ?? \"\"")
		return got == want, fmt.Sprintf("%q reads %q", label, got), err
	})
}

// millions writes n as the console writes 백만원 (grouped by thousands).
func millions(n float64) string {
	s := strconv.FormatFloat(n, 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// The pledge's pages and the import page, on a phone, pass axe and do not
// scroll sideways.
func TestConsolePledgePagesFitAPhone(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.phone()
	for _, page := range []struct{ suffix, shows string }{
		{"", "예산 편집"},
		{"/budget", "투자 계획"},
		{"/status", "변경 이력"},
	} {
		p.openDemo(page.suffix)
		p.expectText(page.shows)
		p.shot("phone" + strings.ReplaceAll(page.suffix, "/", "-"))
		p.noSideScroll()
		p.axe()
	}
	p.open(district + "/import")
	p.expectText("카드 파일 (.txt)")
	p.shot("phone-import")
	p.noSideScroll()
	p.axe()
}

// A year's assessment of the demo pledge's indicator (정성, assessed rather
// than counted) is saved and kept after a reload.
func TestConsoleIndicatorAssessmentSaved(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.openDemo("/indicators")
	const year = "2020년 평가"
	p.pick(year, "일부 달성")
	p.click("저장")
	p.expectText("실적을 저장했습니다.")
	p.shot("saved")
	if err := p.run(chromedp.Reload()); err != nil {
		t.Fatalf("reloading: %v", err)
	}
	p.eventually("the assessment after a reload", func() (bool, string, error) {
		v, err := eval[string](p, js(controlJS, year)+"?.value ?? \"\"")
		return v == "일부 달성", year + " reads " + v, err
	})
}
