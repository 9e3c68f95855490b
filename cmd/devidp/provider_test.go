package devidp_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gongyak/gongyak/cmd/devidp"
	"github.com/gongyak/gongyak/cmd/devidp/devlogin"
	"golang.org/x/oauth2"
)

const redirectURI = "http://127.0.0.1:8080/admin/callback"

// testUsers are the users of most tests: one with a password of its own,
// one that gets a generated one.
var testUsers = []devidp.User{
	{Username: "editor", Password: "editor-pw", Name: "법무지원과 담당자", Roles: []string{"department-editor@districts/gwangsan/departments/legal-support"}},
	{Username: "privacy", Roles: []string{"viewer@districts/gwangsan", "personal-data@districts/gwangsan"}},
}

// server is a loopback HTTP server whose provider can be replaced, as a
// restart on the same address would.
type server struct {
	*httptest.Server
	provider atomic.Pointer[devidp.Provider]
}

// start serves a provider with cfg (the issuer is the server's URL) and
// returns it with its server.
func start(t *testing.T, cfg devidp.Config) (*server, *devidp.Provider) {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.provider.Load().Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s, s.restart(t, cfg)
}

// restart replaces the server's provider with a new one made from cfg.
func (s *server) restart(t *testing.T, cfg devidp.Config) *devidp.Provider {
	t.Helper()
	cfg.Issuer = s.URL
	p, err := devidp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.provider.Store(p)
	return p
}

func testConfig(t *testing.T) devidp.Config {
	return devidp.Config{DataDir: t.TempDir(), Users: testUsers, RedirectURIs: []string{redirectURI}}
}

// claims are the access token claims the services read.
type claims struct {
	Subject           string   `json:"sub"`
	Audience          []string `json:"aud"`
	Expiry            int64    `json:"exp"`
	IssuedAt          int64    `json:"iat"`
	ClientID          string   `json:"client_id"`
	Roles             []string `json:"gongyak_roles"`
	Name              string   `json:"name"`
	PreferredUsername string   `json:"preferred_username"`
}

// verify checks token as a service would: go-oidc against the issuer's
// discovery and JWKS, audience "gongyak".
func verify(t *testing.T, issuer, token string) (claims, error) {
	t.Helper()
	provider, err := oidc.NewProvider(t.Context(), issuer)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: devidp.Audience}).Verify(t.Context(), token)
	if err != nil {
		return claims{}, err
	}
	var c claims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c, nil
}

func TestLoginWithPKCEGivesAVerifiableAccessToken(t *testing.T) {
	cfg := testConfig(t)
	cfg.TokenLifetime = 10 * time.Minute
	srv, p := start(t, cfg)

	before := time.Now()
	token, err := devlogin.Login(t.Context(), srv.Client(), srv.URL, devidp.ConsoleClientID, redirectURI, "editor", "editor-pw")
	if err != nil {
		t.Fatal(err)
	}
	c, err := verify(t, srv.URL, token)
	if err != nil {
		t.Fatalf("go-oidc refused the access token: %v", err)
	}
	want := claims{
		Subject: "editor", Audience: c.Audience, Expiry: c.Expiry, IssuedAt: c.IssuedAt,
		ClientID: devidp.ConsoleClientID, Roles: testUsers[0].Roles, Name: "법무지원과 담당자", PreferredUsername: "editor",
	}
	if !equalClaims(c, want) {
		t.Errorf("claims\n got %+v\nwant %+v", c, want)
	}
	if !slices.Contains(c.Audience, devidp.Audience) {
		t.Errorf("aud %v lacks %q", c.Audience, devidp.Audience)
	}
	if exp := time.Unix(c.Expiry, 0); exp.Before(before.Add(9*time.Minute)) || exp.After(time.Now().Add(11*time.Minute)) {
		t.Errorf("exp %v, want about 10 minutes from %v", exp, before)
	}

	// The user with a generated password signs in with it, and gets both
	// roles; userinfo tells the same.
	privacy := p.Users()[1]
	if privacy.Password == "" {
		t.Fatal("no password generated for a user given none")
	}
	token, err = devlogin.Login(t.Context(), srv.Client(), srv.URL, devidp.ConsoleClientID, redirectURI, "privacy", privacy.Password)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := verify(t, srv.URL, token); err != nil || c.Subject != "privacy" || !slices.Equal(c.Roles, privacy.Roles) || c.Name != "privacy" {
		t.Errorf("privacy's token: %+v, %v", c, err)
	}
	provider, err := oidc.NewProvider(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	info, err := provider.UserInfo(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	if err != nil {
		t.Fatal(err)
	}
	var infoClaims claims
	if err := info.Claims(&infoClaims); err != nil {
		t.Fatal(err)
	}
	if info.Subject != "privacy" || !slices.Equal(infoClaims.Roles, privacy.Roles) {
		t.Errorf("userinfo: sub %q, roles %v", info.Subject, infoClaims.Roles)
	}
}

func equalClaims(a, b claims) bool {
	return a.Subject == b.Subject && a.ClientID == b.ClientID && slices.Equal(a.Roles, b.Roles) &&
		a.Name == b.Name && a.PreferredUsername == b.PreferredUsername && a.IssuedAt > 0
}

func TestWrongPasswordIssuesNoCode(t *testing.T) {
	srv, _ := start(t, testConfig(t))
	for _, tc := range []struct{ username, password string }{
		{"editor", "wrong"},
		{"editor", ""},
		{"nobody", "editor-pw"},
	} {
		_, err := devlogin.Authorize(t.Context(), srv.Client(), srv.URL, devidp.ConsoleClientID, redirectURI, tc.username, tc.password)
		if !errors.Is(err, devlogin.ErrLoginRefused) || !strings.Contains(err.Error(), "아이디 또는 비밀번호가 올바르지 않습니다") {
			t.Errorf("%s/%q: got %v, want the form back with its error", tc.username, tc.password, err)
		}
	}
}

func TestCodeExchangeNeedsTheCodeVerifier(t *testing.T) {
	srv, _ := start(t, testConfig(t))
	for _, verifier := range []string{"", strings.Repeat("A", 52)} {
		g, err := devlogin.Authorize(t.Context(), srv.Client(), srv.URL, devidp.ConsoleClientID, redirectURI, "editor", "editor-pw")
		if err != nil {
			t.Fatal(err)
		}
		right := g.Verifier
		g.Verifier = verifier
		var oauthErr *devlogin.Error
		if _, err := g.Exchange(t.Context(), srv.Client()); !errors.As(err, &oauthErr) || oauthErr.Status != http.StatusBadRequest {
			t.Errorf("verifier %q: got %v, want a 400 refusal", verifier, err)
		}
		// A code is redeemed once, even by a failed exchange.
		g.Verifier = right
		if _, err := g.Exchange(t.Context(), srv.Client()); !errors.As(err, &oauthErr) || oauthErr.Code != "invalid_grant" {
			t.Errorf("the right verifier after a wrong one: got %v, want invalid_grant", err)
		}
	}
}

func TestUnregisteredRedirectURIIsRefused(t *testing.T) {
	srv, _ := start(t, testConfig(t))
	for _, uri := range []string{"http://127.0.0.1:8080/elsewhere", "http://127.0.0.1:8081/admin/callback", "https://evil.example/admin/callback"} {
		_, err := devlogin.Authorize(t.Context(), srv.Client(), srv.URL, devidp.ConsoleClientID, uri, "editor", "editor-pw")
		if err == nil || !strings.Contains(err.Error(), "HTTP 400") {
			t.Errorf("%s: got %v, want the provider's 400 (and no redirect there)", uri, err)
		}
	}
}

func TestClientCredentialsForAService(t *testing.T) {
	srv, p := start(t, testConfig(t))
	token, err := devlogin.ClientCredentials(t.Context(), srv.Client(), srv.URL, "gongyak-budget", p.ClientSecret("gongyak-budget"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := verify(t, srv.URL, token)
	if err != nil {
		t.Fatalf("go-oidc refused the service token: %v", err)
	}
	if c.Subject != "service:gongyak-budget" || !slices.Equal(c.Roles, []string{"system-admin"}) || c.ClientID != "gongyak-budget" {
		t.Errorf("claims %+v, want sub service:gongyak-budget with roles [system-admin]", c)
	}

	for _, tc := range []struct{ client, secret string }{
		{"gongyak-budget", "wrong"},
		{"gongyak-budget", p.ClientSecret("gongyak-pledge")},
		{"gongyak-budget", ""},
		{devidp.ConsoleClientID, ""},
		{"nobody", "x"},
	} {
		var oauthErr *devlogin.Error
		if _, err := devlogin.ClientCredentials(t.Context(), srv.Client(), srv.URL, tc.client, tc.secret); !errors.As(err, &oauthErr) || oauthErr.Code != "invalid_client" {
			t.Errorf("%s with secret %q: got %v, want invalid_client", tc.client, tc.secret, err)
		}
	}
}

func TestEachDataDirSignsWithItsOwnKey(t *testing.T) {
	a, _ := start(t, testConfig(t))
	b, _ := start(t, testConfig(t))
	token, err := devlogin.Login(t.Context(), a.Client(), a.URL, devidp.ConsoleClientID, redirectURI, "editor", "editor-pw")
	if err != nil {
		t.Fatal(err)
	}
	check := func(jwks string) error {
		keys := oidc.NewRemoteKeySet(t.Context(), jwks)
		_, err := oidc.NewVerifier(a.URL, keys, &oidc.Config{ClientID: devidp.Audience}).Verify(t.Context(), token)
		return err
	}
	if err := check(a.URL + "/keys"); err != nil {
		t.Fatalf("a's token against a's keys: %v", err)
	}
	if err := check(b.URL + "/keys"); err == nil {
		t.Error("a's token verified against b's keys")
	}
}

func TestRestartKeepsKeyPasswordsAndSecrets(t *testing.T) {
	cfg := testConfig(t)
	srv, first := start(t, cfg)
	userToken, err := devlogin.Login(t.Context(), srv.Client(), srv.URL, devidp.ConsoleClientID, redirectURI, "privacy", first.Users()[1].Password)
	if err != nil {
		t.Fatal(err)
	}
	serviceToken, err := devlogin.ClientCredentials(t.Context(), srv.Client(), srv.URL, devidp.CLIClientID, first.ClientSecret(devidp.CLIClientID))
	if err != nil {
		t.Fatal(err)
	}

	second := srv.restart(t, cfg)
	for _, token := range []string{userToken, serviceToken} {
		if _, err := verify(t, srv.URL, token); err != nil {
			t.Errorf("a token from before the restart: %v", err)
		}
	}
	if !slices.EqualFunc(first.Users(), second.Users(), func(a, b devidp.User) bool { return a.Password == b.Password }) {
		t.Errorf("passwords changed: %v, then %v", first.Users(), second.Users())
	}
	for _, id := range devidp.ConfidentialClientIDs() {
		if first.ClientSecret(id) == "" || first.ClientSecret(id) != second.ClientSecret(id) {
			t.Errorf("%s: secret %q, then %q", id, first.ClientSecret(id), second.ClientSecret(id))
		}
	}
	if _, err := devlogin.Login(t.Context(), srv.Client(), srv.URL, devidp.ConsoleClientID, redirectURI, "privacy", first.Users()[1].Password); err != nil {
		t.Errorf("the generated password after the restart: %v", err)
	}

	// gongyak run reads the same secrets from the folder.
	secrets, err := devidp.ClientSecrets(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range devidp.ConfidentialClientIDs() {
		if secrets[id] != second.ClientSecret(id) {
			t.Errorf("ClientSecrets()[%s] = %q, the provider uses %q", id, secrets[id], second.ClientSecret(id))
		}
	}
	// Only the owner may read what signs tokens and signs in.
	entries, err := os.ReadDir(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Join(cfg.DataDir, e.Name()), info.Mode().Perm())
		}
	}
}

func TestSecretsMadeBeforeTheProviderAreItsOwn(t *testing.T) {
	cfg := testConfig(t)
	secrets, err := devidp.ClientSecrets(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := start(t, cfg)
	if _, err := devlogin.ClientCredentials(t.Context(), srv.Client(), srv.URL, "gongyak-pledge", secrets["gongyak-pledge"]); err != nil {
		t.Errorf("the secret gongyak run would hand the pledge service: %v", err)
	}
}

// The provider can be mounted under a path of another server, as gongyak
// run may do: the issuer names the path.
func TestIssuerWithAPath(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := testConfig(t)
	cfg.Issuer = srv.URL + "/idp"
	p, err := devidp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/idp/", p.Handler())

	token, err := devlogin.Login(t.Context(), srv.Client(), cfg.Issuer, devidp.ConsoleClientID, redirectURI, "editor", "editor-pw")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := verify(t, cfg.Issuer, token); err != nil || c.Subject != "editor" {
		t.Errorf("token from %s: %+v, %v", cfg.Issuer, c, err)
	}
}
