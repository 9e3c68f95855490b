package devidp

import (
	"net/http"
	"slices"
)

// What the tests read of a Provider that the binaries do not: gongyak
// idp lets the provider listen by itself (Provider.Serve).

// Handler serves the provider: discovery at
// /.well-known/openid-configuration, the JWKS, authorize, token, userinfo,
// end session, the login page and the page end session shows. When the issuer has a path, the handler
// expects requests under it (it strips it itself).
func (p *Provider) Handler() http.Handler { return p.handler }

// Users returns the users who can sign in, with their passwords (given or
// generated), in the order configured.
func (p *Provider) Users() []User {
	users := slices.Clone(p.cfg.Users)
	for i := range users {
		users[i].Roles = slices.Clone(users[i].Roles)
	}
	return users
}
