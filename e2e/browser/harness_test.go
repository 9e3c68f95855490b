//go:build browser

// Package browser tests what people see: Debian's chromium, headless,
// driven by chromedp, against the real suite. TestMain builds the binaries
// and starts `gongyak run` once, as `make run` does (its own PostgreSQL in
// a data folder of its own, its own ports, the development OpenID provider
// and its printed users); every test then gets a browser of its own with a
// fresh profile. `make test-browser` installs what is missing (chromium, a
// font with Hangul, axe-core from npm) and runs the tests one at a time;
// the build tag keeps them out of `make test`.
//
// A test starts with newPage(t), which is a tab of a new chromium; the page
// helpers fail the test with what the page showed, and each failure leaves
// a screenshot, as do the named steps (p.shot), in
// .artifacts/browser/<test>/ at the top of the repository. The helpers:
//
//   - p.signIn(user): open /admin and sign in through the provider's login
//     page as one of the development users (passwords come from the
//     suite, as `gongyak run` prints them); p.login(user, password) fills
//     the provider's form where the browser is.
//   - p.open(path), p.location(), p.waitLocation(what, ok): where the
//     browser is and goes; a path is the gateway's.
//   - p.expectText(text), p.alert(): what the page says.
//   - p.fill(label, value), p.click(name): a control by its label or a
//     button or link by its text, as a user finds them; a control that
//     has no label fails the test. p.submit(name) clicks and waits for the
//     document the click leads to (a form posted to a server).
//   - p.fieldError(label): the error shown at a field, which the console
//     ties to it with aria-describedby (and aria-invalid), as assistive
//     technology reads it.
//   - p.phone(), p.desktop(): 375×800 (a mobile viewport) and 1280×800;
//     p.noSideScroll(): the page fits its width.
//   - p.axe(): axe-core in the page; serious and critical findings fail.
//   - p.newTab(): a second tab of the same browser (same profile), for what
//     two tabs do to each other, such as an etag conflict.
//   - p.catchRequests(prefix): answer requests under prefix in the browser
//     and keep their URLs, for a redirect target that nothing serves.
package browser

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongyak/gongyak/cmd/devidp"
	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/suite"
)

// theSuite is the suite every test of the run uses.
var theSuite *runningSuite

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run builds, starts the suite and runs the tests; apart from TestMain so
// that its deferred clean-up runs before os.Exit.
func run(m *testing.M) int {
	// What is missing is said before minutes go into building.
	if _, err := chromiumPath(); err != nil {
		fmt.Fprintln(os.Stderr, "browser:", err)
		return 1
	}
	if _, err := axeSource(); err != nil {
		fmt.Fprintln(os.Stderr, "browser:", err)
		return 1
	}
	bin, err := os.MkdirTemp("", "gongyak-browser-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(bin)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	err = suite.Build(ctx, bin, append(append([]suite.Binary{}, suite.Services...), suite.Gateway, suite.Command)...)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "browser: building the binaries:", err)
		return 1
	}
	s, err := startSuite(bin)
	if s != nil {
		defer s.stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "browser:", err)
		return 1
	}
	theSuite = s
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "browser: gongyak run said, at the end:\n%s\n", lastLines(s.out.String(), 40))
	}
	return code
}

// runningSuite is `gongyak run` started for the tests.
type runningSuite struct {
	// base is the gateway's URL, issuer the OpenID provider's.
	base, issuer string
	// passwords are the development users' (devidp.DefaultUsers).
	passwords map[string]string
	data      string
	proc      *suite.Process
	out       *output
}

// demoCard is the card `gongyak run` imports on its first start.
const demoCard = "../../services/pledge/testdata/cards/000_f92421f269c71dea.txt"

// startSuite starts `gongyak run` with the binaries in bin, on a data
// folder and ports of its own, and waits for its banner.
func startSuite(bin string) (*runningSuite, error) {
	data, err := os.MkdirTemp("", "gongyak-browser-data-")
	if err != nil {
		return nil, err
	}
	// PostgreSQL runs as the postgres user when the tests run as root: it
	// must be let into the folder.
	if err := os.Chmod(data, 0o755); err != nil {
		return nil, err
	}
	s := &runningSuite{data: data, out: &output{}}
	// No DATABASE_URL: the suite starts PostgreSQL of its own. A browser
	// loads a page's parts at once from one address: the edge's per-client
	// limits are not under test here.
	env := []string{"DATABASE_URL=", "OTEL_EXPORTER_OTLP_ENDPOINT=", "GONGYAK_LOG_LEVEL=info",
		"GONGYAK_RATE_LIMIT=0", "GONGYAK_KEY_RATE_LIMIT=0", "GONGYAK_MAX_CONNECTIONS_PER_CLIENT=0"}
	names := []string{"http", "idp", "nats"}
	for _, b := range suite.Services {
		names = append(names, b.Name)
		env = append(env, "GONGYAK_"+strings.ToUpper(b.Name)+"_DATABASE_URL=")
	}
	ports, err := freePorts(len(names) + 1)
	if err != nil {
		return nil, err
	}
	addrs := map[string]string{}
	for i, name := range names {
		addrs[name] = "127.0.0.1:" + strconv.Itoa(ports[i])
		env = append(env, "GONGYAK_"+strings.ToUpper(name)+"_ADDR="+addrs[name])
	}
	env = append(env, "GONGYAK_PG_PORT="+strconv.Itoa(ports[len(names)]))
	s.base, s.issuer = "http://"+addrs["http"], "http://"+addrs["idp"]

	s.proc, err = suite.Start("gongyak", filepath.Join(bin, "gongyak"),
		[]string{"run", "--bin", bin, "--data", data, "--demo-card", demoCard, "--metrics-port", "0"}, env, s.out, false)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(s.out.String(), "Gongyak is running.") {
		select {
		case <-s.proc.Done():
			return s, fmt.Errorf("gongyak run exited while starting (%v):\n%s", s.proc.Err(), lastLines(s.out.String(), 60))
		default:
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("gongyak run did not start within 3 minutes:\n%s", lastLines(s.out.String(), 60))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The passwords gongyak run printed, read where it keeps them.
	if s.passwords, err = devidp.DefaultUserPasswords(filepath.Join(data, "idp")); err != nil {
		return s, fmt.Errorf("the development users' passwords: %w", err)
	}
	return s, nil
}

// consoleCallback is where the provider sends a console sign-in back:
// the redirect URI `gongyak run` registers for the gongyak-console client.
func (s *runningSuite) consoleCallback() string { return s.base + "/admin/callback" }

// stop sends what Ctrl-C sends, waits for the suite to end and removes its
// data folder.
func (s *runningSuite) stop() {
	if err := s.proc.Stop(90 * time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "browser: stopping gongyak run:", err)
	}
	os.RemoveAll(s.data)
}

// freePorts returns n different ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for len(ports) < n {
		port, err := pgcluster.FreePort()
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ports, port) {
			ports = append(ports, port)
		}
	}
	return ports, nil
}

// output keeps what gongyak run printed.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
