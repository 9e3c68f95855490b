//go:build browser

package browser

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The console's citizen participation pages: programs of a pledge and of
// the district, their members (personal data masked unless the user may
// see it), submissions with awards, and the results the API computes.

const (
	// privacyUser may see Gwangsan's personal data (viewer + personal-data).
	privacyUser = "gwangsan-privacy"
	// memberName, memberPhone are a made-up citizen's, and their masks.
	memberName        = "정세정"
	memberNameMasked  = "정*정"
	memberPhone       = "010-2345-6789"
	memberPhoneMasked = "010-****-6789"
)

// unique makes a title no earlier run of the suite has used.
func unique(prefix string) string {
	return fmt.Sprintf("%s %d", prefix, time.Now().UnixNano()%1_000_000_000)
}

// newProgram adds a program of kind (its Korean name) serving the demo
// pledge, from the pledge's programs page, and returns its page's path.
func (p *page) newProgram(kind, title string) string {
	p.t.Helper()
	p.openDemo("/programs")
	p.click("프로그램 추가")
	// The list has a 종류 of its own, to filter by: the form's is the one after it.
	p.waitLocation("the new program's form", func(u string) bool { return strings.Contains(u, "/programs/new") })
	p.expectText("계획한 인원·건수")
	p.pick("종류", kind)
	p.fill("제목", title)
	p.click("추가")
	p.expectText("프로그램을 추가했습니다.")
	at := p.waitLocation("the new program's page", func(u string) bool {
		return strings.Contains(u, district+"/programs/") && !strings.HasSuffix(u, "/new")
	})
	p.expectText(title)
	return strings.TrimPrefix(at, p.s.Base)
}

// The demo card's import brought its idea contest: the pledge's programs
// page lists it, and its results show the card's gold award with the
// proposer masked.
func TestParticipationImportedContestIsListed(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.openDemo("/programs")
	p.expectText("이 공약의 참여 프로그램")
	p.expectText("아이디어 공모전")
	first, err := eval[string](p, `document.querySelector('table[aria-label="참여 프로그램"] tbody a')?.innerText ?? ""`)
	if err != nil || first == "" {
		t.Fatalf("the pledge's programs list no program (%v)", err)
	}
	p.click(first)
	p.click("평가·결과")
	p.expectText("공모 결과")
	p.eventually("the card's gold award in the results", func() (bool, string, error) {
		rows, err := eval[string](p, `[...document.querySelectorAll('table[aria-label="시상 결과"] tbody tr')].map(r => r.innerText).join("\n")`)
		return strings.Contains(rows, "금상") && strings.Contains(rows, "청각장애인") && strings.Contains(rows, "정*정"), rows, err
	})
	p.shot("imported-contest-results")
}

// A program added and a member added to it as the district's admin: the
// member's name and phone come back masked, as the page says; the user
// who may see personal data sees them plain, and neither puts them in the
// address or the title.
func TestParticipationMemberMaskedUnlessPersonalData(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	title := unique("시민참여 혁신TF (브라우저 시험)")
	program := p.newProgram("태스크포스(TF)", title)
	p.click("구성원")
	p.expectText("개인정보는 가려서 보입니다")
	p.fill("이름", memberName)
	p.fill("전화번호", "12345")
	p.click("추가")
	if msg := p.fieldError("전화번호"); !strings.Contains(msg, "phone number") {
		t.Errorf("the error at 전화번호 says %q, want it to say it is no phone number", msg)
	}
	p.fill("전화번호", memberPhone)
	p.fill("소속", "시민행복위원회")
	p.click("추가")
	p.expectText("구성원을 추가했습니다.")
	rows := p.memberRows()
	if !strings.Contains(rows, memberNameMasked) || !strings.Contains(rows, memberPhoneMasked) {
		t.Errorf("the admin's member list reads %q, want the name and phone masked (%s, %s)", rows, memberNameMasked, memberPhoneMasked)
	}
	if strings.Contains(rows, memberName) || strings.Contains(rows, memberPhone) {
		t.Errorf("the admin's member list shows personal data plain: %q", rows)
	}
	p.shot("members-masked")
	p.noPersonalDataOutsideThePage()

	// Changed by a user who sees it masked: the personal data cannot be
	// changed, and what is changed leaves it as it was.
	p.click("1번째 구성원 고치기")
	p.expectText("가려져 있어 여기서 고칠 수 없습니다")
	p.fill("소속", "정책기획단")
	p.click("저장")
	p.expectText("구성원 정보를 저장했습니다.")
	p.eventually("the changed affiliation, the person as before", func() (bool, string, error) {
		rows, err := eval[string](p, `[...document.querySelectorAll('table[aria-label="구성원 목록"] tbody tr')].map(r => r.innerText).join("\n")`)
		return strings.Contains(rows, "정책기획단") && strings.Contains(rows, memberNameMasked) && strings.Contains(rows, memberPhoneMasked), rows, err
	})

	p.fitsPhone()
	p.open(program)
	p.expectText("프로그램 고치기")
	p.fitsPhone()

	// A browser of its own (its own screenshots folder): the provider
	// would otherwise sign the admin in again.
	t.Run("as "+privacyUser, func(t *testing.T) {
		q := newPage(t)
		q.signIn(privacyUser)
		q.open(program + "/members")
		q.expectText("개인정보가 그대로 보입니다")
		q.eventually("the member's name and phone plain", func() (bool, string, error) {
			rows, err := eval[string](q, `[...document.querySelectorAll('table[aria-label="구성원 목록"] tbody tr')].map(r => r.innerText).join("\n")`)
			return strings.Contains(rows, memberName) && strings.Contains(rows, memberPhone), rows, err
		})
		// A viewer changes nothing: no form to add or change a member.
		if none, err := eval[bool](q, js(clickableJS, "1번째 구성원 고치기")+` === null && !document.querySelector('form[aria-label="구성원 추가"]')`); err != nil || !none {
			t.Errorf("the viewer who sees personal data is offered to change members (%v)", err)
		}
		q.shot("members-unmasked")
		q.noPersonalDataOutsideThePage()
	})
}

// fitsPhone checks the page at a phone's width: it does not scroll
// sideways and axe finds nothing serious; a screenshot is kept.
func (p *page) fitsPhone() {
	p.t.Helper()
	p.phone()
	p.shot("phone")
	p.noSideScroll()
	p.axe()
}

// memberRows waits for the member list and returns its rows' text.
func (p *page) memberRows() string {
	p.t.Helper()
	var rows string
	p.eventually("a member in the list", func() (bool, string, error) {
		r, err := eval[string](p, `[...document.querySelectorAll('table[aria-label="구성원 목록"] tbody tr')].map(r => r.innerText).join("\n")`)
		rows = r
		return r != "", "no rows", err
	})
	return rows
}

// noPersonalDataOutsideThePage fails the test when the member's name or
// phone is in the address or the document's title.
func (p *page) noPersonalDataOutsideThePage() {
	p.t.Helper()
	r, err := eval[struct{ Href, Title string }](p, `({href: decodeURIComponent(location.href), title: document.title})`)
	if err != nil {
		p.t.Fatal(err)
	}
	for _, s := range []string{memberName, memberPhone} {
		if strings.Contains(r.Href, s) || strings.Contains(r.Title, s) {
			p.t.Errorf("personal data %q is in the address %q or the title %q", s, r.Href, r.Title)
		}
	}
}

// A submission recorded with judges' scores, then selected and given an
// award, shows in the contest's results with its mean score and its
// proposer masked; an evaluation's entry shows in its tally.
func TestParticipationSubmissionAwardAndTally(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	program := p.newProgram("아이디어 공모전", unique("행복정책 아이디어 공모전 (브라우저 시험)"))
	p.click("제안·시상")
	idea := "동 행정복지센터 어린이 책 나눔"
	p.fill("제안 제목", idea)
	p.fill("제안자 이름", memberName)
	p.fill("심사 점수", "80, 91")
	p.click("기록")
	p.expectText("제안을 기록했습니다.")
	p.expectText("85.50")
	p.click(idea + " 선정·시상")
	p.choose("선정")
	p.fill("시상", "금상")
	p.fill("시상 순위", "1")
	p.click("저장")
	p.expectText("선정·시상을 저장했습니다.")
	p.expectText("금상 (1위)")
	p.shot("submission-awarded")
	p.fitsPhone()
	p.desktop()

	p.open(program + "/results")
	p.expectText("공모 결과")
	p.expectText("접수 1건 · 선정 1건 · 시상 1건")
	p.eventually("the award in the results", func() (bool, string, error) {
		rows, err := eval[string](p, `[...document.querySelectorAll('table[aria-label="시상 결과"] tbody tr')].map(r => r.innerText).join("\n")`)
		return strings.Contains(rows, idea) && strings.Contains(rows, "금상") && strings.Contains(rows, "85.50") &&
			strings.Contains(rows, memberNameMasked) && !strings.Contains(rows, memberName), rows, err
	})
	p.shot("contest-results")
	p.fitsPhone()
	p.desktop()

	p.newProgram("정책 경진대회", unique("행복혁신정책 경진대회 (브라우저 시험)"))
	p.click("평가·결과")
	p.expectText("평가 집계")
	p.fill("항목 제목", "어린이 행복 공유")
	p.fill("전문가 점수", "88.5")
	p.click("추가")
	p.expectText("평가 항목을 추가했습니다.")
	p.eventually("the entry in the tally", func() (bool, string, error) {
		rows, err := eval[string](p, `[...document.querySelectorAll('table[aria-label="평가 집계"] tbody tr')].map(r => r.innerText).join("\n")`)
		return strings.Contains(rows, "어린이 행복 공유") && strings.Contains(rows, "88.5"), rows, err
	})
	p.shot("tally")
	p.fitsPhone()
}

// Declared selections beyond the declared applications are refused by the
// API, and the console shows its error at the field; a program saved over
// another tab's save is an etag conflict the page explains.
func TestParticipationProgramFieldErrorAndConflict(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.open(district + "/programs/new")
	p.expectText("계획한 인원·건수")
	p.fitsPhone()
	p.desktop()
	p.pick("종류", "아이디어 공모전")
	p.fill("제목", unique("선정 건수 시험"))
	p.fill("접수 건수", "5")
	p.fill("선정 건수", "9")
	p.click("추가")
	if msg := p.fieldError("선정 건수"); !strings.Contains(msg, "applications") {
		t.Errorf("the error at 선정 건수 says %q, want it to say it is more than the applications", msg)
	}
	p.expectText("입력한 내용에 잘못된 값이 있습니다.")
	p.shot("field-error")

	p.fill("선정 건수", "3")
	p.click("추가")
	p.expectText("프로그램을 추가했습니다.")
	program := strings.TrimPrefix(p.waitLocation("the new program's page", func(u string) bool {
		return strings.Contains(u, district+"/programs/") && !strings.HasSuffix(u, "/new")
	}), p.s.Base)
	p.open(district + "/programs")
	p.expectText("시민참여 프로그램")
	p.fitsPhone()
	p.desktop()

	q := p.newTab()
	q.signIn(consoleUser)
	for _, tab := range []*page{p, q} {
		tab.open(program)
		tab.expectText("프로그램 고치기")
	}
	p.fill("설명", "첫 번째 탭에서 고침")
	p.click("저장")
	p.expectText("프로그램을 저장했습니다.")
	q.fill("설명", "두 번째 탭에서 고침")
	q.click("저장")
	q.expectText("다른 사람이 먼저 고쳤습니다")
	q.shot("conflict")
	q.click("다시 불러오기 (내가 고친 내용 버림)")
	q.eventually("the first tab's description after reloading", func() (bool, string, error) {
		v, err := eval[string](q, js(controlJS, "설명")+".value")
		return v == "첫 번째 탭에서 고침", "the description reads " + v, err
	})
}
