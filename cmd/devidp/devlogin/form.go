package devlogin

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// loginPage is what a browser sees of the provider's login page: where
// the form posts, its hidden fields (the auth request and the CSRF token)
// and the error it shows, if any.
type loginPage struct {
	action  string
	fields  url.Values
	message string
}

// readLoginPage reads resp, which should be the login page, and closes it.
func readLoginPage(resp *http.Response) (*loginPage, error) {
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, 1<<20)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		text, _ := io.ReadAll(io.LimitReader(body, 512))
		return nil, fmt.Errorf("expected the login page, got HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(text))
	}
	doc, err := html.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("login page: %w", err)
	}
	page := &loginPage{fields: url.Values{}}
	var form *html.Node
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch {
		case n.Data == "form" && form == nil:
			form = n
			page.action = attr(n, "action")
		case n.Data == "input" && form != nil && attr(n, "type") == "hidden" && isInside(n, form):
			page.fields.Set(attr(n, "name"), attr(n, "value"))
		case strings.Contains(" "+attr(n, "class")+" ", " error ") && page.message == "":
			page.message = strings.TrimSpace(text(n))
		}
	}
	if form == nil {
		if page.message != "" {
			return nil, fmt.Errorf("login page (HTTP %d): %s", resp.StatusCode, page.message)
		}
		return nil, fmt.Errorf("login page (HTTP %d) has no form", resp.StatusCode)
	}
	action, err := resp.Request.URL.Parse(page.action)
	if err != nil {
		return nil, fmt.Errorf("login form action: %w", err)
	}
	page.action = action.String()
	return page, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func isInside(n, ancestor *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == ancestor {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}
