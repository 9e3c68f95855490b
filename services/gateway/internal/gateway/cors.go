package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/grpc/codes"
)

// What a page of an allowed origin may send, and how long its browser may
// remember so before asking again.
const (
	corsMethods = "GET, POST, PATCH, PUT, DELETE"
	corsHeaders = "Authorization, Content-Type, " + RequestIDHeader
	corsExpose  = RequestIDHeader + ", Retry-After"
	corsMaxAge  = "600"
)

// corsPolicy lets the pages of the configured origins call the API from a
// browser. Answers to any other origin carry no CORS headers, so the
// browser keeps them from the page; its preflights are refused.
type corsPolicy struct {
	origins map[string]bool
}

// newCORSPolicy allows exactly origins, each scheme://host[:port] as a
// browser sends it in Origin; a wildcard is refused.
func newCORSPolicy(origins []string) (*corsPolicy, error) {
	p := &corsPolicy{origins: map[string]bool{}}
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			o != u.Scheme+"://"+u.Host || strings.ToLower(o) != o {
			return nil, fmt.Errorf("CORS origin %q is not an origin such as http://127.0.0.1:5173 (lower case, no path, no wildcard)", o)
		}
		p.origins[o] = true
	}
	return p, nil
}

// headers adds the CORS headers of the answer to r and reports whether r's
// origin is allowed. Every answer varies by Origin, so no cache hands the
// answer to one origin to another.
func (p *corsPolicy) headers(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if !p.origins[origin] {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", corsExpose)
	return true
}

// isPreflight reports whether r is a browser asking whether it may send a
// request, rather than the request itself.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// preflight answers a preflight: 204 with what may be sent for an allowed
// origin, 403 without CORS headers for any other.
func (p *corsPolicy) preflight(w http.ResponseWriter, allowed bool) {
	if !allowed {
		writeStatus(w, http.StatusForbidden, &apierr.Error{
			Code: codes.PermissionDenied, Reason: "ORIGIN_NOT_ALLOWED",
			Message: "pages of this origin may not call the API; see GONGYAK_CORS_ORIGINS",
		})
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", corsMethods)
	h.Set("Access-Control-Allow-Headers", corsHeaders)
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
}
