package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gongyak/gongyak/pkg/resourceid"
)

// Audience is the audience every access token for Gongyak must name.
const Audience = "gongyak"

// RolesClaim is the claim an access token carries its grants in.
const RolesClaim = "gongyak_roles"

// SystemIssuer is the district an issuer is configured with when it may
// grant the system-wide roles (system admin, ministry reporter).
const SystemIssuer = "*"

// Issuers maps each trusted issuer's URL to the district whose roles it
// may grant, or SystemIssuer.
type Issuers map[string]string

// ParseIssuers reads GONGYAK_OIDC_ISSUERS: comma-separated
// `{issuer URL}={district}` pairs, such as
// `http://127.0.0.1:9100=*,https://id.gwangsan.go.kr=gwangsan`. At most
// one issuer may be the system issuer.
func ParseIssuers(s string) (Issuers, error) {
	out := Issuers{}
	system := ""
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		eq := strings.LastIndex(part, "=")
		if eq < 0 {
			return nil, fmt.Errorf("%q: write {issuer URL}={district}, or ={*} for the system issuer", part)
		}
		issuer, district := strings.TrimSpace(part[:eq]), strings.TrimSpace(part[eq+1:])
		if !strings.HasPrefix(issuer, "https://") && !strings.HasPrefix(issuer, "http://") {
			return nil, fmt.Errorf("issuer %q is not an http(s) URL", issuer)
		}
		if district != SystemIssuer && !resourceid.Valid(district) {
			return nil, fmt.Errorf("issuer %s: %q is neither a district id nor *", issuer, district)
		}
		if district == SystemIssuer {
			if system != "" {
				return nil, fmt.Errorf("two system issuers (%s and %s): only one may grant system-wide roles", system, issuer)
			}
			system = issuer
		}
		if _, dup := out[issuer]; dup {
			return nil, fmt.Errorf("issuer %s is listed twice", issuer)
		}
		out[issuer] = district
	}
	return out, nil
}

// OIDC verifies access tokens offline: each issuer's signing keys are
// fetched once through its discovery document and kept (refreshed when a
// token names a key not seen yet), and every token is checked against them
// for issuer, audience, expiry and signature.
type OIDC struct {
	issuers Issuers
	log     *slog.Logger

	mu        sync.Mutex
	verifiers map[string]*oidc.IDTokenVerifier
	failed    map[string]time.Time
}

// NewOIDC returns a verifier for issuers. Their discovery documents are
// read when a token of theirs first arrives, so a service starts while its
// identity provider is still starting.
func NewOIDC(issuers Issuers, log *slog.Logger) *OIDC {
	return &OIDC{issuers: issuers, log: log, verifiers: map[string]*oidc.IDTokenVerifier{}, failed: map[string]time.Time{}}
}

// tokenClaims are the claims Gongyak reads from an access token.
type tokenClaims struct {
	Subject  string   `json:"sub"`
	Roles    []string `json:"gongyak_roles"`
	ClientID string   `json:"client_id"`
}

// errUntrusted is the refusal of a token from an issuer not configured.
var errUntrusted = errors.New("the token's issuer is not trusted here")

// Verify checks raw and returns its caller, with the grants its issuer
// may give; grants beyond them are left out (and logged), never honoured.
func (o *OIDC) Verify(ctx context.Context, raw string) (*Principal, error) {
	issuer, err := peekIssuer(raw)
	if err != nil {
		return nil, err
	}
	district, ok := o.issuers[issuer]
	if !ok {
		return nil, errUntrusted
	}
	v, err := o.verifier(ctx, issuer)
	if err != nil {
		return nil, err
	}
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("the token does not verify: %w", err)
	}
	var c tokenClaims
	if err := tok.Claims(&c); err != nil {
		return nil, fmt.Errorf("the token's claims do not read: %w", err)
	}
	p := &Principal{Kind: User, Subject: c.Subject, Issuer: issuer, Expiry: tok.Expiry}
	if strings.HasPrefix(c.Subject, "service:") {
		p.Kind = Service
	}
	for _, r := range c.Roles {
		g, err := ParseGrant(r)
		if err == nil && !mayGrant(district, g) {
			err = fmt.Errorf("issuer for %s may not grant %s", district, g)
		}
		if err != nil {
			o.log.DebugContext(ctx, "grant ignored", "issuer", issuer, "reason", err.Error())
			continue
		}
		p.Grants = append(p.Grants, g)
	}
	return p.WithCredential(raw), nil
}

// mayGrant reports whether an issuer configured for district may grant g:
// the system issuer anything, a district's issuer only roles within it.
func mayGrant(district string, g Grant) bool {
	return district == SystemIssuer || g.Resource != "" && g.District() == district
}

// retryDiscovery is how long an issuer whose discovery failed is left
// alone before it is asked again.
const retryDiscovery = 5 * time.Second

func (o *OIDC) verifier(ctx context.Context, issuer string) (*oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if v := o.verifiers[issuer]; v != nil {
		return v, nil
	}
	if at, ok := o.failed[issuer]; ok && time.Since(at) < retryDiscovery {
		return nil, errIssuerUnreachable
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	provider, err := oidc.NewProvider(dctx, issuer)
	if err != nil {
		o.failed[issuer] = time.Now()
		o.log.WarnContext(ctx, "identity provider not reachable", "issuer", issuer, "error", err.Error())
		return nil, errIssuerUnreachable
	}
	// The keys are fetched with a context of their own: the first
	// request's would end with it.
	v := provider.VerifierContext(context.WithoutCancel(ctx), &oidc.Config{ClientID: Audience})
	o.verifiers[issuer] = v
	return v, nil
}

// errIssuerUnreachable is the refusal of a token whose issuer cannot be
// asked for its keys just now.
var errIssuerUnreachable = errors.New("the token's identity provider cannot be reached to check it; try again shortly")

// peekIssuer reads the `iss` claim of a JWT without verifying it, to pick
// the verifier that will.
func peekIssuer(raw string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", errors.New("the credential is neither an API key nor a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", errors.New("the token is not a JWT")
	}
	var c struct {
		Issuer string `json:"iss"`
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Issuer == "" {
		return "", errors.New("the token names no issuer")
	}
	return c.Issuer, nil
}

// tokenEndpoint finds an issuer's token endpoint through its discovery
// document.
func tokenEndpoint(ctx context.Context, issuer string) (string, error) {
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return "", fmt.Errorf("identity provider %s: %w", issuer, err)
	}
	return p.Endpoint().TokenURL, nil
}
