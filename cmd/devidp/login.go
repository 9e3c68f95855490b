package devidp

import (
	"crypto/subtle"
	_ "embed"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"time"
)

// loginPath is where op sends the browser to sign in (client.LoginURL).
const loginPath = "/login"

var (
	//go:embed login.html
	loginHTML     string
	loginTemplate = template.Must(template.New("login").Parse(loginHTML))
)

var errBadCSRF = errors.New("the form's csrf token is not the auth request's")

// The messages the page shows. None repeats what was typed.
const (
	msgWrongPassword = "아이디 또는 비밀번호가 올바르지 않습니다."
	msgExpired       = "로그인 요청이 만료되었거나 알 수 없습니다. 앱에서 다시 로그인하세요."
	msgBadForm       = "로그인 양식이 이 요청의 것이 아닙니다. 앱에서 다시 로그인하세요."
)

// loginPage is the data of login.html.
type loginPage struct {
	Action    string
	RequestID string
	CSRF      string
	ClientID  string
	Username  string
	Error     string
	// redirectURI is the auth request's, where a sign-in ends.
	redirectURI string
}

// login serves the sign-in form of one auth request (GET) and checks it
// (POST). On success the browser goes on to op's callback, which redirects
// to the client's redirect_uri with the code; on a wrong password the form
// comes back with an error and no code is made.
type login struct {
	storage *storage
	// callbackURL is op's authorize callback for an auth request id.
	callbackURL func(authRequestID string) string
	// pageURL is the page's own absolute URL, where the form posts.
	pageURL string
	// cookiePath is the page's path, to which the csrf cookie is scoped.
	cookiePath string
}

func (l *login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The page must not be framed (clickjacking) nor cached (it holds a
	// csrf token). Its Content-Security-Policy is set as it is rendered.
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodGet:
		l.show(w, r)
	case http.MethodPost:
		l.submit(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (l *login) show(w http.ResponseWriter, r *http.Request) {
	a, err := l.storage.authRequest(r.URL.Query().Get("authRequestID"))
	if err != nil || a.Done() {
		l.render(w, http.StatusBadRequest, loginPage{Error: msgExpired})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     csrfCookie(a.id),
		Value:    a.csrf,
		Path:     l.cookiePath,
		MaxAge:   int(authRequestLifetime / time.Second),
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	})
	l.render(w, http.StatusOK, loginPage{RequestID: a.id, CSRF: a.csrf, ClientID: a.clientID, redirectURI: a.redirectURI})
}

func (l *login) submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		l.render(w, http.StatusBadRequest, loginPage{Error: msgBadForm})
		return
	}
	id, csrf, username := r.PostForm.Get("authRequestID"), r.PostForm.Get("csrf"), r.PostForm.Get("username")
	a, err := l.storage.authRequest(id)
	if err != nil || a.Done() {
		l.render(w, http.StatusBadRequest, loginPage{Error: msgExpired})
		return
	}
	// The token must be the request's and the browser's: a page of
	// another site cannot read the cookie, so it cannot sign a victim's
	// browser in with the attacker's account.
	cookie, err := r.Cookie(csrfCookie(id))
	if err != nil || subtle.ConstantTimeCompare([]byte(cookie.Value), []byte(csrf)) != 1 {
		l.render(w, http.StatusForbidden, loginPage{Error: msgBadForm})
		return
	}
	page := loginPage{RequestID: a.id, CSRF: a.csrf, ClientID: a.clientID, Username: username, redirectURI: a.redirectURI}
	u, ok := l.storage.users[username]
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(r.PostForm.Get("password"))) != 1 {
		page.Error = msgWrongPassword
		l.render(w, http.StatusUnauthorized, page)
		return
	}
	switch err := l.storage.completeLogin(id, csrf, username); {
	case errors.Is(err, errBadCSRF):
		l.render(w, http.StatusForbidden, loginPage{Error: msgBadForm})
		return
	case err != nil:
		l.render(w, http.StatusBadRequest, loginPage{Error: msgExpired})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: csrfCookie(id), Path: l.cookiePath, MaxAge: -1})
	http.Redirect(w, r, l.callbackURL(id), http.StatusSeeOther)
}

func (l *login) render(w http.ResponseWriter, status int, page loginPage) {
	page.Action = l.pageURL
	w.Header().Set("Content-Security-Policy", securityPolicy(page.redirectURI))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	loginTemplate.Execute(w, page) //nolint:errcheck // the status is sent; nothing else to tell
}

// securityPolicy is the page's Content-Security-Policy: no script, no
// framing, and the form posted only to the provider. Browsers hold every
// redirect that follows the form's POST to form-action too, and a sign-in
// ends at the client's redirect URI (on another origin: the gateway's), so
// that origin is allowed beside the provider's own, or the browser stops
// at the login page.
func securityPolicy(redirectURI string) string {
	formAction := "'self'"
	if u, err := url.Parse(redirectURI); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	return "default-src 'none'; style-src 'unsafe-inline'; form-action " + formAction + "; frame-ancestors 'none'"
}

// loggedOutPath is where end_session sends the browser when the client
// names no post_logout_redirect_uri.
const loggedOutPath = "/logged-out"

// loggedOut tells the user they are signed out. There is nothing to end on
// this side: the provider keeps no sessions, every sign-in shows the form.
func loggedOut(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	io.WriteString(w, `<!doctype html><html lang="ko"><meta charset="utf-8"><title>Gongyak 개발용 로그인</title>`+ //nolint:errcheck // nothing else to tell
		`<h1>로그아웃되었습니다.</h1><p>앱으로 돌아가 다시 로그인할 수 있습니다.</p></html>`)
}

// csrfCookie names the cookie of one auth request, so sign-ins in two tabs
// do not overwrite each other's.
func csrfCookie(authRequestID string) string {
	return "gongyak_idp_csrf_" + url.QueryEscape(authRequestID)
}
