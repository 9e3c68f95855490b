package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/cmd/devidp/devlogin"
	"github.com/gongyak/gongyak/e2e/internal/harness"
	"github.com/gongyak/gongyak/pkg/pgcluster"
)

// seedCardPath is the card `gongyak run` imports on its first start.
const seedCardPath = "../" + harness.DemoCard

// startRun starts `gongyak run` as make run starts it, as opts say, and
// waits for its banner. It is stopped when t ends, if not before.
func startRun(t *testing.T, opts harness.Options) *harness.Run {
	t.Helper()
	opts.Bin = binDir
	run, err := harness.Start(opts)
	if run != nil {
		t.Cleanup(func() { stopRun(t, run) })
	}
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// stopRun sends what Ctrl-C sends and waits for the whole suite to end
// cleanly; again, it checks that it has.
func stopRun(t *testing.T, run *harness.Run) {
	t.Helper()
	if err := run.Stop(45 * time.Second); err != nil {
		t.Errorf("stopping gongyak run: %v\n%s", err, run.Out.String())
	}
	if !strings.Contains(run.Out.String(), "stopping the suite") {
		t.Errorf("gongyak run did not say it stopped the suite:\n%s", run.Out.String())
	}
	if _, err := http.Get(run.Base + "/healthz"); err == nil {
		t.Error("the gateway still answers after gongyak run stopped")
	}
}

// gongyak runs the command line and returns what it printed.
func gongyak(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(binDir, "gongyak"), args...).CombinedOutput()
	return string(out), err
}

// TestGongyakRunSeedsOnceAndGongyakImportWritesThroughTheAPI starts the
// suite as `make run` does, finds the district and the demo card seeded,
// imports another card with `gongyak import` (a dry run first, then for
// real, then a card it must refuse), stops the suite with what Ctrl-C
// sends, and starts it again on the same data: nothing is seeded twice
// and nothing is lost.
func TestGongyakRunSeedsOnceAndGongyakImportWritesThroughTheAPI(t *testing.T) {
	dataDir := t.TempDir()
	// DATABASE_URL names an outside server, so gongyak run starts none;
	// the services' own URLs are passed on to them unchanged.
	dbURL := newServicesDatabase(t)
	env := append(serviceDatabaseURLs(dbURL), "DATABASE_URL="+dbURL)
	// Each part serves its metrics on a port of its own, from the one
	// given up.
	metricsPort := freePorts(t, 6)
	env = append(env, fmt.Sprintf("GONGYAK_RUN_METRICS_PORT=%d", metricsPort))
	run := startRun(t, harness.Options{Data: dataDir, Keep: true, Env: env})
	if !strings.Contains(run.Out.String(), "seeded the district gwangsan") || !strings.Contains(run.Out.String(), "imported the demo card: 사회적가치 제고를 위한 시민참여형 구정혁신 TF 운영") {
		t.Errorf("the first start did not say it seeded:\n%s", run.Out.String())
	}
	checkServiceRoles(t, dbURL)
	natsAddr := run.Addrs["nats"]
	if !strings.Contains(run.Out.String(), "events        nats://"+natsAddr+" (NATS JetStream") {
		t.Errorf("the banner does not show the suite's NATS on %s:\n%s", natsAddr, run.Out.String())
	}
	gatewayMetrics := fmt.Sprintf("127.0.0.1:%d", metricsPort)
	if !strings.Contains(run.Out.String(), "http://"+gatewayMetrics+"/metrics (gateway)") {
		t.Errorf("the banner does not show the gateway's metrics on %s:\n%s", gatewayMetrics, run.Out.String())
	}
	ran := &running{metrics: map[string]string{"gateway": gatewayMetrics, "events": fmt.Sprintf("127.0.0.1:%d", metricsPort+5)},
		client: &http.Client{Timeout: 30 * time.Second}}
	for _, name := range []string{"gateway", "events"} {
		if s := ran.scrapeMetrics(t, name); !strings.Contains(s.text, `service_name="`+name+`"`) {
			t.Errorf("%s's metrics are not %s's:\n%s", name, name, s.text)
		}
	}
	// Callers without a credential read the published demo term and
	// nothing more; the admin key the banner shows once, kept in the data
	// folder, opens everything.
	anon := &running{base: run.Base, client: &http.Client{Timeout: 30 * time.Second}}
	anon.call(t, "GET", "/v1/districts/gwangsan/departments", nil).must(t, http.StatusUnauthorized)
	anon.call(t, "POST", "/v1/districts/gwangsan/pledges", map[string]any{"title": "익명 공약"}).must(t, http.StatusUnauthorized)
	rawKey, err := os.ReadFile(filepath.Join(dataDir, "admin.key"))
	if err != nil {
		t.Fatalf("no admin key in the data folder: %v", err)
	}
	key := strings.TrimSpace(string(rawKey))
	if !strings.HasPrefix(key, "gyk_") || !strings.Contains(run.Out.String(), key) {
		t.Errorf("the admin key %q is not what the banner showed:\n%s", key, run.Out.String())
	}
	if info, err := os.Stat(filepath.Join(dataDir, "admin.key")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("admin.key mode: %v %v", info.Mode(), err)
	}
	r := &running{base: run.Base, client: &http.Client{Timeout: 30 * time.Second}, credential: key}
	d := r.call(t, "GET", "/v1/districts/gwangsan", nil).must(t, http.StatusOK)
	if d.str("displayName") != "광산구" || d.str("metropolitanGovernment") != "광주광역시" || len(d.get("terms").([]any)) != 3 || d.get("currentTerm") != float64(9) {
		t.Errorf("the seeded district: %s", d.raw)
	}
	list := r.call(t, "GET", "/v1/districts/gwangsan/pledges?filter=term%20%3D%207", nil).must(t, http.StatusOK)
	pledges, _ := list.get("pledges").([]any)
	if len(pledges) != 1 {
		t.Fatalf("%d pledges after the first start, want the demo card's: %s", len(pledges), list.raw)
	}
	demo := pledges[0].(map[string]any)["name"].(string)
	if got := anon.call(t, "GET", "/v1/"+demo+":card", nil).must(t, http.StatusOK); got.str("participationSection.state") != "SECTION_STATE_AVAILABLE" {
		t.Errorf("the published demo card without signing in: %s", got.raw)
	}
	card := r.call(t, "GET", "/v1/"+demo+":card", nil).must(t, http.StatusOK)
	if n := len(card.get("budget.lines").([]any)); n != 3 || len(card.get("indicators").([]any)) != 1 || len(card.get("programs").([]any)) != 1 {
		t.Errorf("the demo card is not whole: %s", card.raw)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "citizen.key")); err != nil {
		t.Errorf("no citizen key was made in the data folder: %v", err)
	}

	// Another district's card, through `gongyak import`.
	raw, err := os.ReadFile(seedCardPath)
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(string(raw), "사회적가치 제고를 위한 시민참여형 구정혁신 TF 운영", "주민 주도 마을계획단 운영", 1)
	file := filepath.Join(t.TempDir(), "card.txt")
	if err := os.WriteFile(file, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := gongyak(t, "import", file, "--district", "gwangsan", "--term", "7", "--dry-run", "--api", run.Base, "--credential", key)
	if err != nil || !strings.Contains(out, "checked (nothing written)") || !strings.Contains(out, "budget lines 3, indicators 1, programs 1, submissions 7") {
		t.Errorf("gongyak import --dry-run: %v\n%s", err, out)
	}
	if n := len(r.call(t, "GET", "/v1/districts/gwangsan/pledges?filter=term%20%3D%207", nil).get("pledges").([]any)); n != 1 {
		t.Errorf("a dry run wrote: %d pledges", n)
	}
	out, err = gongyak(t, "import", file, "--district", "gwangsan", "--term", "7", "--api", run.Base, "--credential", key)
	if err != nil || !strings.HasPrefix(out, "created districts/gwangsan/pledges/") || !strings.Contains(out, "주민 주도 마을계획단 운영") {
		t.Errorf("gongyak import: %v\n%s", err, out)
	}
	out, err = gongyak(t, "import", file, "--district", "nowhere", "--api", run.Base, "--credential", key)
	if err == nil || !strings.Contains(out, "refused (404)") {
		t.Errorf("gongyak import into a district that does not exist: %v\n%s", err, out)
	}

	// A development user signs in on the printed provider with the printed
	// password, as a new user would.
	issuer, password := bannerValue(t, run.Out.String(), "OpenID provider"), bannerUserPassword(t, run.Out.String(), "gwangsan-viewer")
	token, err := devlogin.Login(context.Background(), nil, issuer, "gongyak-console", "http://"+run.Base[len("http://"):]+"/admin/callback", "gwangsan-viewer", password)
	if err != nil {
		t.Fatalf("signing in as the printed viewer: %v", err)
	}
	viewer := &running{base: run.Base, client: r.client, credential: token}
	viewer.call(t, "GET", "/v1/"+demo+":card", nil).must(t, http.StatusOK)
	viewer.call(t, "POST", "/v1/districts/gwangsan/pledges", map[string]any{"title": "보는 사람의 공약"}).must(t, http.StatusForbidden)

	stopRun(t, run)

	// Again on the same data, where it listened before.
	again := startRun(t, harness.Options{Data: dataDir, Keep: true, Addrs: run.Addrs, Env: env})
	if strings.Contains(again.Out.String(), "seeded the district") || strings.Contains(again.Out.String(), "imported the demo card") ||
		strings.Contains(again.Out.String(), key) || !strings.Contains(again.Out.String(), "kept in "+filepath.Join(dataDir, "admin.key")) {
		t.Errorf("the second start seeded again or showed the key again:\n%s", again.Out.String())
	}
	list = r.call(t, "GET", "/v1/districts/gwangsan/pledges?filter=term%20%3D%207", nil).must(t, http.StatusOK)
	if n := len(list.get("pledges").([]any)); n != 2 {
		t.Errorf("%d pledges after a restart, want the demo card and the imported one", n)
	}
}

// bannerValue reads the value after label on a line of the banner.
func bannerValue(t *testing.T, out, label string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), label); ok {
			if fields := strings.Fields(rest); len(fields) > 0 {
				return fields[0]
			}
		}
	}
	t.Fatalf("the banner has no %q:\n%s", label, out)
	return ""
}

// bannerUserPassword reads a development user's password off the banner.
func bannerUserPassword(t *testing.T, out, user string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if fields := strings.Fields(line); len(fields) >= 3 && fields[0] == user {
			return fields[1]
		}
	}
	t.Fatalf("the banner lists no user %s:\n%s", user, out)
	return ""
}

// freePorts finds n consecutive ports free on loopback and returns the
// first.
func freePorts(t *testing.T, n int) int {
	t.Helper()
	for range 50 {
		first, err := pgcluster.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		free := true
		for p := first + 1; p < first+n && free; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				free = false
				continue
			}
			l.Close()
		}
		if free {
			return first
		}
	}
	t.Fatalf("no %d consecutive free ports", n)
	return 0
}
