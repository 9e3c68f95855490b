//go:build browser

package browser

import (
	"strings"
	"testing"
)

// spoilTokenJS replaces the access token oidc-client-ts keeps in the tab's
// session storage with one the API refuses, as a token that ran out is
// refused, and says how many it changed.
const spoilTokenJS = `(() => {
  let n = 0;
  for (const k of Object.keys(sessionStorage)) {
    if (!k.startsWith("oidc.user:")) continue;
    const u = JSON.parse(sessionStorage.getItem(k));
    u.access_token = "refused." + u.access_token.slice(8);
    sessionStorage.setItem(k, JSON.stringify(u));
    n++;
  }
  return n;
})()`

// A session the API stops accepting while a form is being filled in brings
// a sign-in notice over the page; signing in again comes back to the same
// page with what was typed still there, and it saves.
func TestConsoleExpiredSessionKeepsTheForm(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.openDemo("/progress")
	const date, entry = "'26. 11.", "만료된 로그인 뒤에도 남은 추진 내용"
	p.fill("날짜", date)
	p.fill("추진 내용", entry)

	if n, err := eval[int](p, spoilTokenJS); err != nil || n != 1 {
		t.Fatalf("spoiling the stored token: changed %d, %v", n, err)
	}
	at := strings.TrimPrefix(p.location(), p.s.Base)
	p.open(at) // the page loads again with the token the API refuses
	p.expectText("로그인이 만료되었습니다")
	p.shot("expired")
	p.click("다시 로그인")
	p.waitLocation("the provider's login page", p.atLogin)
	p.login(consoleUser, p.s.passwords[consoleUser])
	p.waitLocation("the same page, signed in again", func(u string) bool { return strings.HasSuffix(u, at) })

	if got := p.value("날짜"); got != date {
		t.Errorf("after signing in again the date reads %q, want the typed %q", got, date)
	}
	if got := p.value("추진 내용"); got != entry {
		t.Errorf("after signing in again the entry reads %q, want the typed %q", got, entry)
	}
	p.click("추가")
	p.expectText("추진상황을 추가했습니다.")
	if got := p.value("추진 내용"); got != "" {
		t.Errorf("after saving, the form still holds %q", got)
	}
	// Saved, the draft is gone: a reload shows an empty form and the entry
	// in the log.
	p.open(at)
	p.expectText(entry)
	if got := p.value("추진 내용"); got != "" {
		t.Errorf("after saving and reloading, the form holds %q", got)
	}
}
