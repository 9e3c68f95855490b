package gateway

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestNoHeaderACallerWritesNamesAnActorOrARole(t *testing.T) {
	g, backend := newTestGateway(t, testConfig())
	r := httptest.NewRequest("GET", pledgePath, nil)
	r.RemoteAddr = "203.0.113.7:41234"
	for k, v := range map[string]string{
		"Authorization":                          "Bearer gyk_test_secret",
		"X-Gongyak-Actor":                        "mallory",
		"X-Gongyak-Roles":                        "system-admin,personal-data",
		"X-Gongyak-Client-Address":               "198.51.100.1",
		"Grpc-Metadata-X-Gongyak-Actor":          "mallory",
		"Grpc-Metadata-X-Gongyak-Roles":          "system-admin",
		"Grpc-Metadata-X-Gongyak-Client-Address": "198.51.100.1",
		RequestIDHeader:                          "req-forwarded-1",
	} {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	md, calls := backend.lastCall()
	if calls != 1 {
		t.Fatalf("%d calls reached the service", calls)
	}
	if got := md.Get("authorization"); !slices.Equal(got, []string{"Bearer gyk_test_secret"}) {
		t.Errorf("authorization metadata %q, want the caller's credential once", got)
	}
	if got := md.Get(ClientAddressMetadata); !slices.Equal(got, []string{"203.0.113.7"}) {
		t.Errorf("%s %q, want the address the gateway saw", ClientAddressMetadata, got)
	}
	if got := md.Get("x-request-id"); !slices.Equal(got, []string{"req-forwarded-1"}) {
		t.Errorf("x-request-id %q", got)
	}
	for key, vals := range md {
		for _, v := range vals {
			if strings.Contains(key, "actor") || strings.Contains(key, "roles") || strings.Contains(v, "mallory") ||
				strings.Contains(v, "system-admin") || strings.Contains(v, "198.51.100.1") {
				t.Errorf("the service was told %s: %s", key, v)
			}
		}
	}
}

func TestEveryAnswerForbidsSniffing(t *testing.T) {
	g, _ := newTestGateway(t, withOrigins(testConfig(), "http://127.0.0.1:5173"))
	tests := []struct {
		method, path string
		headers      []string
		status       int
	}{
		{"GET", "/healthz", nil, 200},
		{"GET", "/readyz", nil, 200},
		{"GET", "/openapi.json", nil, 200},
		{"GET", pledgePath, nil, 200},
		{"GET", "/v1/nothing", nil, 404},
		{"GET", "/v1/districts/gwangsan/pledges?pageSize=abc", nil, 400},
		{"POST", "/v1/districts/gwangsan/pledges", nil, 401},
		{"POST", "/v1/districts/gwangsan/pledges", []string{"Authorization", "Bearer x"}, 415},
		{"OPTIONS", pledgePath, []string{"Origin", "http://127.0.0.1:5173", "Access-Control-Request-Method", "PATCH"}, 204},
		{"OPTIONS", pledgePath, []string{"Origin", "https://evil.example", "Access-Control-Request-Method", "PATCH"}, 403},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		for i := 0; i+1 < len(tt.headers); i += 2 {
			r.Header.Set(tt.headers[i], tt.headers[i+1])
		}
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != tt.status || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: %d, X-Content-Type-Options %q", tt.method, tt.path, w.Code, w.Header().Get("X-Content-Type-Options"))
		}
	}
}

func TestTheAccessLogKeepsCredentialsBodiesAndQueriesOut(t *testing.T) {
	var logs bytes.Buffer
	g, _ := newLoggingGateway(t, testConfig(), &logs)
	r := httptest.NewRequest("POST", "/v1/districts/gwangsan/pledges?pledgeId=hong-gildong-club", strings.NewReader(`{"title": "홍길동 동아리"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer gyk_test_very_secret")
	r.Header.Set(RequestIDHeader, "req-log-1")
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	line := logs.String()
	for _, want := range []string{`"method":"POST"`, `"path":"/v1/districts/gwangsan/pledges"`, `"status":200`, `"request_id":"req-log-1"`, `"duration_ms"`} {
		if !strings.Contains(line, want) {
			t.Errorf("the log lacks %s: %s", want, line)
		}
	}
	for _, secret := range []string{"gyk_test_very_secret", "홍길동", "hong-gildong", "pledgeId"} {
		if strings.Contains(line, secret) {
			t.Errorf("the log holds %q: %s", secret, line)
		}
	}
}
