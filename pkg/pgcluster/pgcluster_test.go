package pgcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// connectAs connects to the cluster on port as the superuser with
// password, ignoring PGPASSWORD and ~/.pgpass.
func connectAs(ctx context.Context, port int, password string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", Superuser, port))
	if err != nil {
		return nil, err
	}
	cfg.Password = password
	return pgx.ConnectConfig(ctx, cfg)
}

func TestAStartedClusterRefusesConnectionsWithoutThePassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, stop, err := StartTemp(ctx, "gongyak-pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	for _, password := range []string{"", "not-the-password"} {
		conn, err := connectAs(ctx, c.Port(), password)
		if err == nil {
			conn.Close(ctx)
			t.Errorf("connected with the password %q", password)
		} else if !RefusedPassword(err) {
			t.Errorf("with the password %q: %v, want the server refusing it", password, err)
		}
	}
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatalf("with the password: %v", err)
	}
	conn.Close(ctx)
	if c.ConvertedFromTrust() {
		t.Error("a new cluster reports it was converted from trust")
	}
}

// TestStartConvertsATrustClusterKeepingItsData makes a cluster as earlier
// versions did (initdb --auth=trust), stores a row in it, and starts it
// with a password: the row is still there, and without the password
// nobody gets in.
func TestStartConvertsATrustClusterKeepingItsData(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	base, err := os.MkdirTemp("", "gongyak-pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil { // the server's user enters it
		t.Fatal(err)
	}
	opts := Options{DataDir: filepath.Join(base, "data"), Throwaway: true}

	old, err := newCluster(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.prepare(); err != nil {
		t.Fatal(err)
	}
	if err := old.run(ctx, "initdb", "-D", opts.DataDir, "-U", Superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"); err != nil {
		t.Fatal(err)
	}
	if err := old.serve(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := connectAs(ctx, old.Port(), "")
	if err != nil {
		old.Stop()
		t.Fatalf("the trust cluster: %v", err)
	}
	_, storeErr := conn.Exec(ctx, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('시민참여형 구정혁신')")
	conn.Close(ctx)
	if err := old.Stop(); err != nil {
		t.Fatal(err)
	}
	if storeErr != nil {
		t.Fatal(storeErr)
	}

	opts.Port = old.Port()
	opts.Password = NewPassword()
	c, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if !c.ConvertedFromTrust() {
		t.Error("Start did not report converting the trust cluster")
	}
	if conn, err := connectAs(ctx, c.Port(), ""); !RefusedPassword(err) {
		if err == nil {
			conn.Close(ctx)
		}
		t.Errorf("without a password after the conversion: %v, want refused", err)
	}
	conn, err = pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatalf("with the password: %v", err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "시민참여형 구정혁신" {
		t.Errorf("the row stored before the conversion: %q, %v", v, err)
	}
	hba, err := os.ReadFile(filepath.Join(opts.DataDir, "pg_hba.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if _, trusting := requirePasswords(string(hba)); trusting {
		t.Errorf("pg_hba.conf still trusts:\n%s", hba)
	}
}

func TestRequirePasswordsChangesOnlyTrustMethods(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		changed        bool
	}{
		{"local", "local   all             all                                     trust", "local all all scram-sha-256", true},
		{"host", "host    all             all             127.0.0.1/32            trust", "host all all 127.0.0.1/32 scram-sha-256", true},
		{"with a comment", "host all all ::1/128 trust # loopback", "host all all ::1/128 scram-sha-256 # loopback", true},
		{"a user named trust", "host all trust 127.0.0.1/32 scram-sha-256", "host all trust 127.0.0.1/32 scram-sha-256", false},
		{"a comment naming trust", "# METHOD can be \"trust\", \"reject\"", "# METHOD can be \"trust\", \"reject\"", false},
		{"already scram", "host    all  all  127.0.0.1/32  scram-sha-256", "host    all  all  127.0.0.1/32  scram-sha-256", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := requirePasswords(tc.in)
			if got != tc.want || changed != tc.changed {
				t.Errorf("requirePasswords(%q) = %q, %v; want %q, %v", tc.in, got, changed, tc.want, tc.changed)
			}
		})
	}
	if got, _ := requirePasswords("a\nlocal all all trust\n"); !strings.HasSuffix(got, "scram-sha-256\n") {
		t.Errorf("lines around the change: %q", got)
	}
}
