package devidp

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The clients the provider knows. Their ids are fixed: the services and the
// console are configured with them.
const (
	// ConsoleClientID is the administration console's: a public client
	// that signs users in with the authorization code flow and PKCE (S256).
	ConsoleClientID = "gongyak-console"
	// CLIClientID is the command line's: a confidential client using the
	// client credentials grant.
	CLIClientID = "gongyak-cli"
)

// ServiceClientIDs are the services' own clients (client credentials
// grant), one per service, for the calls they make to one another.
var ServiceClientIDs = []string{"gongyak-pledge", "gongyak-budget", "gongyak-indicator", "gongyak-participation"}

// ConfidentialClientIDs are the clients that have a secret: CLIClientID
// and ServiceClientIDs.
func ConfidentialClientIDs() []string {
	return append([]string{CLIClientID}, ServiceClientIDs...)
}

// DefaultRedirectURI is where the console expects the user back when no
// --redirect-uri is given: the gateway's admin callback.
const DefaultRedirectURI = "http://127.0.0.1:8080/admin/callback"

// client is one registered client, as the op package asks about it.
type client struct {
	id           string
	secret       string // empty for the public console
	redirectURIs []string
	grantTypes   []oidc.GrantType
	loginURL     func(authRequestID string) string
	lifetime     time.Duration
}

func (c *client) GetID() string                    { return c.id }
func (c *client) RedirectURIs() []string           { return c.redirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return c.redirectURIs }
func (c *client) LoginURL(id string) string        { return c.loginURL(id) }
func (c *client) GrantTypes() []oidc.GrantType     { return c.grantTypes }
func (c *client) IDTokenLifetime() time.Duration   { return c.lifetime }
func (c *client) ClockSkew() time.Duration         { return 0 }

// DevMode stays off: it would let any http redirect URI through, and the
// registered ones are checked exactly.
func (c *client) DevMode() bool { return false }

// ApplicationType is web for every client: the console's callback is
// served by the gateway, and op allows http redirect URIs for the code flow
// only to web clients (or in DevMode). Being public is said by AuthMethod.
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }

func (c *client) AuthMethod() oidc.AuthMethod {
	if c.secret == "" {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	if c.secret == "" {
		return []oidc.ResponseType{oidc.ResponseTypeCode}
	}
	return nil
}

// AccessTokenType is JWT for every client: services verify tokens offline
// against the JWKS.
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// IsScopeAllowed allows no scopes beyond the standard ones (openid,
// profile, …), which op allows by itself.
func (c *client) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion puts the profile (name,
// preferred_username) into the ID token too, so the console can greet the
// user without a userinfo call.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }

// requiresPKCE reports whether the client must send an S256 code
// challenge: the public one, which has no secret to prove who redeems the
// code.
func (c *client) requiresPKCE() bool { return c.secret == "" }

// serviceSubject is the sub of a token issued to a confidential client.
func serviceSubject(clientID string) string { return "service:" + clientID }
