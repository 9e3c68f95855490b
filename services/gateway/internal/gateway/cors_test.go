package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const pledgePath = "/v1/districts/gwangsan/pledges/happy-clubs"

// corsHeaders returns the Access-Control-* headers of an answer.
func corsHeaderNames(h http.Header) []string {
	var names []string
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			names = append(names, k)
		}
	}
	return names
}

func TestCORSLetsOnlyConfiguredOriginsIn(t *testing.T) {
	const console = "http://127.0.0.1:5173"
	allowing, _ := newTestGateway(t, withOrigins(testConfig(), console))
	closed, _ := newTestGateway(t, testConfig())
	tests := []struct {
		name       string
		g          *Gateway
		method     string
		origin     string
		preflight  bool
		status     int
		allowed    bool // the answer carries CORS headers for origin
		statusBody bool // the answer is a google.rpc.Status
	}{
		{"a preflight from the console", allowing, http.MethodOptions, console, true, http.StatusNoContent, true, false},
		{"a preflight from another site", allowing, http.MethodOptions, "https://evil.example", true, http.StatusForbidden, false, true},
		{"a preflight from the console's host on another port", allowing, http.MethodOptions, "http://127.0.0.1:5174", true, http.StatusForbidden, false, true},
		{"a preflight from the console's host over https", allowing, http.MethodOptions, "https://127.0.0.1:5173", true, http.StatusForbidden, false, true},
		{"a preflight when no origin is configured", closed, http.MethodOptions, console, true, http.StatusForbidden, false, true},
		{"a read from the console", allowing, http.MethodGet, console, false, http.StatusOK, true, false},
		{"a read from another site", allowing, http.MethodGet, "https://evil.example", false, http.StatusOK, false, false},
		{"a read from a page of no origin", allowing, http.MethodGet, "null", false, http.StatusOK, false, false},
		{"a read with no Origin (not a browser page)", allowing, http.MethodGet, "", false, http.StatusOK, false, false},
		{"a read from the console when no origin is configured", closed, http.MethodGet, console, false, http.StatusOK, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, pledgePath, nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.preflight {
				r.Header.Set("Access-Control-Request-Method", "PATCH")
				r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			w := httptest.NewRecorder()
			tt.g.ServeHTTP(w, r)
			h := w.Result().Header
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if !strings.Contains(h.Get("Vary"), "Origin") {
				t.Errorf("Vary: %q, want Origin", h.Get("Vary"))
			}
			if !tt.allowed {
				if names := corsHeaderNames(h); len(names) > 0 {
					t.Errorf("an origin not allowed got CORS headers %v", names)
				}
			} else {
				if got := h.Get("Access-Control-Allow-Origin"); got != tt.origin {
					t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.origin)
				}
				if !strings.Contains(h.Get("Access-Control-Expose-Headers"), RequestIDHeader) {
					t.Errorf("Access-Control-Expose-Headers %q does not expose %s", h.Get("Access-Control-Expose-Headers"), RequestIDHeader)
				}
			}
			if tt.preflight && tt.allowed {
				for _, m := range []string{"GET", "POST", "PATCH", "PUT", "DELETE"} {
					if !strings.Contains(h.Get("Access-Control-Allow-Methods"), m) {
						t.Errorf("Access-Control-Allow-Methods %q lacks %s", h.Get("Access-Control-Allow-Methods"), m)
					}
				}
				for _, hd := range []string{"Authorization", "Content-Type", "X-Request-Id"} {
					if !strings.Contains(h.Get("Access-Control-Allow-Headers"), hd) {
						t.Errorf("Access-Control-Allow-Headers %q lacks %s", h.Get("Access-Control-Allow-Headers"), hd)
					}
				}
				if h.Get("Access-Control-Max-Age") == "" {
					t.Error("no Access-Control-Max-Age")
				}
			}
			if tt.statusBody {
				var st struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil || st.Code != 7 || st.Message == "" {
					t.Errorf("body %s is not a PERMISSION_DENIED google.rpc.Status", w.Body)
				}
			}
		})
	}
}

func TestCORSOriginsMustBeExact(t *testing.T) {
	for _, o := range []string{"*", "http://127.0.0.1:5173/", "http://127.0.0.1:5173/console", "127.0.0.1:5173", "HTTP://Console.example", "ftp://console.example", "http://"} {
		cfg := withOrigins(testConfig(), o)
		cfg.Addrs = map[string]string{}
		for _, s := range services {
			cfg.Addrs[s.Name] = "127.0.0.1:1"
		}
		if g, err := New(context.Background(), cfg, nil); err == nil {
			g.Close()
			t.Errorf("the origin %q was accepted", o)
		}
	}
}

func withOrigins(cfg Config, origins ...string) Config {
	cfg.CORSOrigins = origins
	return cfg
}
