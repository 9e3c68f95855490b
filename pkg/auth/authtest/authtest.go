// Package authtest runs an OpenID issuer of its own for tests: a real
// discovery document and key set served over HTTP, and access tokens
// signed with a key nobody else has. Services verify its tokens exactly as
// they verify the development provider's or a district's, which shows
// nothing in them is tied to one provider.
package authtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/gongyak/gongyak/pkg/auth"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// Issuer is a running test issuer.
type Issuer struct {
	// URL is the issuer's identifier and base URL.
	URL    string
	key    *rsa.PrivateKey
	keyID  string
	signer jose.Signer
}

// NewIssuer starts an issuer on a loopback port for the rest of t.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 8)
	rand.Read(id) //nolint:errcheck // never fails
	iss := &Issuer{key: key, keyID: hex.EncodeToString(id)}
	iss.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: iss.keyID}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss.URL = srv.URL
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{
			"issuer": iss.URL, "jwks_uri": iss.URL + "/keys",
			"authorization_endpoint": iss.URL + "/authorize", "token_endpoint": iss.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: iss.keyID, Algorithm: "RS256", Use: "sig"}}})
	})
	return iss
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the test client went away
}

// Claims are what a token says; zero fields take defaults.
type Claims struct {
	Subject  string
	Roles    []string
	Audience []string
	Expiry   time.Time
}

// Token signs an access token for subject holding roles (as the
// `gongyak_roles` claim writes them), for the audience gongyak, valid for
// an hour.
func (iss *Issuer) Token(t testing.TB, subject string, roles ...string) string {
	t.Helper()
	return iss.Sign(t, Claims{Subject: subject, Roles: roles})
}

// Sign signs a token with the given claims.
func (iss *Issuer) Sign(t testing.TB, c Claims) string {
	t.Helper()
	if c.Audience == nil {
		c.Audience = []string{auth.Audience}
	}
	if c.Expiry.IsZero() {
		c.Expiry = time.Now().Add(time.Hour)
	}
	if c.Roles == nil {
		c.Roles = []string{}
	}
	raw, err := jwt.Signed(iss.signer).Claims(jwt.Claims{
		Issuer: iss.URL, Subject: c.Subject, Audience: jwt.Audience(c.Audience),
		Expiry: jwt.NewNumericDate(c.Expiry), IssuedAt: jwt.NewNumericDate(time.Now()),
	}).Claims(map[string]any{auth.RolesClaim: c.Roles}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// As returns ctx whose outgoing calls present token.
func As(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// Authenticator verifies tokens of issuers, and API keys with keys (nil
// when the service takes none), logging nowhere.
func Authenticator(keys auth.KeyVerifier, issuers auth.Issuers) *auth.Authenticator {
	return &auth.Authenticator{Tokens: auth.NewOIDC(issuers, slog.New(slog.DiscardHandler)), Keys: keys}
}

// AsSystem trusts iss as the system issuer, which may grant every role.
func (iss *Issuer) AsSystem() auth.Issuers { return auth.Issuers{iss.URL: auth.SystemIssuer} }

// Conn is a client connection whose calls present a token, unless a call
// sets its own authorization (As).
type Conn struct {
	grpc.ClientConnInterface
	Token string
}

// WithToken returns conn presenting token on every call.
func WithToken(conn grpc.ClientConnInterface, token string) *Conn {
	return &Conn{ClientConnInterface: conn, Token: token}
}

func (c *Conn) with(ctx context.Context) context.Context {
	if md, _ := metadata.FromOutgoingContext(ctx); len(md.Get("authorization")) > 0 || c.Token == "" {
		return ctx
	}
	return As(ctx, c.Token)
}

// Invoke makes a unary call with the token.
func (c *Conn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	return c.ClientConnInterface.Invoke(c.with(ctx), method, args, reply, opts...)
}

// NewStream opens a stream with the token.
func (c *Conn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return c.ClientConnInterface.NewStream(c.with(ctx), desc, method, opts...)
}
