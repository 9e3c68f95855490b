package scram_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/gongyak/gongyak/pkg/dbrole"
	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/scram"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestTheServerAcceptsThePasswordOfAVerifier sets a role's password as a
// verifier and logs in with the password, as PostgreSQL checks it.
func TestTheServerAcceptsThePasswordOfAVerifier(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	const password = "3f9a0c1e5b7d2a4c6e8f0a1b3c5d7e9f"
	v, err := scram.Verifier(password)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v, "SCRAM-SHA-256$4096:") || strings.Contains(v, password) {
		t.Fatalf("verifier %q", v)
	}
	// Roles belong to the server, shared with other test binaries.
	role := "scram_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD '"+v+"'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+role) }) //nolint:errcheck // the server goes with the run

	for _, tc := range []struct {
		password string
		ok       bool
	}{{password, true}, {password[1:], false}, {"", false}} {
		u, err := dbrole.URL(url, role, tc.password)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := pgx.ParseConfig(u)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Password = tc.password // not PGPASSWORD's, not ~/.pgpass's
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err == nil {
			conn.Close(ctx)
		}
		if tc.ok && err != nil {
			t.Errorf("with the password: %v", err)
		}
		if !tc.ok && !pgcluster.RefusedPassword(err) {
			t.Errorf("with %q: %v, want refused", tc.password, err)
		}
	}
}

func TestVerifierRefusesWhatSASLprepWouldChange(t *testing.T) {
	for _, pw := range []string{"", "with space", "비밀번호", "tab\there"} {
		if _, err := scram.Verifier(pw); err == nil {
			t.Errorf("Verifier(%q) made a verifier", pw)
		}
	}
}
