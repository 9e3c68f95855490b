//go:build browser

package browser

import (
	"slices"
	"strings"
	"testing"
)

// msgWrongPassword is what the provider's login page says to a wrong user
// name or password alike (cmd/devidp/login.go).
const msgWrongPassword = "아이디 또는 비밀번호가 올바르지 않습니다."

// A development user signs in on the provider's page in the browser, and
// the browser comes back to the console's redirect with a code and the
// state, which the console can redeem for the user's token.
func TestLoginPageSignsInAndReturnsACode(t *testing.T) {
	p := newPage(t)
	back := p.catchRequests(p.s.consoleCallback())
	a := p.authorizeConsole()
	p.open(a.url)
	p.waitLocation("the provider's login page", p.atLogin)
	p.shot("login-page")
	p.login("gwangsan-admin", p.s.passwords["gwangsan-admin"])

	u := p.waitCallback(back)
	p.shot("back-at-callback")
	q := u.Query()
	if got := u.Scheme + "://" + u.Host + u.Path; got != p.s.consoleCallback() {
		t.Errorf("the browser came back to %s, want %s", got, p.s.consoleCallback())
	}
	if q.Get("state") != a.state {
		t.Errorf("state %q, want the console's %q", q.Get("state"), a.state)
	}
	if q.Get("code") == "" || q.Get("error") != "" {
		t.Fatalf("no code in %s", u)
	}
	claims, err := a.exchange(t.Context(), p.s.consoleCallback(), q.Get("code"))
	if err != nil {
		t.Fatalf("redeeming the code: %v", err)
	}
	roles, _ := claims["gongyak_roles"].([]any)
	if !slices.Contains(roles, any("district-admin@districts/gwangsan")) {
		t.Errorf("the token's roles are %v, want gwangsan-admin's district-admin@districts/gwangsan", claims["gongyak_roles"])
	}
}

// A wrong password and an unknown user get the same message on the page,
// which names neither part nor repeats the password; the form stays
// usable, and no code is sent back until the right password is given.
func TestLoginPageRefusesAWrongPassword(t *testing.T) {
	p := newPage(t)
	back := p.catchRequests(p.s.consoleCallback())
	p.open(p.authorizeConsole().url)
	p.waitLocation("the provider's login page", p.atLogin)

	for _, try := range []struct{ user, password string }{
		{"gwangsan-admin", "not-the-password-7Qx"},
		{"no-such-user", "not-the-password-7Qx"},
	} {
		p.login(try.user, try.password)
		if got := p.alert(); got != msgWrongPassword {
			t.Errorf("%s with a wrong password: the page says %q, want %q", try.user, got, msgWrongPassword)
		}
		p.shot("refused-" + try.user)
		body, err := p.bodyText()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(body, try.password) {
			t.Errorf("the page repeats the password typed:\n%s", body)
		}
		if v, err := eval[string](p, js(controlJS, passwordLabel)+".value"); err != nil || v != "" {
			t.Errorf("the password field keeps %q (%v), want it empty", v, err)
		}
		if urls := back.all(); len(urls) > 0 {
			t.Fatalf("a refused sign-in came back to the console: %v", urls)
		}
	}

	p.login("gwangsan-admin", p.s.passwords["gwangsan-admin"])
	if u := p.waitCallback(back); u.Query().Get("code") == "" {
		t.Errorf("signing in after refusals: no code in %s", u)
	}
}

// Two tabs signing in at once, as two users of one browser might, each
// come back with a code of their own: the second form does not spoil the
// first's.
func TestLoginPageInTwoTabs(t *testing.T) {
	first := newPage(t)
	second := first.newTab()
	tabs := []*page{first, second}
	var backs []*caught
	var auths []authorization
	for _, tab := range tabs {
		backs = append(backs, tab.catchRequests(tab.s.consoleCallback()))
		auths = append(auths, tab.authorizeConsole())
		tab.open(auths[len(auths)-1].url)
		tab.waitLocation("the provider's login page", tab.atLogin)
	}
	for i, user := range []string{"gwangsan-admin", "gwangsan-viewer"} {
		tabs[i].login(user, tabs[i].s.passwords[user])
		u := tabs[i].waitCallback(backs[i])
		tabs[i].shot("back-" + user)
		if u.Query().Get("state") != auths[i].state || u.Query().Get("code") == "" {
			t.Errorf("tab %d (%s) came back to %s, want a code and its state %q", i+1, user, u, auths[i].state)
		}
	}
}

// The login page, as it first shows and with its error, passes axe with
// no serious or critical finding and fits a phone's and a desktop's width.
func TestLoginPageIsAccessibleAndFits(t *testing.T) {
	for _, size := range []struct {
		name string
		set  func(*page)
	}{
		{"phone", (*page).phone},
		{"desktop", (*page).desktop},
	} {
		t.Run(size.name, func(t *testing.T) {
			p := newPage(t)
			size.set(p)
			p.open(p.authorizeConsole().url)
			p.waitLocation("the provider's login page", p.atLogin)
			p.expectText(loginButton)
			p.shot("form")
			p.noSideScroll()
			p.axe()

			p.login("gwangsan-admin", "not-the-password-7Qx")
			p.alert()
			p.shot("error")
			p.noSideScroll()
			p.axe()
		})
	}
}
