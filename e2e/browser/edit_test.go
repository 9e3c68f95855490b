//go:build browser

package browser

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The pledge editor (공약 편집) and the photos page (관련사진) of the
// demo pledge, used as Gwangsan's officials use them.

// A section's text and a list's new item, moved up by the keyboard, are
// saved and shown on the card as rendered, in the order they were put in.
func TestEditSectionsShowOnTheCard(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.openDemo("")
	p.click("공약 편집")
	p.expectText("공약 편집")
	const goal = "시민참여 혁신TF 상설화 (브라우저 시험)"
	p.fill("최종목표", goal)

	// The demo card has two background points; a third goes before the second.
	first, second := p.value("추진배경 1 내용"), p.value("추진배경 2 내용")
	p.click("추진배경 추가")
	const point = "시민 제안 정책화 요구 증가 (브라우저 시험)"
	p.fill("추진배경 3 소제목", "제안 확대")
	p.fill("추진배경 3 내용", point)
	p.press("추진배경 3 위로", kb.Enter)
	if got := p.value("추진배경 2 내용"); got != point {
		t.Fatalf("after moving the new point up, point 2 reads %q, want %q", got, point)
	}
	if got := p.value("추진배경 3 내용"); got != second {
		t.Fatalf("after moving the new point up, point 3 reads %q, want the old second %q", got, second)
	}
	if focused := p.focused(); focused != "추진배경 2 위로" {
		t.Errorf("after the move the focus is on %q, want the moved item's button (추진배경 2 위로)", focused)
	}
	p.expectText("고친 항목: 2개")
	p.shot("edited")
	p.click("저장")
	p.expectText("공약을 저장했습니다.")

	p.click("카드 보기")
	p.expectCard()
	p.eventually("the edits on the rendered card, in order", func() (bool, string, error) {
		html, err := eval[string](p, `document.querySelector('iframe[title="공약 이행 카드"]')?.srcdoc ?? ""`)
		a, b, c := strings.Index(html, prefix(first, 10)), strings.Index(html, point), strings.Index(html, prefix(second, 10))
		return strings.Contains(html, goal) && a >= 0 && a < b && b < c, "a card without the goal or the point between the old two", err
	})
	p.shot("card")
}

// Values the API refuses are shown at their fields, marked invalid, and
// nothing is saved.
func TestEditFieldErrorsAtTheFields(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.openDemo("/edit")
	p.fill("연차별 목표 1 연도", "2030")
	p.fill("담당자 1 연락처", "내선 없음")
	p.click("저장")
	if msg := p.fieldError("연차별 목표 1 연도"); !strings.Contains(msg, "2030 is outside the years") {
		t.Errorf("the year's error says %q", msg)
	}
	if msg := p.fieldError("담당자 1 연락처"); !strings.Contains(msg, "not a phone number") {
		t.Errorf("the phone's error says %q", msg)
	}
	if a := p.alert(); !strings.Contains(a, "잘못된 값") {
		t.Errorf("the page's message says %q", a)
	}
	p.shot("errors")
	if err := p.run(chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	// The draft comes back; the pledge itself was not changed.
	p.expectText("저장하지 않은 내용을 다시 불러왔습니다.")
	if got := p.value("연차별 목표 1 연도"); got != "2030" {
		t.Errorf("the draft's year reads %q after a reload, want 2030", got)
	}
	p.openDemo("")
	p.expectCard()
	html, err := eval[string](p, `document.querySelector('iframe[title="공약 이행 카드"]').srcdoc`)
	if err != nil || strings.Contains(html, "2030") || strings.Contains(html, "내선 없음") {
		t.Errorf("the refused values reached the card (or it could not be read: %v)", err)
	}
}

// Two tabs edit the pledge, each a different section: the second to save
// is told, keeps its own, and after a reload both are there (keeping mine
// sends only what this tab changed).
func TestEditConflictBetweenTabs(t *testing.T) {
	a := newPage(t)
	a.signIn(consoleUser)
	b := a.newTab()
	b.signIn(consoleUser)
	for _, tab := range []*page{a, b} {
		tab.openDemo("/edit")
		tab.value("최종목표")
	}
	a.fill("최종목표", "첫 탭의 목표")
	a.click("저장")
	a.expectText("공약을 저장했습니다.")

	b.fill("기간 표기", "2018. ~ 계속 (둘째 탭)")
	b.click("저장")
	b.expectText("다른 사람이 먼저 고쳤습니다")
	b.shot("conflict")
	b.click("내 것으로 저장 (다른 사람이 고친 내용 덮어씀)")
	b.expectText("공약을 저장했습니다.")
	if err := a.run(chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	a.eventually("both tabs' sections after a reload", func() (bool, string, error) {
		v, err := eval[[]string](a, `[`+js(controlJS, "최종목표")+`?.value, `+js(controlJS, "기간 표기")+`?.value]`)
		return err == nil && v[0] == "첫 탭의 목표" && v[1] == "2018. ~ 계속 (둘째 탭)", fmt.Sprintf("최종목표, 기간 표기 read %q", v), err
	})
}

// An expired session sends the user through the provider's login and back
// to the editor with what they had typed.
func TestEditDraftOutlivesSignIn(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.openDemo("/edit")
	const typed = "로그인이 끝나도 남는 목표"
	p.fill("최종목표", typed)
	// The tokens gone from the tab, as when they expire: the console goes
	// back to the provider.
	if _, err := eval[bool](p, `Object.keys(sessionStorage).filter(k => k.startsWith("oidc.user:")).forEach(k => sessionStorage.removeItem(k)) ?? true`); err != nil {
		t.Fatal(err)
	}
	if err := p.run(chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	p.waitLocation("the provider's login page", p.atLogin)
	p.login(consoleUser, p.s.passwords[consoleUser])
	p.waitLocation("the editor again", func(u string) bool { return strings.HasSuffix(u, "/edit") })
	p.expectText("저장하지 않은 내용을 다시 불러왔습니다.")
	if got := p.value("최종목표"); got != typed {
		t.Errorf("after signing in again 최종목표 reads %q, want %q", got, typed)
	}
}

// A PNG made here is uploaded as a new photo and shown; a file that is
// not the image it claims is refused with the API's reason at the field.
func TestEditPhotoUpload(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.openDemo("")
	p.click("사진")
	p.expectText("관련사진")
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "tf.png"), filepath.Join(dir, "not-a-picture.png")
	writePNG(t, good)
	if err := os.WriteFile(bad, []byte("this is text, not a picture"), 0o644); err != nil {
		t.Fatal(err)
	}

	p.fill("사진 설명", "구정혁신 TF 회의 (브라우저 시험)")
	p.chooseFile(good)
	p.click("올리기")
	p.expectText("을 올렸습니다.")
	p.eventually("the uploaded photo shown", func() (bool, string, error) {
		w, err := eval[int](p, `[...document.querySelectorAll('img[alt="구정혁신 TF 회의 (브라우저 시험)"]')].map(i => i.naturalWidth).find(w => w > 0) ?? 0`)
		return w == 3, "no image of the caption loaded", err
	})
	p.shot("uploaded")

	// On the card the photo is in the frame inline: the frame's own
	// request would carry no token.
	p.openDemo("")
	p.eventually("the photo inline in the rendered card", func() (bool, string, error) {
		html, err := eval[string](p, `document.querySelector('iframe[title="공약 이행 카드"]')?.srcdoc ?? ""`)
		return strings.Contains(html, `src="data:image/png;base64,`) && strings.Contains(html, "구정혁신 TF 회의 (브라우저 시험)"),
			fmt.Sprintf("a card frame of %d characters", len(html)), err
	})
	p.open(strings.TrimPrefix(p.location(), p.s.Base) + "/photos")

	p.fill("사진 설명", "텍스트 파일")
	p.chooseFile(bad)
	p.click("올리기")
	if msg := p.fieldError("사진 파일 (JPEG, PNG)"); !strings.Contains(msg, "is not image/png as declared") {
		t.Errorf("the file's error says %q", msg)
	}
	p.shot("refused")
}

// A viewer may open the editor but not save: the permission message.
func TestEditViewerIsRefused(t *testing.T) {
	p := newPage(t)
	p.signIn("gwangsan-viewer")
	p.openDemo("/edit")
	p.fill("최종목표", "열람자가 고친 목표")
	p.click("저장")
	if a := p.alert(); !strings.Contains(a, "권한이 없습니다") {
		t.Errorf("the viewer's save says %q", a)
	}
}

// The editor and the photos page pass axe and fit a phone.
func TestEditPagesFitAPhone(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.phone()
	for _, page := range []struct{ suffix, shows string }{
		{"/edit", "연차별 달성 목표"},
		{"/photos", "사진 올리기"},
	} {
		p.openDemo(page.suffix)
		p.expectText(page.shows)
		p.shot("phone" + strings.ReplaceAll(page.suffix, "/", "-"))
		p.noSideScroll()
		p.axe()
	}
}

// writePNG writes a 3×2 picture to path.
func writePNG(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for x := range 3 {
		img.Set(x, 0, color.RGBA{R: 200, A: 255})
		img.Set(x, 1, color.RGBA{B: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// chooseFile puts path in the page's file input, as choosing it does.
func (p *page) chooseFile(path string) {
	p.t.Helper()
	if err := p.run(chromedp.SetUploadFiles(chromedp.JSPath(`document.querySelector("input[type=file]")`), []string{path})); err != nil {
		p.t.Fatalf("choosing %s: %v", path, err)
	}
}

// press focuses the button named name and presses key on it, as a
// keyboard user does.
func (p *page) press(name, key string) {
	p.t.Helper()
	p.eventually(fmt.Sprintf("a button %q", name), func() (bool, string, error) {
		found, err := eval[bool](p, js(clickableJS, name)+" !== null")
		body, _ := p.bodyText()
		return found, body, err
	})
	if err := p.run(chromedp.Evaluate[chromedp.Void](js(clickableJS, name)+".focus()"), chromedp.KeyEvent(key)); err != nil {
		p.t.Fatalf("pressing %q on %q: %v", key, name, err)
	}
}

// focused is the accessible name (aria-label or text) of the focused element.
func (p *page) focused() string {
	p.t.Helper()
	var name string
	p.eventually("a focused element", func() (bool, string, error) {
		n, err := eval[string](p, `(document.activeElement?.getAttribute("aria-label") || document.activeElement?.innerText || "").trim()`)
		name = n
		return n != "", "nothing focused", err
	})
	return name
}

// prefix is the first n characters of s.
func prefix(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}
