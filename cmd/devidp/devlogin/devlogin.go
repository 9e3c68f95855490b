// Package devlogin signs in to an OpenID provider the way a browser and a
// console would: the authorization code flow with PKCE (S256) through the
// provider's login form, or the client credentials grant. End-to-end tests
// use it to get real tokens from the development provider (cmd/devidp),
// and a command line can use it where no browser is at hand.
//
// It fills the login form of cmd/devidp: a form with hidden fields and
// fields named username and password.
package devlogin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// ErrLoginRefused is returned when the login form comes back with an
// error instead of a code: a wrong username or password.
var ErrLoginRefused = errors.New("the provider refused the username or password")

// Error is an OAuth 2.0 error answer of the provider (RFC 6749, section
// 5.2 and 4.1.2.1).
type Error struct {
	// Status is the HTTP status of the answer; 0 when the error came by
	// redirect to the redirect URI.
	Status      int
	Code        string // e.g. invalid_grant
	Description string
}

func (e *Error) Error() string {
	if e.Description == "" {
		return fmt.Sprintf("provider answered %s (HTTP %d)", e.Code, e.Status)
	}
	return fmt.Sprintf("provider answered %s (HTTP %d): %s", e.Code, e.Status, e.Description)
}

// Tokens are the token endpoint's answer.
type Tokens struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	IDToken     string `json:"id_token"`
}

// Login signs username in at issuer as clientID would and returns the
// access token: discovery, authorize with state, nonce and an S256 code
// challenge, the login form with its CSRF token, the redirects up to
// redirectURI (which is never contacted), and the code's exchange with the
// code verifier.
func Login(ctx context.Context, hc *http.Client, issuer, clientID, redirectURI, username, password string) (string, error) {
	g, err := Authorize(ctx, hc, issuer, clientID, redirectURI, username, password)
	if err != nil {
		return "", err
	}
	t, err := g.Exchange(ctx, hc)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// Grant is an authorization code with what its exchange needs.
type Grant struct {
	TokenEndpoint string
	ClientID      string
	RedirectURI   string
	Code          string
	// Verifier is the PKCE code verifier the code is bound to.
	Verifier string
}

// Authorize does the browser's part of Login and returns the code the
// provider redirected to redirectURI with.
func Authorize(ctx context.Context, hc *http.Client, issuer, clientID, redirectURI, username, password string) (*Grant, error) {
	d, err := discover(ctx, hc, issuer)
	if err != nil {
		return nil, err
	}
	back, err := url.Parse(redirectURI)
	if err != nil {
		return nil, fmt.Errorf("redirect URI: %w", err)
	}
	browser := browserLike(hc, back)
	verifier := rand.Text() + rand.Text() // 52 unreserved characters (RFC 7636: 43-128)
	sum := sha256.Sum256([]byte(verifier))
	state := rand.Text()
	authorize, err := url.Parse(d.AuthorizationEndpoint)
	if err != nil {
		return nil, fmt.Errorf("authorization_endpoint: %w", err)
	}
	authorize.RawQuery = url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {redirectURI},
		"scope":                 {"openid profile"},
		"state":                 {state},
		"nonce":                 {rand.Text()},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}.Encode()

	resp, err := get(ctx, browser, authorize.String())
	if err != nil {
		return nil, err
	}
	if code, came, err := cameBack(resp, back, state); came {
		return grant(d, clientID, redirectURI, code, verifier, err)
	}
	page, err := readLoginPage(resp)
	if err != nil {
		return nil, err
	}
	page.fields.Set("username", username)
	page.fields.Set("password", password)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, page.action, strings.NewReader(page.fields.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = browser.Do(req)
	if err != nil {
		return nil, err
	}
	if code, came, err := cameBack(resp, back, state); came {
		return grant(d, clientID, redirectURI, code, verifier, err)
	}
	again, err := readLoginPage(resp)
	if err != nil {
		return nil, err
	}
	if again.message != "" {
		return nil, fmt.Errorf("%w: %s", ErrLoginRefused, again.message)
	}
	return nil, ErrLoginRefused
}

func grant(d *discovery, clientID, redirectURI, code, verifier string, err error) (*Grant, error) {
	if err != nil {
		return nil, err
	}
	return &Grant{TokenEndpoint: d.TokenEndpoint, ClientID: clientID, RedirectURI: redirectURI, Code: code, Verifier: verifier}, nil
}

// Exchange redeems the code at the token endpoint with the code verifier.
func (g *Grant) Exchange(ctx context.Context, hc *http.Client) (*Tokens, error) {
	return postToken(ctx, hc, g.TokenEndpoint, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {g.Code},
		"redirect_uri":  {g.RedirectURI},
		"client_id":     {g.ClientID},
		"code_verifier": {g.Verifier},
	}, nil)
}

// ClientCredentials gets an access token for a confidential client with
// the client credentials grant, the secret sent by HTTP Basic
// authentication.
func ClientCredentials(ctx context.Context, hc *http.Client, issuer, clientID, secret string) (string, error) {
	d, err := discover(ctx, hc, issuer)
	if err != nil {
		return "", err
	}
	t, err := postToken(ctx, hc, d.TokenEndpoint, url.Values{"grant_type": {"client_credentials"}},
		func(r *http.Request) { r.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret)) })
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

type discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
}

func discover(ctx context.Context, hc *http.Client, issuer string) (*discovery, error) {
	issuer = strings.TrimSuffix(issuer, "/")
	resp, err := get(ctx, orDefault(hc), issuer+"/.well-known/openid-configuration")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discovery: HTTP %d", resp.StatusCode)
	}
	var d discovery
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&d); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	if d.Issuer != issuer {
		return nil, fmt.Errorf("discovery: issuer is %q, want %q", d.Issuer, issuer)
	}
	return &d, nil
}

func postToken(ctx context.Context, hc *http.Client, endpoint string, form url.Values, auth func(*http.Request)) (*Tokens, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != nil {
		auth(req)
	}
	resp, err := orDefault(hc).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, 1<<20)
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Code        string `json:"error"`
			Description string `json:"error_description"`
		}
		json.NewDecoder(body).Decode(&e) //nolint:errcheck // a body that is not JSON leaves the code empty
		return nil, &Error{Status: resp.StatusCode, Code: e.Code, Description: e.Description}
	}
	var t Tokens
	if err := json.NewDecoder(body).Decode(&t); err != nil {
		return nil, fmt.Errorf("token endpoint: %w", err)
	}
	if t.AccessToken == "" || !strings.EqualFold(t.TokenType, "bearer") {
		return nil, fmt.Errorf("token endpoint: no bearer access token in the answer")
	}
	return &t, nil
}

// browserLike returns a copy of hc that keeps cookies, as a browser does
// (the login form's CSRF token is also in a cookie), and stops at the
// redirect URI instead of following the provider there.
func browserLike(hc *http.Client, back *url.URL) *http.Client {
	c := *orDefault(hc)
	if c.Jar == nil {
		c.Jar, _ = cookiejar.New(nil) // never fails without options
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if sameEndpoint(req.URL, back) {
			return http.ErrUseLastResponse
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// cameBack reports whether resp redirects to the redirect URI and, if so,
// the code it carries or the error the provider sent instead.
func cameBack(resp *http.Response, back *url.URL, state string) (code string, came bool, err error) {
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return "", false, nil
	}
	loc, err := resp.Location()
	if err != nil || !sameEndpoint(loc, back) {
		return "", false, nil
	}
	resp.Body.Close()
	q := loc.Query()
	switch {
	case q.Get("error") != "":
		return "", true, &Error{Code: q.Get("error"), Description: q.Get("error_description")}
	case q.Get("state") != state:
		return "", true, errors.New("the redirect's state is not the one sent")
	case q.Get("code") == "":
		return "", true, errors.New("the redirect carries no code")
	}
	return q.Get("code"), true, nil
}

func sameEndpoint(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && a.Host == b.Host && a.Path == b.Path
}

func get(ctx context.Context, hc *http.Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return hc.Do(req)
}

func orDefault(hc *http.Client) *http.Client {
	if hc == nil {
		return http.DefaultClient
	}
	return hc
}
