package devidp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Audience is the aud every access token carries, the one the services
// check: a token is for the whole suite, not for one service.
const Audience = "gongyak"

// RolesClaim is the access token claim holding the subject's roles, e.g.
// ["district-admin@districts/gwangsan"].
const RolesClaim = "gongyak_roles"

// serviceRoles are the roles of a token issued to a confidential client.
var serviceRoles = []string{"system-admin"}

// storage is what op asks about clients, users, keys and the requests in
// flight. Users, clients and the key are fixed at start; auth requests and
// issued tokens live in memory only: a restart ends sign-ins in progress,
// while tokens already issued stay valid (they are verified by the key).
type storage struct {
	users    map[string]User
	clients  map[string]*client
	key      *signingKey
	lifetime time.Duration

	mu           sync.Mutex
	authRequests map[string]*authRequest
	codes        map[string]string // code → auth request id; each code redeemed once
	tokens       map[string]issuedToken
}

// issuedToken is what the userinfo and introspection endpoints need to
// know of an access token; a revoked token is removed.
type issuedToken struct {
	subject  string
	clientID string
	expires  time.Time
}

var (
	errUnknownClient  = errors.New("unknown client or wrong secret")
	errNotSupported   = errors.New("not supported by the development provider")
	errUnknownRequest = errors.New("unknown or expired auth request")
)

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.ClientCredentialsStorage       = (*storage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
)

// CreateAuthRequest keeps an authorize call until the user signs in. The
// public client must send an S256 code challenge; prompt=none cannot be
// honoured because there are no sessions: every sign-in shows the form.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	c, ok := s.clients[req.ClientID]
	if !ok {
		return nil, errUnknownClient
	}
	if c.requiresPKCE() && (req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256) {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge with code_challenge_method S256 is required")
	}
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired()
	}
	a := &authRequest{
		id:           rand.Text(),
		created:      time.Now(),
		clientID:     req.ClientID,
		redirectURI:  req.RedirectURI,
		state:        req.State,
		nonce:        req.Nonce,
		scopes:       slices.Clone(req.Scopes),
		responseType: req.ResponseType,
		responseMode: req.ResponseMode,
		csrf:         rand.Text(),
	}
	if req.CodeChallenge != "" {
		a.challenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(time.Now())
	s.authRequests[a.id] = a
	copied := *a
	return &copied, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	a, err := s.authRequest(id)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// authRequest returns a copy of the live auth request id.
func (s *storage) authRequest(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authRequests[id]
	if !ok || a.expired(time.Now()) {
		return nil, errUnknownRequest
	}
	copied := *a
	return &copied, nil
}

// AuthRequestByCode redeems code: a code is looked up once, so a failed
// exchange (a wrong code_verifier, say) burns it.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.codes[code]
	delete(s.codes, code)
	a, live := s.authRequests[id]
	if !ok || !live || a.expired(time.Now()) || !a.Done() {
		return nil, errUnknownRequest
	}
	copied := *a
	return &copied, nil
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.authRequests[id]; !ok {
		return errUnknownRequest
	}
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.authRequests, id)
	for code, forID := range s.codes {
		if forID == id {
			delete(s.codes, code)
		}
	}
	return nil
}

// completeLogin marks auth request id as signed in by username, if the
// form's csrf token is the request's.
func (s *storage) completeLogin(id, csrf, username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authRequests[id]
	if !ok || a.expired(time.Now()) || a.Done() {
		return errUnknownRequest
	}
	if subtle.ConstantTimeCompare([]byte(a.csrf), []byte(csrf)) != 1 {
		return errBadCSRF
	}
	a.subject = username
	a.authTime = time.Now()
	return nil
}

// sweep forgets expired auth requests and tokens; s.mu is held.
func (s *storage) sweep(now time.Time) {
	maps.DeleteFunc(s.authRequests, func(_ string, a *authRequest) bool { return a.expired(now) })
	maps.DeleteFunc(s.codes, func(_, id string) bool { _, ok := s.authRequests[id]; return !ok })
	maps.DeleteFunc(s.tokens, func(_ string, t issuedToken) bool { return now.After(t.expires) })
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	var clientID string
	switch r := req.(type) {
	case *authRequest:
		clientID = r.clientID
	case *serviceTokenRequest:
		clientID = r.clientID
	default:
		return "", time.Time{}, fmt.Errorf("token request %T: %w", req, errNotSupported)
	}
	id := rand.Text()
	now := time.Now()
	expires := now.Add(s.lifetime)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	s.tokens[id] = issuedToken{subject: req.GetSubject(), clientID: clientID, expires: expires}
	return id, expires, nil
}

// Refresh tokens are not issued: a development sign-in lasts one token.
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("refresh tokens are not issued")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// TerminateSession has nothing to end: there are no sessions.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, tokenID, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenID]
	if !ok {
		return nil // RFC 7009: an unknown token is not an error
	}
	if t.clientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("the token was issued to another client")
	}
	delete(s.tokens, tokenID)
	return nil
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.key}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, errUnknownClient
	}
	return c, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	_, err := s.confidentialClient(id, secret)
	return err
}

func (s *storage) ClientCredentials(_ context.Context, id, secret string) (op.Client, error) {
	return s.confidentialClient(id, secret)
}

func (s *storage) confidentialClient(id, secret string) (*client, error) {
	c, ok := s.clients[id]
	if !ok || c.secret == "" || subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) != 1 {
		return nil, errUnknownClient
	}
	return c, nil
}

func (s *storage) ClientCredentialsTokenRequest(_ context.Context, id string, scopes []string) (op.TokenRequest, error) {
	return &serviceTokenRequest{clientID: id, scopes: scopes}, nil
}

// GetPrivateClaimsFromRequest adds the gongyak claims to a JWT access
// token: the subject's roles and, for a user, the names.
func (s *storage) GetPrivateClaimsFromRequest(_ context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	return s.privateClaims(req.GetSubject())
}

func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, subject, _ string, _ []string) (map[string]any, error) {
	return s.privateClaims(subject)
}

func (s *storage) privateClaims(subject string) (map[string]any, error) {
	if u, ok := s.users[subject]; ok {
		return map[string]any{
			RolesClaim:           slices.Clone(u.Roles),
			"name":               u.displayName(),
			"preferred_username": u.Username,
		}, nil
	}
	if id, ok := strings.CutPrefix(subject, "service:"); ok {
		if _, ok := s.clients[id]; ok {
			return map[string]any{RolesClaim: slices.Clone(serviceRoles)}, nil
		}
	}
	return nil, fmt.Errorf("unknown subject %q", subject)
}

// SetUserinfoFromScopes is deprecated by op in favour of
// SetUserinfoFromRequest.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims: sub always (op takes
// it from here), the names with the profile scope.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	s.fillUserinfo(info, req.GetSubject(), slices.Contains(scopes, oidc.ScopeProfile))
	return nil
}

// SetUserinfoFromToken answers the userinfo endpoint for a token this
// provider issued and has not revoked.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	if _, err := s.liveToken(tokenID, subject); err != nil {
		return err
	}
	s.fillUserinfo(info, subject, true)
	info.AppendClaims(RolesClaim, s.rolesOf(subject))
	return nil
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, _ string) error {
	t, err := s.liveToken(tokenID, subject)
	if err != nil {
		return err
	}
	info := new(oidc.UserInfo)
	s.fillUserinfo(info, subject, true)
	info.AppendClaims(RolesClaim, s.rolesOf(subject))
	resp.SetUserInfo(info)
	resp.ClientID = t.clientID
	resp.Audience = []string{Audience}
	resp.Expiration = oidc.FromTime(t.expires)
	return nil
}

func (s *storage) liveToken(tokenID, subject string) (issuedToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenID]
	if !ok || t.subject != subject || time.Now().After(t.expires) {
		return issuedToken{}, errors.New("token unknown, revoked or issued before the provider restarted")
	}
	return t, nil
}

func (s *storage) fillUserinfo(info *oidc.UserInfo, subject string, profile bool) {
	info.Subject = subject
	if u, ok := s.users[subject]; ok && profile {
		info.Name = u.displayName()
		info.PreferredUsername = u.Username
	}
}

func (s *storage) rolesOf(subject string) []string {
	claims, err := s.privateClaims(subject)
	if err != nil {
		return nil
	}
	return claims[RolesClaim].([]string)
}

// The JWT profile grant (a client signing its own assertion) is not
// offered: confidential clients use their secret.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotSupported
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotSupported
}

func (s *storage) Health(context.Context) error { return nil }

// signingKey as op.SigningKey.
func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is the signing key as the JWKS shows it.
type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.key.PublicKey }
