package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/e2e/internal/harness"
	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/suite"
	"github.com/jackc/pgx/v5"
)

// checkServiceRoles fails t unless every service is connected to the
// database at adminURL as its own role (gongyak_<service>), which owns the
// service's schema.
func checkServiceRoles(t *testing.T, adminURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, b := range suite.Services {
		role := "gongyak_" + b.Name
		rows, _ := conn.Query(ctx, `SELECT DISTINCT usename FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1`, "gongyak-"+b.Name)
		users, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 1 || users[0] != role {
			t.Errorf("the %s service is connected as %v, want %s alone", b.Name, users, role)
		}
		var owner string
		if err := conn.QueryRow(ctx, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", b.Name).Scan(&owner); err != nil || owner != role {
			t.Errorf("the schema %s is owned by %q (%v), want %s", b.Name, owner, err, role)
		}
	}
}

// TestGongyakRunOnItsOwnClusterGivesEachServiceItsRole starts `gongyak
// run` without DATABASE_URL, as `make run` does on a new machine: it makes
// its own cluster, which lets nobody in without a password, keeps the
// passwords in files only their owner reads, shows none of them, and
// connects each service as its own role.
func TestGongyakRunOnItsOwnClusterGivesEachServiceItsRole(t *testing.T) {
	run := startRun(t, harness.Options{})
	dataDir, pgPort := run.Data, run.PGPort

	passwords := map[string]string{}
	for _, role := range []string{"postgres", "gongyak_pledge", "gongyak_budget", "gongyak_indicator", "gongyak_participation"} {
		path := filepath.Join(dataDir, "passwords", role)
		info, err := os.Stat(path)
		if err != nil {
			t.Fatalf("no password kept for %s: %v", role, err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s is readable by others: %v", path, info.Mode())
		}
		raw, _ := os.ReadFile(path)
		passwords[role] = strings.TrimSpace(string(raw))
		if len(passwords[role]) < 32 {
			t.Errorf("the password of %s is short: %d characters", role, len(passwords[role]))
		}
		if strings.Contains(run.Out.String(), passwords[role]) {
			t.Errorf("gongyak run printed the password of %s:\n%s", role, run.Out.String())
		}
	}

	ctx := context.Background()
	noPassword, err := pgx.ParseConfig(fmt.Sprintf("postgres://postgres@127.0.0.1:%d/gongyak?sslmode=disable", pgPort))
	if err != nil {
		t.Fatal(err)
	}
	noPassword.Password = ""
	if conn, err := pgx.ConnectConfig(ctx, noPassword); !pgcluster.RefusedPassword(err) {
		if err == nil {
			conn.Close(ctx)
		}
		t.Errorf("the superuser without a password: %v, want refused", err)
	}
	checkServiceRoles(t, fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/gongyak?sslmode=disable", passwords["postgres"], pgPort))

	r := &running{base: run.Base, client: &http.Client{Timeout: 30 * time.Second}, credential: run.Key}
	r.call(t, "GET", "/v1/districts/gwangsan", nil).must(t, http.StatusOK)
}
