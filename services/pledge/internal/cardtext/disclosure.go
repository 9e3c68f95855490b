package cardtext

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/genproto/googleapis/type/date"
)

// Disclosure is what a district shows the public of one term: every card
// of the term, in order.
type Disclosure struct {
	District *pledgev1.District
	Term     *pledgev1.Term
	// Cards are the term's cards, each with its status's date.
	Cards []Page
}

// htmlDisclosure is what the disclosure template reads.
type htmlDisclosure struct {
	Title, Period string
	Cards         []htmlDisclosedCard
}

type htmlDisclosedCard struct {
	htmlCard
	Anchor string
}

// disclosure lays out cards one after another, each as Page.HTML lays it
// out (the same "body" template), after a table of contents; printed, each
// card starts a page.
var disclosure = template.Must(template.Must(page.Clone()).New("disclosure").Parse(`<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
{{template "style"}}
<style>
  header h1 { border: none; font-size: 1.6em; }
  nav ol { line-height: 1.6; }
  nav .status { color: #555; margin-left: .5em; }
  section.card { margin-top: 3em; }
  @media print { section.card { page-break-before: always; } nav a { color: inherit; text-decoration: none; } }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p>임기 {{.Period}} · 공약 {{len .Cards}}건</p>
</header>
<nav>
<h2>목차</h2>
{{if .Cards}}<ol>
{{range .Cards}}<li><a href="#{{.Anchor}}">{{.Card.Pledge.Title}}</a><span class="status">{{.Status}}</span></li>
{{end}}</ol>{{else}}<p>이 임기에 공개된 공약이 없습니다.</p>{{end}}
</nav>
{{range .Cards}}<section class="card" id="{{.Anchor}}">
{{template "body" .}}</section>
{{end}}</body>
</html>
`))

// RenderDisclosure writes a district's cards of one term on one printable
// HTML page with a table of contents, each card laid out as Page.HTML
// lays it out; its title names the district and the term. What the cards
// hold is written as given: the caller masks what the public may not see.
func RenderDisclosure(d Disclosure) ([]byte, error) {
	name := strings.TrimSpace(d.District.GetMetropolitanGovernment() + " " + d.District.GetDisplayName())
	termName := d.Term.GetDisplayName()
	if termName == "" {
		termName = fmt.Sprintf("민선 %d기", d.Term.GetNumber())
	}
	out := htmlDisclosure{
		Title:  name + " " + termName + " 공약 이행 현황",
		Period: dateText(d.Term.GetStartDate()) + " ~ " + dateText(d.Term.GetEndDate()),
	}
	for _, c := range d.Cards {
		out.Cards = append(out.Cards, htmlDisclosedCard{htmlCard: c.htmlCard(), Anchor: "pledge-" + resourcename.ID(c.Card.GetPledge().GetName())})
	}
	var buf bytes.Buffer
	err := disclosure.Execute(&buf, out)
	return buf.Bytes(), err
}

func dateText(d *date.Date) string {
	return fmt.Sprintf("%04d. %d. %d.", d.GetYear(), d.GetMonth(), d.GetDay())
}
