package gateway

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gongyak/gongyak/services/gateway/internal/console"
)

// The gateway serves the console beside the API: the site's root sends a
// browser to it, its routes get its page, and the API is unchanged.
func TestServesTheConsole(t *testing.T) {
	base, _ := serve(t, Config{
		RequestTimeout: 5 * time.Second,
		Console:        console.Config{Issuer: "http://127.0.0.1:9100", ClientID: "gongyak-console"},
		ConsoleFiles:   fstest.MapFS{"index.html": {Data: []byte(`<!doctype html><title>공약 관리</title>`)}},
	})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, _ := send(t, noRedirect, http.MethodGet, base+"/", "")
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/admin/" {
		t.Errorf("GET /: %d Location %q, want 302 /admin/", res.StatusCode, res.Header.Get("Location"))
	}
	for _, path := range []string{"/admin", "/admin/districts/gwangsan/pledges/x"} {
		if res, body := send(t, http.DefaultClient, http.MethodGet, base+path, ""); res.StatusCode != http.StatusOK || !strings.Contains(body, "공약 관리") {
			t.Errorf("GET %s: %d %q, want the console's page", path, res.StatusCode, body)
		}
	}
	if res, body := send(t, http.DefaultClient, http.MethodGet, base+"/admin/config.json", ""); res.StatusCode != http.StatusOK ||
		body != `{"issuer":"http://127.0.0.1:9100","clientId":"gongyak-console"}` {
		t.Errorf("GET /admin/config.json: %d %s", res.StatusCode, body)
	}
	if res, body := send(t, http.DefaultClient, http.MethodGet, base+"/v1/districts/gwangsan/pledges/x", ""); res.StatusCode != http.StatusOK || !strings.Contains(body, "행복동아리") {
		t.Errorf("the API beside the console: %d %s", res.StatusCode, body)
	}
}
