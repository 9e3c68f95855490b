package auth

import (
	"context"
	"fmt"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// ServiceIdentity is a service's own identity for work that has no caller
// (recovery at start, relays): client credentials from the system issuer,
// whose tokens the services verify like any other.
type ServiceIdentity struct {
	source oauth2.TokenSource
	auth   *Authenticator
}

// NewServiceIdentity gets tokens for clientID from the token endpoint of
// issuer (found through its discovery document) and verifies them with a.
func NewServiceIdentity(ctx context.Context, issuer, clientID, secret string, a *Authenticator) (*ServiceIdentity, error) {
	tokenURL, err := tokenEndpoint(ctx, issuer)
	if err != nil {
		return nil, err
	}
	cfg := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: tokenURL, Scopes: []string{"openid"}}
	return &ServiceIdentity{source: cfg.TokenSource(context.WithoutCancel(ctx)), auth: a}, nil
}

// Context returns ctx acting as the service: calls made with it present
// the service's token, and what it changes is recorded as the service's.
// Work that continues a caller's keeps that caller's subject with the work
// and records it too.
func (s *ServiceIdentity) Context(ctx context.Context) (context.Context, error) {
	tok, err := s.source.Token()
	if err != nil {
		return nil, fmt.Errorf("service token: %w", err)
	}
	p, err := s.auth.Authenticate(ctx, tok.AccessToken)
	if err != nil {
		return nil, fmt.Errorf("service token does not verify: %w", err)
	}
	return WithPrincipal(ctx, p), nil
}
