//go:build browser

package browser

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// The labels and button of the provider's login page (cmd/devidp).
const (
	usernameLabel = "아이디"
	passwordLabel = "비밀번호"
	loginButton   = "로그인"
)

// signIn opens the console at /admin, which sends the browser to the
// provider's login page, signs in there as user, one of the development
// users, and waits until the browser is back in the console.
func (p *page) signIn(user string) {
	p.t.Helper()
	password, ok := p.s.passwords[user]
	if !ok {
		p.t.Fatalf("no development user %q", user)
	}
	p.open("/admin")
	p.waitLocation("the provider's login page", p.atLogin)
	p.login(user, password)
	p.waitLocation("the console, signed in", func(u string) bool {
		return strings.HasPrefix(u, p.s.Base+"/admin") && !strings.HasPrefix(u, p.s.consoleCallback())
	})
}

// atLogin says whether u is the provider's login page.
func (p *page) atLogin(u string) bool { return strings.HasPrefix(u, p.s.Issuer+"/login") }

// login fills the provider's login form, where the browser is, sends it,
// and waits for the page the provider answers with (the form again, or
// wherever its redirects lead).
func (p *page) login(user, password string) {
	p.t.Helper()
	p.fill(usernameLabel, user)
	p.fill(passwordLabel, password)
	p.submit(loginButton)
}

// caught are the requests the browser was stopped from sending to a
// prefix, answered in the browser instead.
type caught struct {
	mu   sync.Mutex
	urls []string
}

func (c *caught) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.urls...)
}

// catchRequests answers, in the browser, every request of the tab to a URL
// under prefix with an empty page, and keeps the URLs: the console's
// redirect target need not be served, nor a code be spent by whatever
// serves it, for a test to see what the provider sent back.
func (p *page) catchRequests(prefix string) *caught {
	p.t.Helper()
	c := &caught{}
	events := chromedp.Events(p.ctx, fetch.RequestPaused)
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: prefix + "*"}}}); err != nil {
		p.t.Fatalf("catching requests to %s: %v", prefix, err)
	}
	go func() {
		for ev, err := range events {
			if err != nil {
				return // the tab closed: the test is over
			}
			c.mu.Lock()
			c.urls = append(c.urls, ev.Request.URL)
			c.mu.Unlock()
			chromedp.Call(p.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{ //nolint:errcheck // a tab closing meanwhile ends the test anyway
				RequestID: ev.RequestID, ResponseCode: http.StatusOK,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
				Body:            []byte(`<!doctype html><html lang="ko"><title>callback</title><p>caught by the test</p></html>`),
			})
		}
	}()
	return c
}

// authorization is a console sign-in begun by the test as the console
// begins it: authorization code with PKCE (S256) and a state.
type authorization struct {
	url, state, verifier string
	tokenEndpoint        string
}

// authorizeConsole makes the provider's authorization URL for the
// gongyak-console client with the redirect `gongyak run` registers.
func (p *page) authorizeConsole() authorization {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.s.Issuer+"/.well-known/openid-configuration", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("the provider's discovery: %v", err)
	}
	defer resp.Body.Close()
	var d struct {
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		TokenEndpoint         string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || d.AuthorizationEndpoint == "" {
		p.t.Fatalf("the provider's discovery (%s): %v", resp.Status, err)
	}
	a := authorization{state: rand.Text(), verifier: rand.Text() + rand.Text(), tokenEndpoint: d.TokenEndpoint}
	sum := sha256.Sum256([]byte(a.verifier))
	a.url = d.AuthorizationEndpoint + "?" + url.Values{
		"response_type":         {"code"},
		"client_id":             {"gongyak-console"},
		"redirect_uri":          {p.s.consoleCallback()},
		"scope":                 {"openid profile"},
		"state":                 {a.state},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}.Encode()
	return a
}

// waitCallback waits until the browser was sent to the console's
// callback, and returns that URL.
func (p *page) waitCallback(c *caught) *url.URL {
	p.t.Helper()
	var got string
	p.eventually("the provider to send the browser to "+p.s.consoleCallback(), func() (bool, string, error) {
		if urls := c.all(); len(urls) > 0 {
			got = urls[0]
			return true, "", nil
		}
		loc, err := eval[string](p, `location.href + "\n" + document.body.innerText`)
		return false, loc, err
	})
	u, err := url.Parse(got)
	if err != nil {
		p.t.Fatalf("the callback URL %q: %v", got, err)
	}
	return u
}

// exchange redeems code at the token endpoint as the console would, and
// returns the access token's claims.
func (a authorization) exchange(ctx context.Context, redirectURI, code string) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {"gongyak-console"}, "code_verifier": {a.verifier}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, a.tokenEndpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return nil, err
	}
	if tok.AccessToken == "" {
		return nil, &tokenError{resp.Status, tok.Error}
	}
	parts := strings.Split(tok.AccessToken, ".")
	if len(parts) != 3 {
		return nil, &tokenError{resp.Status, "the access token is not a JWT"}
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	return claims, json.Unmarshal(raw, &claims)
}

type tokenError struct{ status, what string }

func (e *tokenError) Error() string { return "token endpoint " + e.status + ": " + e.what }
