package devidp_test

import (
	"log/slog"
	"testing"

	"github.com/gongyak/gongyak/pkg/auth"
)

// TestAServiceActsAsItselfWithItsClientCredentials gets the pledge
// service's own identity from the provider, as work without a caller does,
// and finds the services take it as that service, a system admin.
func TestAServiceActsAsItselfWithItsClientCredentials(t *testing.T) {
	srv, p := start(t, testConfig(t))
	verifier := &auth.Authenticator{Tokens: auth.NewOIDC(auth.Issuers{srv.URL: auth.SystemIssuer}, slog.New(slog.DiscardHandler))}
	id := auth.NewServiceIdentity(srv.URL, "gongyak-pledge", p.ClientSecret("gongyak-pledge"), verifier)
	ctx, err := id.Context(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	who := auth.FromContext(ctx)
	if who.Kind != auth.Service || who.Actor() != "service:gongyak-pledge" || !who.Can(auth.WriteData, auth.In("gwangsan")) || who.Credential() == "" {
		t.Errorf("the service's identity: %v", who)
	}
	// The secret is checked when a token is asked for.
	bad := auth.NewServiceIdentity(srv.URL, "gongyak-pledge", "wrong", verifier)
	if _, err := bad.Context(t.Context()); err == nil {
		t.Error("a wrong client secret gave an identity")
	}
}
