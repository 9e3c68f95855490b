package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	grpcauth "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Authenticator verifies the credential a call presents.
type Authenticator struct {
	// Tokens verifies OpenID Connect access tokens; nil when no issuer is
	// configured.
	Tokens *OIDC
	// Keys verifies API keys; nil when the service does not take them.
	Keys KeyVerifier
	// Now is the clock expiries are checked against.
	Now func() time.Time
}

// AuthFunc is the go-grpc-middleware auth function: it puts the caller
// into the context, anonymous when the call presents no credential, and
// refuses a credential that does not verify with UNAUTHENTICATED. Whether
// the caller may make the call is the Policy's to say.
func (a *Authenticator) AuthFunc(ctx context.Context) (context.Context, error) {
	if len(metadata.ValueFromIncomingContext(ctx, "authorization")) == 0 {
		return WithPrincipal(ctx, anonymous), nil
	}
	raw, err := grpcauth.AuthFromMD(ctx, "bearer")
	if err != nil {
		return nil, status.Error(codes.Unauthenticated, "send the credential as `authorization: Bearer {token or API key}`")
	}
	p, err := a.Authenticate(ctx, strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	return WithPrincipal(ctx, p), nil
}

// Authenticate verifies a bearer credential: an API key (`gyk_…`) or a
// JWT access token.
func (a *Authenticator) Authenticate(ctx context.Context, raw string) (*Principal, error) {
	var p *Principal
	var err error
	switch {
	case strings.HasPrefix(raw, KeyPrefix):
		if a.Keys == nil {
			return nil, status.Error(codes.Unauthenticated, "API keys are not accepted here")
		}
		p, err = a.Keys.VerifyKey(ctx, raw)
		if err != nil && !errors.Is(err, ErrBadKey) {
			// The key could not be checked, its store being away say:
			// that is the error, not that the key is bad.
			return nil, err
		}
		if err == nil {
			p = p.WithCredential(raw)
		}
	default:
		if a.Tokens == nil {
			return nil, status.Error(codes.Unauthenticated, "no token issuer is configured here (GONGYAK_OIDC_ISSUERS): send an API key")
		}
		p, err = a.Tokens.Verify(ctx, raw)
	}
	switch {
	case errors.Is(err, errIssuerUnreachable):
		return nil, status.Error(codes.Unavailable, err.Error())
	case err != nil && status.Code(err) == codes.Unavailable:
		return nil, err
	case err != nil:
		return nil, status.Error(codes.Unauthenticated, "the credential is not valid: "+err.Error())
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	if !p.Expiry.IsZero() && !now().Before(p.Expiry) {
		return nil, status.Error(codes.Unauthenticated, "the credential has expired")
	}
	return p, nil
}
