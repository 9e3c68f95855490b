package devidp_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gongyak/gongyak/cmd/devidp"
)

// browser steps through redirects one at a time, keeping cookies.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func authorizeURL(issuer string, q url.Values) string {
	base := url.Values{
		"response_type": {"code"}, "client_id": {devidp.ConsoleClientID}, "redirect_uri": {redirectURI},
		"scope": {"openid profile"}, "state": {"s1"}, "nonce": {"n1"},
	}
	for k, v := range q {
		base[k] = v
	}
	return issuer + "/authorize?" + base.Encode()
}

type answer struct {
	status   int
	location string
	body     string
	// formAction is the form-action directive of the page's
	// Content-Security-Policy.
	formAction string
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values) answer {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var formAction string
	for _, d := range strings.Split(resp.Header.Get("Content-Security-Policy"), ";") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(d), "form-action "); ok {
			formAction = rest
		}
	}
	return answer{resp.StatusCode, resp.Header.Get("Location"), string(body), formAction}
}

var hiddenField = regexp.MustCompile(`name="(authRequestID|csrf)" value="([^"]*)"`)

func TestLoginPage(t *testing.T) {
	srv, _ := start(t, testConfig(t))
	b := browser(t)
	a := do(t, b, http.MethodGet, authorizeURL(srv.URL, url.Values{
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
	}), nil)
	if a.status != http.StatusFound || !strings.HasPrefix(a.location, srv.URL+"/login?") {
		t.Fatalf("authorize: %d to %q, want a redirect to the login page", a.status, a.location)
	}
	page := do(t, b, http.MethodGet, a.location, nil)
	for _, label := range []string{"Gongyak 개발용 로그인", "아이디", "비밀번호", "로그인"} {
		if page.status != http.StatusOK || !strings.Contains(page.body, label) {
			t.Fatalf("login page (HTTP %d) lacks %q:\n%s", page.status, label, page.body)
		}
	}
	// A browser holds the redirects after the form's POST to form-action
	// too: they end at the console's redirect URI, on another origin.
	if want := "'self' http://127.0.0.1:8080"; page.formAction != want {
		t.Errorf("the page's form-action is %q, want %q: a browser would stop the sign-in's redirect to %s", page.formAction, want, redirectURI)
	}
	form := url.Values{"username": {"editor"}, "password": {"editor-pw"}}
	for _, m := range hiddenField.FindAllStringSubmatch(page.body, -1) {
		form.Set(m[1], m[2])
	}
	with := func(key, value string) url.Values {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(key, value)
		return f
	}
	refused := []struct {
		name   string
		client *http.Client
		form   url.Values
		status int
		shows  string
	}{
		{"another browser (no csrf cookie)", browser(t), form, http.StatusForbidden, "로그인 양식이 이 요청의 것이 아닙니다"},
		{"a csrf token not the request's", b, with("csrf", "X"+form.Get("csrf")), http.StatusForbidden, "로그인 양식이 이 요청의 것이 아닙니다"},
		{"an unknown auth request", b, with("authRequestID", "nope"), http.StatusBadRequest, "만료되었거나 알 수 없습니다"},
		{"a wrong password", b, with("password", "wrong"), http.StatusUnauthorized, "아이디 또는 비밀번호가 올바르지 않습니다"},
	}
	for _, r := range refused {
		got := do(t, r.client, http.MethodPost, srv.URL+"/login", r.form)
		if got.status != r.status || got.location != "" || !strings.Contains(got.body, r.shows) {
			t.Errorf("%s: HTTP %d to %q, want %d showing %q", r.name, got.status, got.location, r.status, r.shows)
		}
		if r.status == http.StatusUnauthorized && got.formAction != page.formAction {
			t.Errorf("%s: the form shown again has form-action %q, want %q as the first", r.name, got.formAction, page.formAction)
		}
	}

	// After those, the right password still signs in, through op's
	// callback to the redirect URI with a code and the state.
	ok := do(t, b, http.MethodPost, srv.URL+"/login", form)
	if ok.status != http.StatusSeeOther || !strings.HasPrefix(ok.location, srv.URL+"/authorize/callback?") {
		t.Fatalf("right password: HTTP %d to %q, want 303 to the callback", ok.status, ok.location)
	}
	back := do(t, b, http.MethodGet, ok.location, nil)
	loc, err := url.Parse(back.location)
	if err != nil {
		t.Fatal(err)
	}
	if back.status != http.StatusFound || !strings.HasPrefix(back.location, redirectURI+"?") || loc.Query().Get("code") == "" || loc.Query().Get("state") != "s1" {
		t.Errorf("callback: HTTP %d to %q, want the redirect URI with a code and state s1", back.status, back.location)
	}
	if again := do(t, b, http.MethodPost, srv.URL+"/login", form); again.status != http.StatusBadRequest {
		t.Errorf("the same form posted again: HTTP %d, want 400", again.status)
	}
}

func TestConsoleMustSendAnS256Challenge(t *testing.T) {
	srv, _ := start(t, testConfig(t))
	for name, q := range map[string]url.Values{
		"no challenge":    {},
		"plain challenge": {"code_challenge": {"abcdefghijabcdefghijabcdefghijabcdefghij123"}, "code_challenge_method": {"plain"}},
		"challenge only":  {"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}},
	} {
		a := do(t, browser(t), http.MethodGet, authorizeURL(srv.URL, q), nil)
		loc, err := url.Parse(a.location)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(a.location, redirectURI+"?") || loc.Query().Get("error") != "invalid_request" || loc.Query().Has("code") {
			t.Errorf("%s: HTTP %d to %q, want invalid_request at the redirect URI", name, a.status, a.location)
		}
	}
}

func TestEndSession(t *testing.T) {
	srv, _ := start(t, testConfig(t))
	for _, tc := range []struct {
		query  url.Values
		status int
		to     string
	}{
		{url.Values{"client_id": {devidp.ConsoleClientID}, "post_logout_redirect_uri": {redirectURI}, "state": {"s"}}, http.StatusFound, redirectURI + "?state=s"},
		{url.Values{"client_id": {devidp.ConsoleClientID}}, http.StatusFound, srv.URL + "/logged-out"},
		{url.Values{"client_id": {devidp.ConsoleClientID}, "post_logout_redirect_uri": {"https://evil.example/"}}, http.StatusBadRequest, ""},
	} {
		got := do(t, browser(t), http.MethodGet, srv.URL+"/end_session?"+tc.query.Encode(), nil)
		if got.status != tc.status || got.location != tc.to {
			t.Errorf("end_session?%s: HTTP %d to %q, want %d to %q", tc.query.Encode(), got.status, got.location, tc.status, tc.to)
		}
	}
	if page := do(t, browser(t), http.MethodGet, srv.URL+"/logged-out", nil); !strings.Contains(page.body, "로그아웃되었습니다") {
		t.Errorf("the logged-out page says %q", page.body)
	}
}
