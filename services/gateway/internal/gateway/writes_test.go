package gateway

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWritesNeedJSONAndACredential(t *testing.T) {
	g, backend := newTestGateway(t, testConfig())
	const (
		pledges  = "/v1/districts/gwangsan/pledges"
		photo    = pledgePath + "/photos/1:upload"
		bearer   = "Bearer gyk_test_secret"
		jsonType = "application/json"
	)
	png := string([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
	tests := []struct {
		name                string
		method, path, ctype string
		credential, body    string
		status              int
		wwwAuthenticate     bool
	}{
		{"a JSON create with a credential", "POST", pledges, jsonType, bearer, `{"title": "행복동아리"}`, 200, false},
		{"JSON with a charset", "POST", pledges, "application/json; charset=utf-8", bearer, `{"title": "행복동아리"}`, 200, false},
		{"a form's text/plain", "POST", pledges, "text/plain", bearer, `{"title": "행복동아리"}`, 415, false},
		{"a form's urlencoded body", "POST", pledges, "application/x-www-form-urlencoded", bearer, `title=x`, 415, false},
		{"a form's multipart body", "POST", pledges, "multipart/form-data; boundary=x", bearer, "--x--", 415, false},
		{"no content type", "POST", pledges, "", bearer, `{"title": "행복동아리"}`, 415, false},
		{"a content type that does not parse", "POST", pledges, "application/json; charset", bearer, `{"title": "x"}`, 415, false},
		{"JSON without a credential", "POST", pledges, jsonType, "", `{"title": "행복동아리"}`, 401, true},
		{"a cross-site form: text/plain, no credential", "POST", pledges, "text/plain", "", `{"title": "x"}`, 401, true},
		{"an empty Authorization header", "POST", pledges, jsonType, " ", `{"title": "x"}`, 401, true},
		{"a JSON update", "PATCH", pledgePath, jsonType, bearer, `{"title": "x"}`, 200, false},
		{"a text/plain update", "PATCH", pledgePath, "text/plain", bearer, `{"title": "x"}`, 415, false},
		{"a text/plain PUT", "PUT", pledgePath, "text/plain", bearer, `{}`, 415, false},
		{"a PUT without a credential", "PUT", pledgePath, jsonType, "", `{}`, 401, true},
		{"a delete with no body and no content type", "DELETE", pledgePath, "", bearer, "", 200, false},
		{"a delete without a credential", "DELETE", pledgePath, "", "", "", 401, true},
		{"a delete with a text/plain body", "DELETE", pledgePath, "text/plain", bearer, "etag=x", 415, false},
		{"a photo upload", "POST", photo, "image/png", bearer, png, 200, false},
		{"a photo upload sent as JSON", "POST", photo, jsonType, bearer, `{}`, 415, false},
		{"a photo upload sent as a form", "POST", photo, "multipart/form-data; boundary=x", bearer, "--x--", 415, false},
		{"a photo upload without a credential", "POST", photo, "image/png", "", png, 401, true},
		{"a read needs neither", "GET", pledgePath, "", "", "", 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.body == "" {
				r.ContentLength = 0
			}
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			if tt.credential != "" {
				r.Header.Set("Authorization", tt.credential)
			}
			_, before := backend.lastCall()
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			_, after := backend.lastCall()
			if reached := after > before; reached != (tt.status == 200) {
				t.Errorf("the service was called: %v", reached)
			}
			if got := w.Header().Get("WWW-Authenticate"); (got == "Bearer") != tt.wwwAuthenticate {
				t.Errorf("WWW-Authenticate %q", got)
			}
			if tt.status != 200 {
				var st struct {
					Code    int               `json:"code"`
					Message string            `json:"message"`
					Details []json.RawMessage `json:"details"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil || st.Code == 0 || st.Message == "" || len(st.Details) == 0 {
					t.Errorf("body %s is not a google.rpc.Status with an ErrorInfo", w.Body)
				}
				if tt.status == 401 && st.Code != 16 {
					t.Errorf("a missing credential is code %d, want 16 UNAUTHENTICATED", st.Code)
				}
			}
		})
	}
}
