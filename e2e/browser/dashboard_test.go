//go:build browser

package browser

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// The dashboard opens on a term that has pledges: the district's current
// term (민선 9기) has none in the demo data, so it opens on 민선 7기, the
// demo card's, and counts its pledge.
func TestConsoleDashboardOpensOnATermWithPledges(t *testing.T) {
	p := newPage(t)
	p.signIn(consoleUser)
	p.waitLocation("the Gwangsan dashboard", func(u string) bool { return strings.HasSuffix(u, district) })
	p.expectText("민선 7기 공약 이행 현황")
	got := p.textOf("공약 수")
	if m := regexp.MustCompile(`(\d+)건`).FindStringSubmatch(got); m == nil || m[1] == "0" {
		t.Errorf("the dashboard's pledge count reads %q, want the demo term's pledges", got)
	}
	p.shot("dashboard")
}

// The report's three files come down from the dashboard as the browser
// saves them: the spreadsheet and the CSV bundle (both zip containers) and
// the printable disclosure, which holds the demo pledge's title.
func TestConsoleDashboardExportsTheReport(t *testing.T) {
	p := newPage(t)
	dir := p.downloads()
	p.signIn(consoleUser)
	p.expectText("민선 7기 공약 이행 현황")
	for _, tc := range []struct {
		button, suffix string
		starts         []byte
		holds          string
	}{
		{"엑셀로 내려받기", ".xlsx", []byte("PK"), ""},
		{"CSV로 내려받기", "-csv.zip", []byte("PK"), ""},
		{"공개용 공약집 내려받기", ".html", nil, demoTitle},
	} {
		p.click(tc.button)
		data := p.downloaded(dir, tc.suffix)
		if !bytes.HasPrefix(data, tc.starts) {
			t.Errorf("%s: the file starts %q, want %q", tc.button, data[:min(len(data), 8)], tc.starts)
		}
		if tc.holds != "" && !strings.Contains(string(data), tc.holds) {
			t.Errorf("%s: the file does not hold %q", tc.button, tc.holds)
		}
	}
}

// downloads makes the browser save downloads into a folder of the test's,
// which it returns.
func (p *page) downloads() string {
	p.t.Helper()
	dir := p.t.TempDir()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
	}); err != nil {
		p.t.Fatalf("letting the browser save downloads: %v", err)
	}
	return dir
}

// downloaded waits for a whole file whose name ends in suffix to land in
// dir, and returns its content.
func (p *page) downloaded(dir, suffix string) []byte {
	p.t.Helper()
	var data []byte
	p.eventually("a downloaded file named *"+suffix, func() (bool, string, error) {
		names, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			return false, "", err
		}
		for _, n := range names {
			if strings.HasSuffix(n, suffix) {
				data, err = os.ReadFile(n)
				return err == nil && len(data) > 0, n, err
			}
		}
		return false, strings.Join(names, ", "), nil
	})
	return data
}
