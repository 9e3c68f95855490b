package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongyak/gongyak/cmd/devidp"
	"github.com/gongyak/gongyak/cmd/devidp/devlogin"
)

// lockedBuffer is the command's terminal, read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestIDPCommandServesUntilStopped(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.json")
	if err := os.WriteFile(users, []byte(`[{"username": "viewer", "roles": ["viewer@districts/gwangsan"]}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	// The redirect URI comes from the environment, the rest from flags.
	const redirect = "http://127.0.0.1:3000/callback"
	t.Setenv("GONGYAK_IDP_REDIRECT_URIS", "http://127.0.0.1:3001/x, "+redirect)

	ctx, stop := context.WithCancel(t.Context())
	var out lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- runIDP(ctx, []string{"--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "idp"), "--users", users}, &out)
	}()
	listening := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(10 * time.Second)
	for !listening.MatchString(out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("not listening after 10s; printed:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	printed := out.String()
	issuer := "http://" + listening.FindStringSubmatch(printed)[1]
	password := regexp.MustCompile(`(?m)^  viewer +(\S+) +viewer@districts/gwangsan$`).FindStringSubmatch(printed)
	if password == nil || !strings.Contains(printed, "FOR DEVELOPMENT ONLY") || !strings.Contains(printed, "issuer      "+issuer) {
		t.Fatalf("the output lacks the issuer, the warning or the user's password:\n%s", printed)
	}

	if _, err := devlogin.Login(t.Context(), nil, issuer, devidp.ConsoleClientID, redirect, "viewer", password[1]); err != nil {
		t.Errorf("signing in with the printed password: %v", err)
	}
	secret := regexp.MustCompile(`(?m)^  gongyak-cli +(\S+) `).FindStringSubmatch(printed)
	if secret == nil {
		t.Fatalf("no secret printed for gongyak-cli:\n%s", printed)
	}
	if _, err := devlogin.ClientCredentials(t.Context(), nil, issuer, devidp.CLIClientID, secret[1]); err != nil {
		t.Errorf("the printed gongyak-cli secret: %v", err)
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stopping: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after being stopped")
	}
	if !strings.Contains(out.String(), "development OpenID provider stopped") {
		t.Errorf("no word of stopping:\n%s", out.String())
	}
}
