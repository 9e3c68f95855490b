package cardtext

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// A table row whose tabs became spaces lost its empty cells: 합계    8.5
// 2.5 no longer says which years 8.5 and 2.5 fall in. The layout may still
// say it, in one of two ways, which realign reads:
//
//   - each tab became the same number of spaces (four, say): a run of
//     spaces is then a whole number of tabs, and so of columns crossed;
//   - tabs were expanded to tab stops, or the table was laid out for the
//     eye: each value then stands under its column's header word.
//
// When neither holds the row cannot be told, and the caller says so.

var spaceRun = regexp.MustCompile(` {2,}`)

// token is a cell's text in a spaced line, with its position: the byte
// offset, and the display column (a Hangul syllable is two columns wide).
type token struct {
	text       string
	at, column int
	// before is the number of spaces before it: the run between it and
	// the previous token, or the line's indent.
	before int
}

func tokensOf(s string) []token {
	var out []token
	lead := len(s) - len(strings.TrimLeft(s, " "))
	prev := lead
	start := lead
	bounds := spaceRun.FindAllStringIndex(s[lead:], -1)
	for i := 0; i <= len(bounds); i++ {
		end := len(s)
		if i < len(bounds) {
			end = lead + bounds[i][0]
		}
		if text := strings.TrimSpace(s[start:end]); text != "" {
			out = append(out, token{text: text, at: start, column: displayWidth(s[:start]), before: prev})
		}
		if i < len(bounds) {
			prev = bounds[i][1] - bounds[i][0]
			start = lead + bounds[i][1]
		}
	}
	return out
}

// displayWidth is the columns s takes on a screen: two for wide
// characters (Hangul, ideographs, full-width signs), one for the rest.
func displayWidth(s string) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// realign reads a spaced row against its spaced header: it returns the
// header's cells and the row's cells at the same indexes, and whether the
// layout told where every value of the row stands.
func realign(header, row *line) (cols, cells []string, ok bool) {
	if !header.spaced || !row.spaced {
		return nil, nil, false
	}
	ht, rt := tokensOf(header.asSpaced), tokensOf(row.asSpaced)
	if len(ht) == 0 || len(rt) == 0 {
		return nil, nil, false
	}
	// Runs that are each a whole number of the header's tab width are
	// taken for tabs first: a layout for the eye rarely spaces so evenly,
	// and one made by replacing tabs does not put values under words.
	if cols, cells, ok := byTabWidth(ht, rt); ok {
		return cols, cells, true
	}
	return byHeaderWords(ht, rt)
}

// byTabWidth reads the row when every tab became n spaces: the header's
// runs between words, each one tab, say n.
func byTabWidth(ht, rt []token) (cols, cells []string, ok bool) {
	if len(ht) < 2 {
		return nil, nil, false
	}
	n := ht[1].before
	for _, t := range ht[1:] {
		if t.before != n {
			return nil, nil, false
		}
	}
	if ht[0].before%n != 0 {
		return nil, nil, false
	}
	for range ht[0].before / n {
		cols = append(cols, "")
	}
	for _, t := range ht {
		cols = append(cols, t.text)
	}
	cells = make([]string, len(cols))
	at := -1
	for i, t := range rt {
		if t.before%n != 0 {
			return nil, nil, false
		}
		at += t.before / n
		if i == 0 {
			at++ // the row's first cell stands at its indent's tabs
		}
		if at >= len(cells) {
			return nil, nil, false
		}
		cells[at] = t.text
	}
	return cols, cells, true
}

// byHeaderWords reads the row when its values stand under the header's
// words: each value must overlap the columns of exactly one header word,
// and no two the same.
func byHeaderWords(ht, rt []token) (cols, cells []string, ok bool) {
	lead := 0
	if ht[0].column > 0 {
		lead = 1 // the row's label column, with no header word
		cols = append(cols, "")
	}
	for _, t := range ht {
		cols = append(cols, t.text)
	}
	cells = make([]string, len(cols))
	for i, t := range rt {
		from, to := t.column, t.column+displayWidth(t.text)
		under := -1
		for j, h := range ht {
			hFrom, hTo := h.column, h.column+displayWidth(h.text)
			if from < hTo && hFrom < to {
				if under >= 0 {
					return nil, nil, false // under two words
				}
				under = j
			}
		}
		switch {
		case under < 0 && i == 0 && lead == 1 && to <= ht[0].column:
			cells[0] = t.text // the row's label, left of every header word
		case under < 0 || cells[lead+under] != "":
			return nil, nil, false
		default:
			cells[lead+under] = t.text
		}
	}
	return cols, cells, true
}

// textColumns reads a row of a table whose last column is free text — the
// 연차별 goals, the logs — against the table's header, both as they came
// with their tabs turned into spaces: the row's words in each of the
// header's columns, in order, the last column taking every word from its
// start to the line's end; and whether the layout told. It reads the two
// layouts realign does, tabs of n spaces first:
//
//   - each tab n spaces (the header's words n apart): a run of spaces
//     shorter than n lies inside a cell, one of k·n spaces crosses k
//     columns, any other run cannot be told;
//   - the text laid out under the header's words: a column runs from its
//     word to the next word, and a word of the row that crosses into the
//     next column cannot be told.
func textColumns(header, row *line) ([][]string, bool) {
	ht, rt := tokensOf(header.asSpaced), tokensOf(row.asSpaced)
	if len(ht) < 2 || len(rt) == 0 {
		return nil, false
	}
	cols := make([][]string, len(ht))
	if at, ok := byTabRuns(ht, rt); ok {
		for i, t := range rt {
			c := min(at[i], len(cols)-1)
			cols[c] = append(cols[c], t.text)
		}
		return cols, true
	}
	for _, t := range rt {
		c := len(ht) - 1
		for c > 0 && t.column < ht[c].column {
			c--
		}
		if c+1 < len(ht) && t.column+displayWidth(t.text) > ht[c+1].column {
			return nil, false // it crosses into the next column
		}
		cols[c] = append(cols[c], t.text)
	}
	return cols, true
}

// byTabRuns gives the column each of a row's tokens stands in when every
// tab became n spaces, n being the runs between the header's words: a
// shorter run lies inside a cell. Tabs wider than eight spaces are taken
// for a layout for the eye, not for tabs.
func byTabRuns(ht, rt []token) ([]int, bool) {
	n := ht[1].before
	for _, t := range ht[1:] {
		if t.before != n {
			return nil, false
		}
	}
	if n > 8 || ht[0].before%n != 0 {
		return nil, false
	}
	lead := ht[0].before / n
	at := make([]int, len(rt))
	col := 0
	for i, t := range rt {
		switch {
		case i == 0 && t.before%n == 0:
			col = t.before/n - lead
		case i == 0 && t.before < n:
			col = -lead // an indent inside the first cell
		case i > 0 && t.before < n:
			// spaces inside the cell
		case i > 0 && t.before%n == 0:
			col += t.before / n
		default:
			return nil, false
		}
		if col < 0 {
			return nil, false
		}
		at[i] = col
	}
	return at, true
}
