package cardtext

import (
	"regexp"
	"slices"
	"strings"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// log reads a dated log (IV 그간 추진사항, V 향후 추진계획): a header row,
// then rows of a date label and its items; a line without a date carries
// on the row above. A row whose tabs became spaces is read from its place
// under the header (textColumns): an indented line stands in the items'
// column, and a date's or an item's own spaces do not split it.
func (p *parser) log(lines []*line) []*pledgev1.DatedEntry {
	var out []*pledgev1.DatedEntry
	var texts []string
	var rows []*line
	var header *line
	skipping := false // the row above was left out: so are its continuations
	for _, l := range lines {
		if l.blank() {
			continue
		}
		if strings.Contains(compact(l.text), "추진일자") {
			l.used, header = true, l
			continue
		}
		label, items := l.cell(0), l.cells[min(1, len(l.cells)):]
		if positioned(header, l) {
			cols, ok := textColumns(header, l)
			if !ok {
				p.warn(l, "the row lost its columns (tabs became spaces) and its layout does not say which words are the date and which what was done; it is left out")
				skipping = true
				continue
			}
			label, items = strings.Join(cols[0], " "), nil
			if done := slices.Concat(cols[1:]...); len(done) > 0 {
				items = []string{strings.Join(done, " ")}
			}
		}
		if len(items) > 0 && label != "" {
			if _, err := pledge.ParseDateLabel(label); err != nil {
				p.warn(l, "%q is not a date (%v); the row is left out", label, err)
				skipping = true
				continue
			}
			skipping = false
			l.used = true
			out = append(out, &pledgev1.DatedEntry{Date: &pledgev1.DateLabel{Label: label}})
			texts = append(texts, strings.Join(items, " "))
			rows = append(rows, l)
			continue
		}
		switch {
		case skipping:
			p.warn(l, "carries on a row that was left out")
		case len(out) > 0:
			l.used = true
			texts[len(texts)-1] += " " + l.text
		}
	}
	for i, e := range out {
		e.Items = itemsOf(texts[i])
		if len(e.Items) == 0 {
			p.warn(rows[i], "the row has a date and nothing done")
		}
	}
	return out
}

var spaces = regexp.MustCompile(`\s+`)

// itemsOf reads a log cell: ○ items, each with - sub-items.
func itemsOf(text string) []*pledgev1.Bullet {
	text = spaces.ReplaceAllString(text, " ")
	var out []*pledgev1.Bullet
	for _, seg := range strings.Split(text, "○") {
		seg = strings.TrimSpace(seg)
		if seg == "" {
			continue
		}
		parts := strings.Split(" "+seg, " - ")
		head := strings.TrimSpace(parts[0])
		b := &pledgev1.Bullet{Text: head}
		for _, child := range parts[1:] {
			if child = strings.TrimSpace(child); child != "" {
				b.Children = append(b.Children, &pledgev1.Bullet{Text: child})
			}
		}
		if b.Text == "" && len(b.Children) > 0 {
			b.Text, b.Children = b.Children[0].Text, b.Children[1:]
		}
		if b.Text != "" {
			out = append(out, b)
		}
	}
	return out
}

// risks reads VI: problems and countermeasures, labelled (문제점, 대책) or
// in pairs.
func (p *parser) risks(lines []*line) {
	var items []string
	var labelled []*pledgev1.Risk
	for _, l := range lines {
		if l.blank() {
			continue
		}
		text, _ := bulletText(l.text)
		l.used = true
		key, value, ok := strings.Cut(text, ":")
		switch k := compact(key); {
		case ok && (k == "문제점" || k == "예상문제점"):
			labelled = append(labelled, &pledgev1.Risk{Problem: strings.TrimSpace(value)})
		case ok && k == "대책":
			if len(labelled) == 0 || labelled[len(labelled)-1].Countermeasure != "" {
				labelled = append(labelled, &pledgev1.Risk{})
			}
			labelled[len(labelled)-1].Countermeasure = strings.TrimSpace(value)
		default:
			items = append(items, text)
		}
	}
	pl := p.card.Pledge
	pl.Risks = labelled
	for i := 0; i < len(items); i += 2 {
		r := &pledgev1.Risk{Problem: items[i]}
		if i+1 < len(items) {
			r.Countermeasure = items[i+1]
		}
		pl.Risks = append(pl.Risks, r)
	}
}

var (
	awardLine = regexp.MustCompile(`^[-·○*]?\s*([가-힣]{1,6}상)\*{0,3}\s+(.+?)\s*\(([^()]{1,20})\)\s*$`)
	nextAward = regexp.MustCompile(`^(.+?)\s*\(([^()]{1,20})\)\s*$`)
)

// kst is the time contest windows are written in.
var kst = time.FixedZone("KST", 9*60*60)

// photos reads VII: captions (lines standing alone), text read off a
// poster (paragraphs of several lines, kept with the first photo), and a
// contest's results (a 결과발표 heading and award lines).
func (p *parser) photos(lines []*line) {
	var paras [][]*line
	var cur []*line
	for _, l := range lines {
		if l.blank() {
			if cur != nil {
				paras, cur = append(paras, cur), nil
			}
			continue
		}
		cur = append(cur, l)
	}
	if cur != nil {
		paras = append(paras, cur)
	}
	pl := p.card.Pledge
	var poster []string
	var contest *Contest
	ranks := map[string]int32{}
	lastAward := ""
	inResults := false
	for _, para := range paras {
		awardsHere := false
		for _, l := range para {
			switch {
			case strings.Contains(compact(l.text), "결과발표"):
				l.used = true
				title := strings.TrimSpace(strings.Replace(l.text, "결과발표", "", 1))
				contest = &Contest{Title: title}
				inResults, lastAward = true, ""
			case inResults && awardLine.MatchString(l.text):
				m := awardLine.FindStringSubmatch(l.text)
				lastAward, awardsHere = m[1], true
				if _, ok := ranks[lastAward]; !ok {
					ranks[lastAward] = int32(len(ranks) + 1)
				}
				contest.Submissions = append(contest.Submissions, award(m[2], m[3], lastAward, ranks[lastAward]))
				l.used = true
			case inResults && awardsHere && nextAward.MatchString(l.text):
				m := nextAward.FindStringSubmatch(l.text)
				awardsHere = true
				contest.Submissions = append(contest.Submissions, award(m[1], m[2], lastAward, ranks[lastAward]))
				l.used = true
			}
		}
		if awardsHere || (len(para) == 1 && para[0].used) {
			continue
		}
		inResults = inResults && len(para) == 1 && para[0].used
		if len(para) == 1 {
			para[0].used = true
			pl.Photos = append(pl.Photos, &pledgev1.Photo{Caption: para[0].text})
			continue
		}
		for _, l := range para {
			if !l.used {
				l.used = true
				poster = append(poster, l.text)
			}
		}
	}
	if len(poster) > 0 {
		if len(pl.Photos) == 0 {
			pl.Photos = append(pl.Photos, &pledgev1.Photo{})
		}
		pl.Photos[0].Text = strings.Join(poster, "\n")
	}
	if contest != nil && len(contest.Submissions) > 0 {
		contest.Window = windowOf(poster)
		p.card.Contest = contest
	}
}

func award(title, proposer, label string, rank int32) *participationv1.Submission {
	return &participationv1.Submission{
		Title: strings.TrimSpace(title), Proposer: &participationv1.Person{Name: strings.TrimSpace(proposer)},
		Selected: true, Award: label, AwardRank: rank,
	}
}

// windowOf reads a submission window from poster text: 접수기간 followed
// by a day range such as 2020. 1. 20.(월) ~ 2. 14.(금).
func windowOf(poster []string) *participationv1.Window {
	for i, l := range poster {
		if !strings.Contains(compact(l), "접수기간") {
			continue
		}
		text := strings.TrimSpace(strings.Replace(l, "접수기간", "", 1))
		if text == "" && i+1 < len(poster) {
			text = poster[i+1]
		}
		d, err := pledge.ParseDateLabel(text)
		if err != nil || d.Precision != pledge.PrecisionDay || d.End.Day == 0 {
			return nil
		}
		open := time.Date(d.Date.Year, time.Month(d.Date.Month), d.Date.Day, 0, 0, 0, 0, kst)
		end := time.Date(d.End.Year, time.Month(d.End.Month), d.End.Day, 23, 59, 59, 0, kst)
		return &participationv1.Window{OpenTime: timestamppb.New(open), CloseTime: timestamppb.New(end)}
	}
	return nil
}
