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
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gongyak/gongyak/cmd/devidp"
	"github.com/gongyak/gongyak/e2e/internal/harness"
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
	return harness.WithBinaries("browser", nil, func(bin string) int {
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
			fmt.Fprintf(os.Stderr, "browser: gongyak run said, at the end:\n%s\n", s.Out.Tail(40))
		}
		return code
	})
}

// runningSuite is `gongyak run` started for the tests.
type runningSuite struct {
	*harness.Run
	// passwords are the development users' (devidp.DefaultUsers).
	passwords map[string]string
}

// startSuite starts `gongyak run` with the binaries in bin, on a data
// folder and ports of its own, and waits for its banner.
func startSuite(bin string) (*runningSuite, error) {
	// A browser loads a page's parts at once from one address: the edge's
	// per-client limits are not under test here.
	run, err := harness.Start(harness.Options{Bin: bin,
		Env: []string{"GONGYAK_RATE_LIMIT=0", "GONGYAK_KEY_RATE_LIMIT=0", "GONGYAK_MAX_CONNECTIONS_PER_CLIENT=0"}})
	if run == nil {
		return nil, err
	}
	s := &runningSuite{Run: run}
	if err != nil {
		return s, err
	}
	// The passwords gongyak run printed, read where it keeps them.
	if s.passwords, err = devidp.DefaultUserPasswords(filepath.Join(s.Data, "idp")); err != nil {
		return s, fmt.Errorf("the development users' passwords: %w", err)
	}
	return s, nil
}

// demoCard is the card `gongyak run` imports on its first start.
const demoCard = "../../" + harness.DemoCard

// consoleCallback is where the provider sends a console sign-in back:
// the redirect URI `gongyak run` registers for the gongyak-console client.
func (s *runningSuite) consoleCallback() string { return s.Base + "/admin/callback" }

// stop sends what Ctrl-C sends, waits for the suite to end and removes its
// data folder.
func (s *runningSuite) stop() {
	if err := s.Stop(90 * time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "browser: stopping gongyak run:", err)
	}
}
