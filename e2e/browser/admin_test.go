//go:build browser

package browser

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/gongyak/gongyak/cmd/devidp"
	"github.com/gongyak/gongyak/pkg/auth"
)

// The console's administration: API keys, the signed-in user's roles, the
// audit log, and signing out.

// consoleTexts is web/console/src/roles.json: the Korean the console
// shows for each role, permission and API key scope.
type consoleTexts struct {
	Permissions map[string]string `json:"permissions"`
	Roles       map[string]struct {
		Label   string   `json:"label"`
		Note    string   `json:"note"`
		Permits []string `json:"permits"`
	} `json:"roles"`
	Scopes map[string]string `json:"scopes"`
}

// permissionKeys name the Go side's permissions as roles.json does. A
// permission added to pkg/auth without a name here fails
// TestConsoleRolesMatchTheGoSide: give it one here and a text there.
var permissionKeys = map[auth.Permission]string{
	auth.ReadData: "ReadData", auth.ReadSummaries: "ReadSummaries", auth.WriteData: "WriteData",
	auth.WriteDistrict: "WriteDistrict", auth.CreateDistrict: "CreateDistrict", auth.Participate: "Participate",
	auth.RecordPast: "RecordPast", auth.PersonalData: "PersonalData", auth.ManageKeys: "ManageKeys", auth.ReadAudit: "ReadAudit",
}

func readConsoleTexts(t *testing.T) consoleTexts {
	t.Helper()
	raw, err := os.ReadFile("../../web/console/src/roles.json")
	if err != nil {
		t.Fatalf("the console's role texts: %v", err)
	}
	var c consoleTexts
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("web/console/src/roles.json: %v", err)
	}
	return c
}

// Every role and permission pkg/auth knows has Korean text in the
// console, each role's permissions there are the Go side's, and the key
// scopes the console offers are the ones a district's key takes.
func TestConsoleRolesMatchTheGoSide(t *testing.T) {
	c := readConsoleTexts(t)
	for _, perm := range auth.Permissions() {
		key, ok := permissionKeys[perm]
		if !ok {
			t.Errorf("permission %q (%d) has no key in permissionKeys: name it, and describe it in roles.json", perm, perm)
			continue
		}
		if strings.TrimSpace(c.Permissions[key]) == "" {
			t.Errorf("roles.json describes no permission %s (%q)", key, perm)
		}
	}
	for _, role := range auth.Roles() {
		r, ok := c.Roles[role]
		if !ok || strings.TrimSpace(r.Label) == "" {
			t.Errorf("roles.json has no text for the role %q", role)
			continue
		}
		var want []string
		for _, perm := range auth.RolePermissions(role) {
			want = append(want, permissionKeys[perm])
		}
		got := slices.Sorted(slices.Values(r.Permits))
		if slices.Sort(want); !slices.Equal(got, want) {
			t.Errorf("roles.json says %s permits %v; pkg/auth gives it %v", role, got, want)
		}
	}
	for role := range c.Roles {
		if !slices.Contains(auth.Roles(), role) {
			t.Errorf("roles.json describes %q, which pkg/auth does not know", role)
		}
	}
	scopes := strings.Split(auth.Scopes(false), ", ")
	if got := slices.Sorted(maps.Keys(c.Scopes)); !slices.Equal(got, scopes) {
		t.Errorf("roles.json offers the key scopes %v; a district's key takes %v", got, scopes)
	}
}

// The account page shows each user the name and roles the provider gave
// them, each role with what it permits, and not what it does not.
func TestConsoleAccountShowsTheProvidersRoles(t *testing.T) {
	c := readConsoleTexts(t)
	users := map[string]devidp.User{}
	for _, u := range devidp.DefaultUsers() {
		users[u.Username] = u
	}
	for _, name := range []string{"gwangsan-admin", "gwangsan-privacy"} {
		t.Run(name, func(t *testing.T) {
			u := users[name]
			p := newPage(t)
			p.signIn(name)
			p.open(district + "/account")
			p.expectText("내 계정과 권한")
			p.expectText(u.Name)
			p.expectText(name)
			permitted := map[string]bool{}
			for _, grant := range u.Roles {
				role, _, _ := strings.Cut(grant, "@")
				p.expectText(c.Roles[role].Label)
				p.expectText(grant)
				for _, perm := range auth.RolePermissions(role) {
					permitted[permissionKeys[perm]] = true
					p.expectText(c.Permissions[permissionKeys[perm]])
				}
			}
			body, err := p.bodyText()
			if err != nil {
				t.Fatal(err)
			}
			for key, text := range c.Permissions {
				if !permitted[key] && strings.Contains(body, text) {
					t.Errorf("%s's page says they may %q, which none of their roles %v permits", name, text, u.Roles)
				}
			}
			p.shot("account")
			p.phone()
			p.shot("account-phone")
			p.noSideScroll()
			p.axe()
		})
	}
}

// apiGet calls the REST API as another system would, with key, and
// returns the status.
func apiGet(t *testing.T, s *runningSuite, key, path string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Base+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A key made in the console shows its secret once; the secret works
// against the REST API until the key is revoked, after which the API
// refuses it; the audit log, filtered by action and resource, shows the
// key's creation and its revocation; a filter the API refuses is shown at
// the field it was typed in.
func TestConsoleApiKeyLifecycle(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.open(district + "/api-keys")
	p.expectText("새 키 만들기")

	const idLabel, nameLabel = "키 아이디 (선택)", "이름"
	p.fill(nameLabel, "브라우저 시험 키")
	p.choose("읽기: 자치단체의 자료 열람 (개인정보는 가림)")
	p.fill(idLabel, "Not An Id!")
	p.click("키 만들기")
	if msg := p.fieldError(idLabel); msg == "" {
		t.Errorf("a bad key id: no error at %q", idLabel)
	}
	p.shot("field-error")

	id := "browser-" + strings.ToLower(rand.Text()[:10])
	keyName := "districts/gwangsan/apiKeys/" + id
	p.fill(idLabel, id)
	p.click("키 만들기")
	p.expectText("지금 한 번만 보여 드립니다")
	secret := p.textOf("비밀값")
	if !strings.HasPrefix(secret, "gyk_"+id+"_") {
		t.Fatalf("the dialog shows the secret %q, want gyk_%s_…", secret, id)
	}
	p.expectText("다시 볼 수 없습니다")
	p.shot("secret")
	p.axe()

	if got := apiGet(t, p.s, secret, "/v1/districts/gwangsan/pledges?pageSize=1"); got != http.StatusOK {
		t.Errorf("the new key's secret against the REST API: HTTP %d, want 200", got)
	}

	p.click("보관했습니다, 닫기")
	p.eventually("the secret gone from the page and from storage", func() (bool, string, error) {
		kept, err := eval[string](p, `document.body.innerHTML + JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})`)
		return !strings.Contains(kept, secret), "the page or storage still holds the secret", err
	})
	if err := p.run(chromedp.Reload()); err != nil {
		t.Fatalf("reloading: %v", err)
	}
	p.expectText(id)
	if body, _ := p.bodyText(); strings.Contains(body, secret) {
		t.Errorf("after a reload the page shows the secret")
	}

	p.click("폐기: 브라우저 시험 키")
	p.expectText("키를 폐기할까요?")
	p.shot("confirm-revoke")
	p.click("폐기하기")
	p.expectText("폐기했습니다")
	p.expectText("폐기됨")
	// Every service refuses a revoked key within 30 seconds; the one
	// that revoked it, at once.
	deadline := time.Now().Add(35 * time.Second)
	for {
		got := apiGet(t, p.s, secret, "/v1/districts/gwangsan/pledges?pageSize=1")
		if got == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the revoked key's secret still gets HTTP %d after 35 s, want 401", got)
		}
		time.Sleep(time.Second)
	}
	p.phone()
	p.shot("keys-phone")
	p.noSideScroll()
	p.axe()
	p.desktop()

	// The audit log, filtered as a user filters it.
	p.open(district + "/audit")
	p.expectText("추가 필터")
	p.fill("대상 자원", keyName)
	// The creation's after holds the key's name; the revocation's, its time.
	for _, action := range []struct{ pick, shows, change string }{{"만들기 (create)", "만들기", "브라우저 시험 키"}, {"폐기 (revoke)", "폐기", "revokeTime"}} {
		p.pick("동작", action.pick)
		p.click("조회")
		p.eventually("the key's "+action.shows+" in the audit log", func() (bool, string, error) {
			list, err := eval[string](p, `document.querySelector('[aria-label="감사 기록 목록"]')?.innerText ?? ""`)
			n, _ := eval[int](p, `document.querySelectorAll('[aria-label="감사 기록 목록"] > li').length`)
			return n == 1 && strings.Contains(list, keyName) && strings.Contains(list, action.shows) && strings.Contains(list, "user:"+consoleUser) &&
				strings.Contains(list, action.change), list, err
		})
		p.shot("audit-" + action.shows)
	}

	// A value with quotes and backslashes stays one quoted value: the API
	// takes the filter and finds nothing.
	p.fill("행위자", `x" OR actor = "*\`)
	p.click("조회")
	p.expectText("조건에 맞는 기록이 없습니다.")

	p.fill("추가 필터 (선택)", `nosuch = "x"`)
	p.click("조회")
	if msg := p.fieldError("추가 필터 (선택)"); !strings.Contains(msg, "nosuch") {
		t.Errorf("a filter the API refuses: the field says %q, want the API's word on nosuch", msg)
	}
	p.shot("audit-refused")
	p.click("조건 지우기")

	// The whole log is paged: the demo card's import alone wrote more
	// than 10 events.
	p.pick("쪽당 기록 수", "10")
	const firstJS = `document.querySelector('[aria-label="감사 기록 목록"] > li')?.innerText ?? ""`
	var first string
	p.eventually("a first page of 10 events of the whole log", func() (bool, string, error) {
		n, err := eval[int](p, `document.querySelectorAll('[aria-label="감사 기록 목록"] > li').length`)
		first, _ = eval[string](p, firstJS)
		return n == 10, fmt.Sprintf("%d events", n), err
	})
	p.click("다음 쪽")
	p.eventually("the second page", func() (bool, string, error) {
		got, err := eval[string](p, firstJS)
		return got != "" && got != first, "its first event: " + got, err
	})
	p.click("이전 쪽")
	p.eventually("the first page again", func() (bool, string, error) {
		got, err := eval[string](p, firstJS)
		return got == first, "its first event: " + got, err
	})
	p.phone()
	p.expectText("누가:")
	p.shot("audit-phone")
	p.noSideScroll()
	p.axe()
}

// Signing out ends the provider's session (end_session), drops the tokens
// and lands on a page that says so and stays, after a reload and after
// going back; signing in from there works.
func TestConsoleSignOutStaysSignedOut(t *testing.T) {
	p := newPage(t)
	// The tab's requests are watched for the provider's end_session.
	endSession := make(chan string, 4)
	events := chromedp.Events(p.ctx, network.RequestWillBeSent)
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	cancel()
	if err != nil {
		t.Fatalf("watching the tab's requests: %v", err)
	}
	go func() {
		for ev, err := range events {
			if err != nil {
				return // the tab closed: the test is over
			}
			if u := ev.Request.URL; strings.HasPrefix(u, p.s.Issuer) && strings.Contains(u, "end_session") {
				select {
				case endSession <- u:
				default:
				}
			}
		}
	}()
	p.signIn(consoleUser)
	p.waitLocation("the Gwangsan dashboard", func(u string) bool { return strings.HasSuffix(u, district) })
	p.expectText("추진 상태별 공약")

	p.click("로그아웃")
	p.waitLocation("the signed-out page", func(u string) bool { return u == p.s.Base+"/admin/signed-out" })
	p.expectText("로그아웃되었습니다")
	select {
	case u := <-endSession:
		if !strings.Contains(u, "id_token_hint=") {
			t.Errorf("end_session was asked without the ID token: %s", u)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("signing out did not go through the provider's end_session")
	}
	p.shot("signed-out")
	stored := func() string {
		s, err := eval[string](p, `JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})`)
		if err != nil {
			t.Fatalf("reading storage: %v", err)
		}
		return s
	}
	if s := stored(); strings.Contains(s, "access_token") || strings.Contains(s, "id_token") || strings.Contains(s, "oidc.user") {
		t.Errorf("after signing out, storage keeps tokens: %s", s)
	}

	stays := func(what string) {
		t.Helper()
		p.expectText("로그아웃되었습니다")
		time.Sleep(2 * time.Second) // what a redirect would take
		if u := p.location(); p.atLogin(u) || !strings.HasPrefix(u, p.s.Base+"/admin") {
			t.Errorf("%s: the tab went on to %s, want it to stay signed out", what, u)
		}
		p.expectText("로그아웃되었습니다")
	}
	if err := p.run(chromedp.Reload()); err != nil {
		t.Fatalf("reloading: %v", err)
	}
	stays("after a reload")
	// Back to the dashboard the tab signed out from, as the browser's
	// back button goes (the page may come from the browser's cache).
	if _, err := eval[bool](p, `history.back(), true`); err != nil {
		t.Fatalf("going back: %v", err)
	}
	p.waitLocation("the dashboard again", func(u string) bool { return strings.HasSuffix(u, district) })
	stays("after going back")
	p.phone()
	p.noSideScroll()
	p.axe()
	p.desktop()

	// Clicked in the page: a page the browser restored from its cache on
	// going back is one chromedp's DOM actions wait on for ever.
	p.expectText("로그인")
	if _, err := eval[bool](p, js(clickableJS, "로그인")+".click() ?? true"); err != nil {
		t.Fatalf("clicking 로그인: %v", err)
	}
	p.waitLocation("the provider's login page", p.atLogin)
	p.login(consoleUser, p.s.passwords[consoleUser])
	p.waitLocation("the Gwangsan dashboard", func(u string) bool { return strings.HasSuffix(u, district) })
	if got := p.textOf("로그인한 사용자"); got != consoleUserName {
		t.Errorf("signed in again, the header names %q, want %q", got, consoleUserName)
	}
	p.expectText("추진 상태별 공약")
	p.shot("signed-in-again")
}
