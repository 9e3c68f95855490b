//go:build browser

package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The page helpers find what a user finds: a control by its label, a
// button by its text. Each fails the test, saying what the page showed,
// when the page does not get there within stepTimeout.

// run runs steps on the tab within stepTimeout.
func (p *page) run(steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// eval evaluates a JavaScript expression in the page into T.
func eval[T any](p *page, expr string, opts ...chromedp.EvaluateOption) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
}

// eventually calls check until it says done, and fails the test saying
// what was awaited and what check last saw when stepTimeout passes. A
// check that errs (the page is between documents) is called again.
func (p *page) eventually(what string, check func() (done bool, saw string, err error)) {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	var saw string
	for {
		done, s, err := check()
		if err == nil && done {
			return
		}
		if err != nil {
			s = err.Error()
		}
		saw = s
		if time.Now().After(deadline) {
			p.t.Fatalf("waited %s for %s; the page showed: %s", stepTimeout, what, saw)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// js calls the JavaScript function fn with args, as JSON, in an
// expression.
func js(fn string, args ...any) string {
	var b strings.Builder
	b.WriteString("(" + fn + ")(")
	for i, a := range args {
		raw, _ := json.Marshal(a)
		if i > 0 {
			b.WriteString(", ")
		}
		b.Write(raw)
	}
	b.WriteString(")")
	return b.String()
}

// open goes to path, the gateway's when it starts with "/", else a whole
// URL, and waits for the page to load.
func (p *page) open(path string) {
	p.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = p.s.Base + path
	}
	if err := p.run(chromedp.Navigate(u)); err != nil {
		p.t.Fatalf("opening %s: %v", u, err)
	}
}

// location is the URL the tab is at.
func (p *page) location() string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		p.t.Fatalf("reading the location: %v", err)
	}
	return u
}

// waitLocation waits until the tab's URL is one ok accepts, and returns it.
func (p *page) waitLocation(what string, ok func(string) bool) string {
	p.t.Helper()
	var at string
	p.eventually(what, func() (bool, string, error) {
		u, err := eval[string](p, `location.href`)
		at = u
		return err == nil && ok(u), "the location " + u, err
	})
	return at
}

// bodyText is what the page shows as text.
func (p *page) bodyText() (string, error) {
	return eval[string](p, `document.body ? document.body.innerText : ""`)
}

// expectText waits until the page shows text.
func (p *page) expectText(text string) {
	p.t.Helper()
	p.eventually(fmt.Sprintf("the text %q", text), func() (bool, string, error) {
		body, err := p.bodyText()
		return strings.Contains(body, text), body, err
	})
}

// alert waits for a message in role="alert" and returns its text.
func (p *page) alert() string {
	p.t.Helper()
	var text string
	p.eventually(`a message in role="alert"`, func() (bool, string, error) {
		t, err := eval[string](p, `[...document.querySelectorAll('[role=alert]')].map(e => e.innerText.trim()).filter(Boolean).join("\n")`)
		text = t
		body, _ := p.bodyText()
		return t != "", body, err
	})
	return text
}

// normJS is whitespace collapsed and trimmed, as a label reads.
const normJS = `s => (s || "").replace(/\s+/g, " ").trim()`

// controlJS finds the form control whose label reads label: a <label>
// (for= or around it), aria-labelledby or aria-label.
const controlJS = `(label) => {
  const norm = ` + normJS + `;
  for (const l of document.querySelectorAll("label")) {
    if (norm(l.textContent) === label && l.control) return l.control;
  }
  for (const el of document.querySelectorAll("[aria-labelledby]")) {
    const text = el.getAttribute("aria-labelledby").split(/\s+/).map(id => norm(document.getElementById(id)?.textContent)).join(" ");
    if (text === label) return el;
  }
  for (const el of document.querySelectorAll("[aria-label]")) {
    if (norm(el.getAttribute("aria-label")) === label) return el;
  }
  return null;
}`

// labelsJS lists the labels on the page, to say what there was instead.
const labelsJS = `() => {
  const norm = ` + normJS + `;
  return [...document.querySelectorAll("label, [aria-label]")].map(e => norm(e.getAttribute("aria-label") || e.textContent)).join(" | ");
}`

// control is the control labelled label, waited for.
func (p *page) control(label string) chromedp.JSPath {
	p.t.Helper()
	p.eventually(fmt.Sprintf("a control labelled %q (by a <label> tied to it, aria-labelledby or aria-label)", label), func() (bool, string, error) {
		found, err := eval[bool](p, js(controlJS, label)+" !== null")
		labels, _ := eval[string](p, js(labelsJS))
		return found, "the labels " + labels, err
	})
	return chromedp.JSPath(js(controlJS, label))
}

// fill types value into the control labelled label, as a user would
// (focus, key by key), after selecting what it held and deleting it with a
// key: a controlled input of a framework (React) keeps a value set behind
// its back, as chromedp.Clear sets it, and restores it at the next key.
func (p *page) fill(label, value string) {
	p.t.Helper()
	sel := p.control(label)
	if err := p.run(chromedp.Focus(sel), chromedp.Evaluate[chromedp.Void](js(controlJS, label)+".select()"),
		chromedp.KeyEvent(kb.Backspace+value)); err != nil {
		p.t.Fatalf("typing into %q: %v", label, err)
	}
}

// clickableJS finds the visible button or link whose text (or value, or
// aria-label) reads name.
const clickableJS = `(name) => {
  const norm = ` + normJS + `;
  return [...document.querySelectorAll("button, a[href], [role=button], [role=link], [role=tab], input[type=submit], input[type=button]")]
    .find(el => el.getClientRects().length > 0 && [el.innerText, el.value, el.getAttribute("aria-label")].some(t => norm(t) === name)) || null;
}`

// click clicks the button or link named name with the mouse, once it is
// enabled: a user waits for a disabled button (a form still loading).
func (p *page) click(name string) {
	p.t.Helper()
	p.eventually(fmt.Sprintf("an enabled button or link %q", name), func() (bool, string, error) {
		found, err := eval[bool](p, `((el) => el !== null && !el.disabled && el.getAttribute("aria-disabled") !== "true")(`+js(clickableJS, name)+`)`)
		body, _ := p.bodyText()
		return found, body, err
	})
	if err := p.run(chromedp.Click(chromedp.JSPath(js(clickableJS, name)))); err != nil {
		p.t.Fatalf("clicking %q: %v", name, err)
	}
}

// submit clicks the button or link named name and waits until it has
// led to another document, loaded: what the page then shows is the
// answer's, not the last page's. A click that stays on the document (most
// of a single-page app's) is click's.
func (p *page) submit(name string) {
	p.t.Helper()
	if _, err := eval[bool](p, `window.gongyakTestOldDocument = true`); err != nil {
		p.t.Fatalf("marking the page before %q: %v", name, err)
	}
	p.click(name)
	p.eventually(fmt.Sprintf("the page that %q leads to", name), func() (bool, string, error) {
		r, err := eval[struct {
			Old   bool
			State string
		}](p, `({old: window.gongyakTestOldDocument === true, state: document.readyState})`)
		return !r.Old && r.State == "complete", fmt.Sprintf("still the page it was on (%v), %s", r.Old, r.State), err
	})
}

// fieldErrorJS reads the error tied to the control labelled label: the
// text of the elements its aria-errormessage and aria-describedby name,
// and whether it is marked aria-invalid.
const fieldErrorJS = `(label) => {
  const el = (` + controlJS + `)(label);
  if (!el) return {found: false};
  const ids = [el.getAttribute("aria-errormessage"), el.getAttribute("aria-describedby")].filter(Boolean).join(" ").split(/\s+/).filter(Boolean);
  const text = ids.map(id => document.getElementById(id)?.innerText.trim()).filter(Boolean).join("\n");
  return {found: true, invalid: el.getAttribute("aria-invalid") === "true", text};
}`

// fieldError waits until the control labelled label is marked invalid
// with an error tied to it, and returns the error's text.
func (p *page) fieldError(label string) string {
	p.t.Helper()
	var text string
	p.eventually(fmt.Sprintf("an error at the field %q (aria-invalid, aria-describedby)", label), func() (bool, string, error) {
		r, err := eval[struct {
			Found, Invalid bool
			Text           string
		}](p, js(fieldErrorJS, label))
		text = r.Text
		return r.Found && r.Invalid && r.Text != "", fmt.Sprintf("found %v, aria-invalid %v, described as %q", r.Found, r.Invalid, r.Text), err
	})
	return text
}

// phone makes the viewport 375×800 as a phone's (mobile: the page's
// viewport meta decides its layout width).
func (p *page) phone() { p.viewport(375, 800, true) }

// desktop makes the viewport 1280×800.
func (p *page) desktop() { p.viewport(1280, 800, false) }

func (p *page) viewport(w, h int64, mobile bool) {
	p.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := p.run(chromedp.EmulateViewport(w, h, opts...)); err != nil {
		p.t.Fatalf("setting the viewport to %d×%d: %v", w, h, err)
	}
	// What is measured next is the page laid out at the new width: two
	// frames on, when a chart has followed the width too.
	if _, err := eval[bool](p, `new Promise(ok => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`, chromedp.EvalAwaitPromise); err != nil {
		p.t.Fatalf("waiting for the layout at %d×%d: %v", w, h, err)
	}
	p.width = w
}

// widthJS measures the page's width and names what sticks out.
const widthJS = `() => {
  const root = document.scrollingElement || document.documentElement;
  const wide = [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 0.5)
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : ""));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}`

// noSideScroll fails the test when the page scrolls sideways at the
// viewport's width, or is laid out wider than the viewport (a page without
// a viewport meta is laid out 980 px wide on a phone).
func (p *page) noSideScroll() {
	p.t.Helper()
	r, err := eval[struct {
		ScrollWidth, ClientWidth int64
		Wide                     []string
	}](p, js(widthJS))
	if err != nil {
		p.t.Fatalf("measuring the page: %v", err)
	}
	if r.ClientWidth > p.width {
		p.t.Errorf("at %d px the page is laid out %d px wide (no viewport meta?)", p.width, r.ClientWidth)
	}
	if r.ScrollWidth > r.ClientWidth {
		p.t.Errorf("at %d px the page scrolls sideways: %d px wide in %d px; too wide: %v", p.width, r.ScrollWidth, r.ClientWidth, r.Wide)
	}
}

// finding is one violated axe rule.
type finding struct {
	ID, Impact, Help string
	Nodes            []string
}

// axeRunJS runs axe-core on the document and returns its violations.
const axeRunJS = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => n.target.join(" ")),
})))`

// axe runs axe-core in the page and fails the test on each serious or
// critical finding; lesser findings are logged.
func (p *page) axe() {
	p.t.Helper()
	src, err := axeSource()
	if err != nil {
		p.t.Fatal(err)
	}
	// The script is evaluated as DevTools evaluates, which the page's
	// Content-Security-Policy does not stop (the provider's allows no
	// script at all).
	loaded, err := eval[bool](p, `typeof axe !== "undefined"`)
	if err == nil && !loaded {
		_, err = eval[chromedp.Void](p, src)
	}
	if err != nil {
		p.t.Fatalf("loading axe-core into the page: %v", err)
	}
	findings, err := eval[[]finding](p, axeRunJS, chromedp.EvalAwaitPromise)
	if err != nil {
		p.t.Fatalf("running axe-core: %v", err)
	}
	for _, f := range findings {
		if f.Impact == "serious" || f.Impact == "critical" {
			p.t.Errorf("axe: %s (%s): %s, at %v", f.ID, f.Impact, f.Help, f.Nodes)
		} else {
			p.t.Logf("axe, %s: %s (%s): %s, at %v", f.Impact, f.ID, f.Impact, f.Help, f.Nodes)
		}
	}
}
