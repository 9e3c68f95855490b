package devidp

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// authRequestLifetime is how long a sign-in may take, from the authorize
// call to the code's exchange.
const authRequestLifetime = 10 * time.Minute

// authRequest is one authorization request, from the authorize call until
// its code is exchanged. The storage hands out copies, so op and the login
// page never share one.
type authRequest struct {
	id           string
	created      time.Time
	clientID     string
	redirectURI  string
	state        string
	nonce        string
	scopes       []string
	responseType oidc.ResponseType
	responseMode oidc.ResponseMode
	challenge    *oidc.CodeChallenge
	// csrf is the login form's token, tied to this request and to the
	// browser that was shown the form (a cookie holds it too).
	csrf string

	// Set when the user signs in.
	subject  string
	authTime time.Time
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.subject != "" }

// GetAudience names the services (Audience) as well as the client: the
// access token made from this request is for the services, the ID token
// for the client.
func (a *authRequest) GetAudience() []string { return []string{Audience, a.clientID} }

func (a *authRequest) expired(now time.Time) bool {
	return now.Sub(a.created) > authRequestLifetime
}

// serviceTokenRequest is a client credentials request: the client acts as
// itself, a service.
type serviceTokenRequest struct {
	clientID string
	scopes   []string
}

func (r *serviceTokenRequest) GetSubject() string    { return serviceSubject(r.clientID) }
func (r *serviceTokenRequest) GetAudience() []string { return []string{Audience} }
func (r *serviceTokenRequest) GetScopes() []string   { return r.scopes }
