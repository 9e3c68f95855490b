package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongyak/gongyak/cmd/devidp/devlogin"
	"github.com/gongyak/gongyak/e2e/internal/harness"
	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/suite"
)

// The development users of the e2e suite, as `gongyak idp` takes them,
// with passwords the tests know, and one more: another district's admin.
var e2eUsers = []struct {
	Username string   `json:"username"`
	Password string   `json:"password"`
	Roles    []string `json:"roles"`
}{
	{"admin", "admin-password-e2e", []string{"system-admin"}},
	{"gwangsan-admin", "gwangsan-admin-password-e2e", []string{"district-admin@districts/gwangsan"}},
	{"gwangsan-editor", "gwangsan-editor-password-e2e", []string{"department-editor@districts/gwangsan/departments/legal-support"}},
	{"gwangsan-viewer", "gwangsan-viewer-password-e2e", []string{"viewer@districts/gwangsan"}},
	{"gwangsan-registrar", "gwangsan-registrar-password-e2e", []string{"registrar@districts/gwangsan"}},
	{"gwangsan-privacy", "gwangsan-privacy-password-e2e", []string{"viewer@districts/gwangsan", "personal-data@districts/gwangsan"}},
	{"ministry", "ministry-password-e2e", []string{"ministry-reporter"}},
	{"seogu-admin", "seogu-admin-password-e2e", []string{"district-admin@districts/seogu"}},
}

// redirectURI is where the e2e console client's login lands; nothing
// listens there: the login stops at it and takes the code.
const redirectURI = "http://127.0.0.1:1/e2e-callback"

// idp is a running `gongyak idp` and the tokens of its users, each got
// once through the real authorization-code login.
type idp struct {
	issuer string
	proc   *suite.Process

	mu     sync.Mutex
	tokens map[string]string
}

// startIDP starts the development OpenID provider as its own process with
// the e2e users, until t ends.
func startIDP(t *testing.T) *idp {
	t.Helper()
	dir := t.TempDir()
	users, _ := json.Marshal(e2eUsers)
	usersFile := filepath.Join(dir, "users.json")
	if err := os.WriteFile(usersFile, users, 0o600); err != nil {
		t.Fatal(err)
	}
	port, err := pgcluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	logs := &harness.Output{}
	p, err := suite.Start("idp", filepath.Join(binDir, "gongyak"), []string{"idp", "--addr", addr, "--data", filepath.Join(dir, "data"),
		"--users", usersFile, "--redirect-uri", redirectURI}, nil, logs, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(10 * time.Second); err != nil {
			t.Errorf("stopping idp: %v", err)
		}
		if t.Failed() {
			t.Logf("idp log:\n%s", logs.String())
		}
	})
	i := &idp{issuer: "http://" + addr, proc: p, tokens: map[string]string{}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := suite.WaitHTTP(ctx, p, i.issuer+"/.well-known/openid-configuration"); err != nil {
		t.Fatal(err)
	}
	return i
}

// token signs user in as a browser would (authorization code with PKCE,
// through the provider's login page) and returns the access token.
func (i *idp) token(t *testing.T, user string) string {
	t.Helper()
	i.mu.Lock()
	defer i.mu.Unlock()
	if tok, ok := i.tokens[user]; ok {
		return tok
	}
	password := ""
	for _, u := range e2eUsers {
		if u.Username == user {
			password = u.Password
		}
	}
	if password == "" {
		t.Fatalf("no e2e user %q", user)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := devlogin.Login(ctx, &http.Client{Timeout: 10 * time.Second}, i.issuer, "gongyak-console", redirectURI, user, password)
	if err != nil {
		t.Fatalf("signing in as %s: %v", user, err)
	}
	i.tokens[user] = tok
	return tok
}

// bearer is the Authorization header of a credential.
func bearer(credential string) string { return "Bearer " + strings.TrimSpace(credential) }
