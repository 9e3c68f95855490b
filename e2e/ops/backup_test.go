//go:build ops

package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/dbrole"
	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/google/go-cmp/cmp"
)

// pgTool runs one of PostgreSQL's client tools (pg_dump, psql …), from
// the folder the server binaries are found in, against 127.0.0.1:port as
// the superuser with password, and returns what it said.
func pgTool(t *testing.T, port int, password, tool string, args ...string) string {
	t.Helper()
	bin, err := pgcluster.FindBin()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args = append([]string{"-h", "127.0.0.1", "-p", fmt.Sprint(port), "-U", pgcluster.Superuser}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(bin, tool), args...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out.String())
	}
	t.Logf("%s %s (%s)", tool, strings.Join(args[6:], " "), time.Since(start).Round(time.Millisecond))
	return out.String()
}

// readFile is a file's content, trimmed.
func readFile(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(raw))
}

// TestABackupRestoredIntoANewClusterServesTheSameCard backs up a suite
// holding the Gwangsan card as an operator would — the roles with their
// passwords (pg_dumpall --roles-only) and the database (pg_dump) — while
// it runs, restores both into a new PostgreSQL cluster, starts the suite
// on that cluster with the services' own URLs and the old citizen key, and
// finds the same card, byte for byte, and writes that work: each table's
// sequence goes on where it stood.
func TestABackupRestoredIntoANewClusterServesTheSameCard(t *testing.T) {
	old := startSuite(t, suiteOptions{})
	pledge := old.demoPledge(t)
	card := old.call(t, "GET", "/v1/"+pledge+":card", "", false).must(t, "the card before the backup")
	text := old.call(t, "GET", "/v1/"+pledge+":render?format=text", "", false).must(t, "the rendered card before the backup")

	// The backup, taken while the suite runs: pg_dump reads one snapshot.
	backup := t.TempDir()
	super := readFile(t, filepath.Join(old.Data, "passwords", pgcluster.Superuser))
	pgTool(t, old.PGPort, super, "pg_dumpall", "--roles-only", "--file", filepath.Join(backup, "roles.sql"))
	pgTool(t, old.PGPort, super, "pg_dump", "--format=custom", "--file", filepath.Join(backup, "gongyak.dump"), "gongyak")
	// What is kept beside the database: the key citizens' identifiers are
	// hashed with, and the passwords the roles were made with.
	passwords := map[string]string{}
	for _, s := range dbrole.Schemas {
		passwords[s] = readFile(t, filepath.Join(old.Data, "passwords", dbrole.Name(s)))
	}
	kept, err := os.MkdirTemp("", "gongyak-ops-restored-")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"citizen.key", "admin.key"} {
		if err := os.WriteFile(filepath.Join(kept, name), []byte(readFile(t, filepath.Join(old.Data, name))+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old.stop(t)

	// A new cluster, its superuser's password its own until the roles
	// file gives it the old one.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cluster, stopCluster, err := pgcluster.StartTemp(ctx, "gongyak-ops-restore-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stopCluster)
	u, err := url.Parse(cluster.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	newSuper, _ := u.User.Password()
	// The roles file creates every role, then sets its attributes and
	// password: the superuser exists on any cluster, so its CREATE ROLE
	// fails, as pg_dumpall means it to, and no other statement may.
	said := pgTool(t, cluster.Port(), newSuper, "psql", "--no-psqlrc", "--quiet", "--file", filepath.Join(backup, "roles.sql"), "postgres")
	for _, line := range strings.Split(strings.TrimSpace(said), "\n") {
		if line != "" && !strings.HasSuffix(line, `ERROR:  role "postgres" already exists`) {
			t.Fatalf("restoring the roles: %s", said)
		}
	}
	pgTool(t, cluster.Port(), super, "pg_restore", "--create", "--exit-on-error", "--dbname", "postgres",
		filepath.Join(backup, "gongyak.dump"))

	// The suite on the restored cluster: each service as its role, with
	// the password it had.
	env := []string{fmt.Sprintf("DATABASE_URL=postgres://127.0.0.1:%d/gongyak?sslmode=disable", cluster.Port())}
	for _, s := range dbrole.Schemas {
		u, err := dbrole.URL(fmt.Sprintf("postgres://127.0.0.1:%d/gongyak?sslmode=disable", cluster.Port()), dbrole.Name(s), passwords[s])
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, "GONGYAK_"+strings.ToUpper(s)+"_DATABASE_URL="+u)
	}
	restored := startSuite(t, suiteOptions{data: kept, env: env})
	if strings.Contains(restored.Out.String(), "imported the demo card") {
		t.Fatal("the restored suite imported the demo card again: it did not find the restored district")
	}

	if got := restored.call(t, "GET", "/v1/"+pledge+":render?format=text", "", false).must(t, "the rendered card after the restore"); !bytes.Equal(got, text) {
		t.Errorf("the rendered card differs after the restore:\n%s", cmp.Diff(string(text), string(got)))
	}
	var before, after any
	if err := json.Unmarshal(card, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(restored.call(t, "GET", "/v1/"+pledge+":card", "", false).must(t, "the card after the restore"), &after); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the card differs after the restore (-before +after):\n%s", diff)
	}

	// Writes go on: a new pledge, its status changed, both in the audit
	// log — each insert takes the next value of a restored sequence.
	created := restored.call(t, "POST", "/v1/districts/gwangsan/pledges?pledgeId=after-restore", `{"title": "복원 뒤의 공약", "term": 7}`, false).
		must(t, "creating a pledge after the restore")
	var p struct{ Name, Etag string }
	if err := json.Unmarshal(created, &p); err != nil || p.Etag == "" {
		t.Fatalf("the created pledge: %v %s", err, created)
	}
	restored.call(t, "POST", "/v1/"+p.Name+":changeStatus",
		`{"status": "PLEDGE_STATUS_ON_TRACK", "reason": "복원 뒤 첫 변경", "etag": "`+p.Etag+`"}`, false).must(t, "changing its status")
	var audit struct {
		AuditEvents []struct{ Resource, Method string }
	}
	raw := restored.call(t, "GET", "/v1/districts/gwangsan/auditEvents?filter="+url.QueryEscape(`resource = "`+p.Name+`"`), "", false).
		must(t, "the audit log")
	if err := json.Unmarshal(raw, &audit); err != nil {
		t.Fatal(err)
	}
	if len(audit.AuditEvents) != 2 {
		t.Errorf("the audit log holds %d events of %s after the restore, want 2 (created, status changed): %s", len(audit.AuditEvents), p.Name, raw)
	}
}
