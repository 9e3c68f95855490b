// Package cardtext reads a pledge implementation card (공약 이행 카드)
// exported to text — tab-separated tables, sections I to VII, 백만원
// amounts, partial and ranged dates, ○ marks, nested bullets, Korean
// throughout, and the residue such exports carry — into the data of every
// service, and writes a card back in the same layout. It reports every line
// it cannot place, with its number.
package cardtext

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/text/width"
)

// Limits on what one card may be, so a hostile file cannot make the parser
// work or hold memory without bound.
const (
	MaxBytes = 1 << 20
	MaxLines = 20_000
)

// Warning is a line the parser could not place.
type Warning struct {
	Line    int
	Text    string
	Message string
}

// Error is a card the parser cannot read at all, such as one without a
// title.
type Error struct {
	Line    int
	Message string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// line is one line of the card: its number, its text normalized, and its
// cells when split by tabs.
type line struct {
	n     int
	raw   string // as normalized, with leading space kept
	text  string // trimmed
	cells []string
	used  bool
	// spaced says the line's tabs had become spaces: empty cells are lost
	// from cells, and asSpaced keeps the line as it came so that the
	// cells' positions can be read (see realign).
	spaced   bool
	asSpaced string
}

var (
	htmlTag    = regexp.MustCompile(`<[^<>]{0,400}>`)
	spaceRuns  = regexp.MustCompile(` {2,}`)
	romanFolds = strings.NewReplacer("Ⅰ", "I", "Ⅱ", "II", "Ⅲ", "III", "Ⅳ", "IV", "Ⅴ", "V", "Ⅵ", "VI", "Ⅶ", "VII")
)

// normalize folds what exports vary in: CRLF and CR, full-width letters,
// digits and signs, Roman numeral characters, a byte order mark, HTML tags.
// Tables whose tabs became runs of spaces get their tabs back.
func normalize(text string) ([]*line, error) {
	if len(text) > MaxBytes {
		return nil, &Error{Message: fmt.Sprintf("the card is %d bytes; at most %d are read", len(text), MaxBytes)}
	}
	text = strings.TrimPrefix(text, "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	raw := strings.Split(text, "\n")
	if len(raw) > MaxLines {
		return nil, &Error{Message: fmt.Sprintf("the card has %d lines; at most %d are read", len(raw), MaxLines)}
	}
	out := make([]*line, len(raw))
	for i, r := range raw {
		s := width.Fold.String(r)
		s = romanFolds.Replace(s)
		s = strings.ReplaceAll(s, "\u00a0", " ")
		s = strings.ReplaceAll(s, "\u3000", " ")
		s = htmlTag.ReplaceAllString(s, " ")
		s = strings.TrimRight(s, " ")
		spaced, asSpaced := false, s
		if !strings.Contains(s, "\t") && spaceRuns.MatchString(strings.TrimSpace(s)) {
			// A table row whose tabs were turned into spaces.
			lead := len(s) - len(strings.TrimLeft(s, " "))
			s = s[:lead] + spaceRuns.ReplaceAllString(s[lead:], "\t")
			spaced = true
		}
		l := &line{n: i + 1, raw: s, text: strings.TrimSpace(s), spaced: spaced, asSpaced: asSpaced}
		for _, c := range strings.Split(s, "\t") {
			l.cells = append(l.cells, strings.TrimSpace(c))
		}
		out[i] = l
	}
	return out, nil
}

// blank reports whether the line holds nothing.
func (l *line) blank() bool { return l.text == "" || strings.Trim(l.text, "\t ") == "" }

// cell returns the i-th cell, or "".
func (l *line) cell(i int) string {
	if i < len(l.cells) {
		return l.cells[i]
	}
	return ""
}

// compact removes every space: 목 표 is 목표, 구 비 is 구비.
func compact(s string) string { return strings.Join(strings.Fields(s), "") }
