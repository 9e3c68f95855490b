package auth

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// ServiceIdentity is a service's own identity for work that has no caller
// (recovery at start, relays): client credentials from the system issuer,
// whose tokens the services verify like any other.
type ServiceIdentity struct {
	issuer, clientID, secret string
	auth                     *Authenticator

	mu     sync.Mutex
	source oauth2.TokenSource // once the issuer's token endpoint is known
}

// NewServiceIdentity gets tokens for clientID from the token endpoint of
// issuer (found through its discovery document, when first needed: the
// issuer may start after the service) and verifies them with a.
func NewServiceIdentity(issuer, clientID, secret string, a *Authenticator) *ServiceIdentity {
	return &ServiceIdentity{issuer: issuer, clientID: clientID, secret: secret, auth: a}
}

func (s *ServiceIdentity) tokens(ctx context.Context) (oauth2.TokenSource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.source == nil {
		tokenURL, err := tokenEndpoint(ctx, s.issuer)
		if err != nil {
			return nil, err
		}
		cfg := clientcredentials.Config{ClientID: s.clientID, ClientSecret: s.secret, TokenURL: tokenURL, Scopes: []string{"openid"}}
		s.source = cfg.TokenSource(context.WithoutCancel(ctx))
	}
	return s.source, nil
}

// Context returns ctx acting as the service: calls made with it present
// the service's token, and what it changes is recorded as the service's.
// Work that continues a caller's keeps that caller's subject with the work
// and records it too.
func (s *ServiceIdentity) Context(ctx context.Context) (context.Context, error) {
	source, err := s.tokens(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := source.Token()
	if err != nil {
		return nil, fmt.Errorf("service token: %w", err)
	}
	p, err := s.auth.Authenticate(ctx, tok.AccessToken)
	if err != nil {
		return nil, fmt.Errorf("service token does not verify: %w", err)
	}
	return WithPrincipal(ctx, p), nil
}
