// Package devidp is a development OpenID Connect provider, so that `make
// run` and the tests need no identity provider from outside. It signs users
// in with a password on a small login page (authorization code flow with
// PKCE) and issues JWT access tokens to the services' own clients (client
// credentials), all signed with one RSA key kept in a data folder.
//
// It is built on github.com/zitadel/oidc/v3's op package; this package
// provides op's storage: the users, the clients, the key and the requests
// in flight. It prints passwords and serves plain http: it is for
// development only.
package devidp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Defaults of Config and of `gongyak idp`.
const (
	DefaultAddr          = "127.0.0.1:9100"
	DefaultDataDir       = ".data/idp"
	DefaultTokenLifetime = time.Hour
)

// Config is what a Provider is made from. Zero fields take the defaults.
type Config struct {
	// Issuer is the provider's URL, the iss of its tokens, e.g.
	// http://127.0.0.1:9100. Required; http is allowed.
	Issuer string
	// DataDir keeps the signing key, generated passwords and client
	// secrets between runs (DefaultDataDir).
	DataDir string
	// Users replace DefaultUsers when given.
	Users []User
	// RedirectURIs are the console's registered redirect URIs
	// (DefaultRedirectURI).
	RedirectURIs []string
	// TokenLifetime is how long access and ID tokens are valid
	// (DefaultTokenLifetime).
	TokenLifetime time.Duration
}

// Provider is a running development OpenID provider: Serve serves it.
type Provider struct {
	cfg     Config
	storage *storage
	handler http.Handler
}

// New makes a provider, creating in cfg.DataDir what it does not find
// there yet: the signing key, a password for each user given none, the
// confidential clients' secrets.
func New(cfg Config) (*Provider, error) {
	cfg = withDefaults(cfg)
	if err := op.ValidateIssuer(cfg.Issuer, true); err != nil {
		return nil, fmt.Errorf("issuer %q: %w", cfg.Issuer, err)
	}
	issuer, _ := url.Parse(cfg.Issuer) // ValidateIssuer parsed it
	if err := validateUsers(cfg.Users); err != nil {
		return nil, err
	}
	for i, uri := range cfg.RedirectURIs {
		if u, err := url.Parse(uri); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
			return nil, fmt.Errorf("redirect URI %d %q: want an absolute http(s) URL without a fragment", i+1, uri)
		}
	}
	if cfg.TokenLifetime < time.Minute {
		return nil, fmt.Errorf("token lifetime %v: want at least 1m", cfg.TokenLifetime)
	}

	var (
		key       *signingKey
		passwords map[string]string
		secrets   map[string]string
	)
	err := withDataDir(cfg.DataDir, func() error {
		var err error
		if key, err = loadOrMakeSigningKey(filepath.Join(cfg.DataDir, signingKeyFile)); err != nil {
			return err
		}
		var generated []string
		for _, u := range cfg.Users {
			if u.Password == "" {
				generated = append(generated, u.Username)
			}
		}
		if passwords, err = loadOrMakeSecrets(filepath.Join(cfg.DataDir, passwordsFile), generated, newPassword); err != nil {
			return err
		}
		secrets, err = loadOrMakeSecrets(filepath.Join(cfg.DataDir, clientSecretsFile), ConfidentialClientIDs(), rand.Text)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("data folder %s: %w", cfg.DataDir, err)
	}

	users := map[string]User{}
	for i, u := range cfg.Users {
		u.Roles = slices.Clone(u.Roles)
		if u.Password == "" {
			u.Password = passwords[u.Username]
		}
		cfg.Users[i] = u
		users[u.Username] = u
	}
	s := &storage{
		users:        users,
		clients:      map[string]*client{},
		key:          key,
		lifetime:     cfg.TokenLifetime,
		authRequests: map[string]*authRequest{},
		codes:        map[string]string{},
		tokens:       map[string]issuedToken{},
	}
	loginURL := cfg.Issuer + loginPath
	s.clients[ConsoleClientID] = &client{
		id:           ConsoleClientID,
		redirectURIs: cfg.RedirectURIs,
		grantTypes:   []oidc.GrantType{oidc.GrantTypeCode},
		loginURL:     func(id string) string { return loginURL + "?authRequestID=" + url.QueryEscape(id) },
		lifetime:     cfg.TokenLifetime,
	}
	for _, id := range ConfidentialClientIDs() {
		s.clients[id] = &client{
			id:         id,
			secret:     secrets[id],
			grantTypes: []oidc.GrantType{oidc.GrantTypeClientCredentials},
			loginURL:   func(string) string { return loginURL },
			lifetime:   cfg.TokenLifetime,
		}
	}

	var cryptoKey [32]byte  // encrypts authorization codes; codes do not outlive a run
	rand.Read(cryptoKey[:]) //nolint:errcheck // crypto/rand.Read never fails
	opProvider, err := op.NewProvider(&op.Config{
		CryptoKey:                cryptoKey,
		DefaultLogoutRedirectURI: cfg.Issuer + loggedOutPath,
		CodeMethodS256:           true,
		SupportedUILocales:       []language.Tag{language.Korean},
		SupportedScopes:          []string{oidc.ScopeOpenID, oidc.ScopeProfile},
		SupportedClaims:          append(slices.Clone(op.DefaultSupportedClaims), RolesClaim),
	}, s, op.StaticIssuer(cfg.Issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, err
	}

	issuerPath := strings.TrimSuffix(issuer.Path, "/")
	mux := http.NewServeMux()
	mux.Handle(loginPath, &login{
		storage: s,
		callbackURL: func(id string) string {
			return opProvider.AuthorizationEndpoint().Absolute(cfg.Issuer) + "/callback?id=" + url.QueryEscape(id)
		},
		pageURL:    loginURL,
		cookiePath: issuerPath + loginPath,
	})
	mux.HandleFunc(loggedOutPath, loggedOut)
	mux.Handle("/", opProvider)
	var handler http.Handler = mux
	if issuerPath != "" {
		handler = http.StripPrefix(issuerPath, mux)
	}
	return &Provider{cfg: cfg, storage: s, handler: handler}, nil
}

func withDefaults(cfg Config) Config {
	cfg.Issuer = strings.TrimSuffix(cfg.Issuer, "/")
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir
	}
	if cfg.Users == nil {
		cfg.Users = DefaultUsers()
	} else {
		cfg.Users = slices.Clone(cfg.Users)
	}
	if len(cfg.RedirectURIs) == 0 {
		cfg.RedirectURIs = []string{DefaultRedirectURI}
	} else {
		cfg.RedirectURIs = slices.Clone(cfg.RedirectURIs)
	}
	if cfg.TokenLifetime == 0 {
		cfg.TokenLifetime = DefaultTokenLifetime
	}
	return cfg
}

// ClientSecret returns the secret of a confidential client (CLIClientID or
// one of ServiceClientIDs); "" for the public console and unknown ids.
func (p *Provider) ClientSecret(clientID string) string {
	if c, ok := p.storage.clients[clientID]; ok {
		return c.secret
	}
	return ""
}

// Serve serves the provider on ln until ctx ends, then shuts down,
// letting requests in flight finish for up to five seconds.
func (p *Provider) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: p.handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// PrintSummary writes where the provider is, its users with their
// passwords and its clients with their secrets, for a developer's
// terminal.
func (p *Provider) PrintSummary(w io.Writer) {
	fmt.Fprintf(w, `Gongyak development OpenID provider. FOR DEVELOPMENT ONLY: it serves plain
http and prints passwords, which it keeps in plain text in %s.

  issuer      %s
  discovery   %[2]s/.well-known/openid-configuration
  token life  %v

`, p.cfg.DataDir, p.cfg.Issuer, p.cfg.TokenLifetime)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  user\tpassword\tgongyak_roles")
	for _, u := range p.cfg.Users {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.Username, u.Password, strings.Join(u.Roles, " "))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  client\tsecret\tgrant")
	fmt.Fprintf(tw, "  %s\t(public)\tauthorization code + PKCE (S256); redirect URIs %s\n", ConsoleClientID, strings.Join(p.cfg.RedirectURIs, " "))
	for _, id := range ConfidentialClientIDs() {
		fmt.Fprintf(tw, "  %s\t%s\tclient credentials; sub %s, gongyak_roles %s\n", id, p.ClientSecret(id), serviceSubject(id), strings.Join(serviceRoles, " "))
	}
	tw.Flush()
}
