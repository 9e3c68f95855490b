// Package console serves the admin console, the single-page application
// built from web/console, under /admin: its files as built, index.html for
// every route of the application, and the run-time configuration it signs
// in with.
package console

import (
	"embed"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// The build lands in dist, which holds only a note until it has run: the
// package compiles on a fresh clone and says what is missing when asked.
//
//go:embed all:dist
var embedded embed.FS

// Built returns the files the gateway was built with.
func Built() fs.FS {
	sub, err := fs.Sub(embedded, "dist")
	if err != nil {
		panic(err) // dist is embedded: it is there
	}
	return sub
}

// Prefix is where the console is served.
const Prefix = "/admin"

// NotBuilt is what /admin answers when the gateway was built without the
// console.
const NotBuilt = "console not built: run make build\n"

// Config is what the console reads at run time from /admin/config.json.
type Config struct {
	// Issuer is the URL of the OpenID provider the console signs in with;
	// the console says it cannot sign in when it is empty.
	Issuer string `json:"issuer"`
	// ClientID is the console's public client at that provider.
	ClientID string `json:"clientId"`
}

// note is the file in dist that is not the console's.
const note = "README"

// handler serves one build of the console.
type handler struct {
	files  fs.FS
	config []byte
	csp    string
	built  bool
}

// New returns the handler of /admin and everything under it, serving the
// console from files (Built() in the gateway; a test passes its own).
func New(files fs.FS, cfg Config) http.Handler {
	config, err := json.Marshal(cfg)
	if err != nil {
		panic(err) // two strings always marshal
	}
	_, err = fs.Stat(files, "index.html")
	return &handler{files: files, config: config, csp: policy(cfg.Issuer), built: err == nil}
}

// policy is the Content-Security-Policy of the console's answers: its own
// scripts and styles only (Mantine sets style attributes and a style
// element, hence inline styles), and calls to the gateway and the provider
// only — the provider's token endpoint is called from the page.
func policy(issuer string) string {
	connect := "'self'"
	if u, err := url.Parse(issuer); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		connect += " " + u.Scheme + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:",
		"connect-src " + connect,
		"object-src 'none'",
		"base-uri 'self'",
		"frame-ancestors 'none'",
		"form-action 'self'",
	}, "; ")
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, Prefix), "/")
	if name == "config.json" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(h.config) //nolint:errcheck // the client went away
		return
	}
	if !h.built {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, strings.TrimSuffix(NotBuilt, "\n"), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Security-Policy", h.csp)
	if name != "" && name != "index.html" && name != note && fs.ValidPath(name) {
		if data, err := fs.ReadFile(h.files, name); err == nil {
			h.file(w, r, name, data)
			return
		}
	}
	if isRoute(name) {
		data, err := fs.ReadFile(h.files, "index.html")
		if err != nil {
			http.Error(w, "console not readable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The page names the hashed assets of this build: ask again
		// every time, so a new build is seen at once.
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(data) //nolint:errcheck // the client went away
		return
	}
	http.NotFound(w, r)
}

// isRoute reports whether name is one of the application's routes (which
// index.html serves) rather than a file: files have an extension in their
// last segment or live under assets/, routes do not (resource ids have no
// dots). The note in dist is neither.
func isRoute(name string) bool {
	switch {
	case name == "" || name == "index.html":
		return true
	case strings.HasPrefix(name, "assets/") || name == note:
		return false
	}
	return !strings.Contains(path.Base(name), ".")
}

// file answers one built file. The build names everything under assets/
// by its content's hash, so those are kept for a year.
func (h *handler) file(w http.ResponseWriter, r *http.Request, name string, data []byte) {
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(data)
	}
	w.Header().Set("Content-Type", ctype)
	if strings.HasPrefix(name, "assets/") {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(data) //nolint:errcheck // the client went away
}
