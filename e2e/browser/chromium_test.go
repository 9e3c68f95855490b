//go:build browser

package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser as scripts/prerequisites.sh does:
// CHROMIUM_BIN when set, else chromium or chromium-browser on PATH.
func chromiumPath() (string, error) {
	if bin := os.Getenv("CHROMIUM_BIN"); bin != "" {
		path, err := exec.LookPath(bin)
		if err != nil {
			return "", fmt.Errorf("CHROMIUM_BIN is %s, which is not an executable: %w", bin, err)
		}
		return path, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errors.New("no chromium: neither chromium nor chromium-browser is on PATH and CHROMIUM_BIN is not set (make test-browser installs Debian's chromium: apt-get install chromium)")
}

// axePath is axe-core's browser build, installed by make test-browser
// (npm ci in this folder).
const axePath = "node_modules/axe-core/axe.min.js"

var axeOnce = sync.OnceValues(func() (string, error) {
	raw, err := os.ReadFile(axePath)
	if err != nil {
		return "", fmt.Errorf("axe-core is not installed (%v): run make test-browser, or npm ci in e2e/browser", err)
	}
	return string(raw), nil
})

// axeSource is the axe-core script the tests run in pages.
func axeSource() (string, error) { return axeOnce() }

// stepTimeout bounds one step of a test in the browser: a page that does
// not show what is awaited by then fails the test.
const stepTimeout = 20 * time.Second

// page is a tab of a browser of a test's own.
type page struct {
	t *testing.T
	// ctx is the tab's chromedp context, which lives as long as the test.
	ctx context.Context
	s   *runningSuite
	// artifacts is the test's folder of screenshots; shots counts them.
	artifacts string
	shots     *int
	// width is the viewport's, for noSideScroll.
	width int64
}

// newPage starts chromium, headless, with a fresh profile, on a tab at
// 1280×800, until t ends; when t fails, the tab's last state is kept as a
// screenshot.
func newPage(t *testing.T) *page {
	t.Helper()
	bin, err := chromiumPath()
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		// chromium's sandbox needs user namespaces that a root user in a
		// container lacks; the pages are the suite's own.
		chromedp.NoSandbox,
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("lang", "ko-KR"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser, which lives as long as ctx: it
	// gets no timeout of its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	p := &page{t: t, ctx: ctx, s: theSuite, artifacts: artifactsDir(t), shots: new(int)}
	p.watchConsole()
	p.desktop()
	t.Cleanup(func() {
		if t.Failed() {
			p.shot("failed")
		}
	})
	return p
}

// watchConsole keeps what the tab's pages write to the console and the
// browser's log (a blocked request, a script error) and shows it when the
// test fails.
func (p *page) watchConsole() {
	var (
		mu    sync.Mutex
		lines []string
	)
	messages := chromedp.Console(p.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return // the tab closed
			}
			mu.Lock()
			lines = append(lines, m.String()+" ("+m.URL+")")
			mu.Unlock()
		}
	}()
	p.t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if p.t.Failed() && len(lines) > 0 {
			p.t.Logf("the browser's console:\n%s", strings.Join(lines, "\n"))
		}
	})
}

// newTab opens another tab of p's browser, with p's profile (its cookies
// and storage), at 1280×800; it closes when the test ends.
func (p *page) newTab() *page {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	p.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		p.t.Fatalf("opening a tab: %v", err)
	}
	tab := &page{t: p.t, ctx: ctx, s: p.s, artifacts: p.artifacts, shots: p.shots}
	tab.desktop()
	return tab
}

// artifactsDir is .artifacts/browser/<test>/ at the top of the
// repository, emptied for this run of the test.
func artifactsDir(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", ".artifacts", "browser",
		regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_")))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shot keeps a screenshot of the whole page as NN-name.png in the test's
// artifacts folder. A screenshot that cannot be taken is logged, not
// failed: it is evidence, not the behaviour under test.
func (p *page) shot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("no screenshot %q: %v", name, err)
		return
	}
	*p.shots++
	path := filepath.Join(p.artifacts, fmt.Sprintf("%02d-%s.png", *p.shots, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Logf("no screenshot %q: %v", name, err)
		return
	}
	p.t.Logf("screenshot: %s", path)
}
