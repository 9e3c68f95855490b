package console

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// get asks h for path and returns the answer and its body.
func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

var testConfig = Config{Issuer: "http://127.0.0.1:9100", ClientID: "gongyak-console"}

// A build as Vite lays it out.
var build = fstest.MapFS{
	"index.html":              {Data: []byte(`<!doctype html><title>공약 관리</title><script type="module" src="/admin/assets/index-AbC123.js"></script>`)},
	"assets/index-AbC123.js":  {Data: []byte(`console.log("공약")`)},
	"assets/index-AbC123.css": {Data: []byte(`body{margin:0}`)},
	"favicon.svg":             {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
	"README":                  {Data: []byte("a note")},
}

func TestServesTheApplicationForItsRoutes(t *testing.T) {
	h := New(build, testConfig)
	for _, path := range []string{"/admin", "/admin/", "/admin/index.html", "/admin/districts/gwangsan/pledges/happy-clubs", "/admin/callback"} {
		t.Run(path, func(t *testing.T) {
			res, body := get(t, h, path)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "<title>공약 관리</title>") {
				t.Fatalf("%s: %d %q, want index.html", path, res.StatusCode, body)
			}
			if got := res.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			if got := res.Header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control %q, want no-cache: a new build must be seen at once", got)
			}
			csp := res.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self' http://127.0.0.1:9100"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
		})
	}
}

func TestServesBuiltFiles(t *testing.T) {
	h := New(build, testConfig)
	for _, tc := range []struct {
		path, contentType, cache, body string
	}{
		{"/admin/assets/index-AbC123.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", `console.log("공약")`},
		{"/admin/assets/index-AbC123.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable", `body{margin:0}`},
		{"/admin/favicon.svg", "image/svg+xml", "no-cache", `<svg xmlns="http://www.w3.org/2000/svg"/>`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res, body := get(t, h, tc.path)
			if res.StatusCode != http.StatusOK || body != tc.body {
				t.Fatalf("%d %q, want 200 %q", res.StatusCode, body, tc.body)
			}
			if got := res.Header.Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type %q, want %q", got, tc.contentType)
			}
			if got := res.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
		})
	}
}

func TestMissingFilesAreNotFound(t *testing.T) {
	h := New(build, testConfig)
	// A missing file is 404, not the page: a stale page asking for the
	// assets of an old build must not be handed HTML as its script.
	for _, path := range []string{"/admin/assets/index-Old999.js", "/admin/assets/x", "/admin/logo.png", "/admin/README"} {
		t.Run(path, func(t *testing.T) {
			res, body := get(t, h, path)
			if res.StatusCode != http.StatusNotFound || strings.Contains(body, "<title>") {
				t.Errorf("%d %q, want 404", res.StatusCode, body)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	for _, files := range []fstest.MapFS{build, {}} {
		res, body := get(t, New(files, testConfig), "/admin/config.json")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if got["issuer"] != "http://127.0.0.1:9100" || got["clientId"] != "gongyak-console" || len(got) != 2 {
			t.Errorf("config.json %s", body)
		}
	}
}

func TestNotBuilt(t *testing.T) {
	h := New(fstest.MapFS{"README": {Data: []byte("a note")}}, testConfig)
	for _, path := range []string{"/admin", "/admin/", "/admin/pledges/x", "/admin/assets/index-AbC123.js"} {
		res, body := get(t, h, path)
		if res.StatusCode != http.StatusServiceUnavailable || body != NotBuilt {
			t.Errorf("%s: %d %q, want 503 %q", path, res.StatusCode, body, NotBuilt)
		}
	}
}

func TestOnlyReads(t *testing.T) {
	rec := httptest.NewRecorder()
	New(build, testConfig).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/admin/", strings.NewReader("{}")))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

// The gateway serves what make build put in dist: a test run after the
// build (make test builds first) fails when the embedding misses it.
func TestEmbedsTheBuild(t *testing.T) {
	res, body := get(t, New(Built(), testConfig), "/admin/")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<div id="root">`) {
		t.Fatalf("%d %q: the built console is not embedded; run make build (npm run build in web/console) first", res.StatusCode, body)
	}
}
