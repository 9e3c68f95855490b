package cardtext

import (
	"slices"
	"strconv"
	"strings"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
)

// goalTable is the 연차별 추진계획 table as read so far: its header row
// (최종목표, 연차별 달성 목표) and the goal a row without a year carries on.
type goalTable struct {
	header *line
	last   *pledgev1.YearlyGoal
}

// goalRow reads a row of the 연차별 추진계획 table: the final goal beside
// the first year, then a goal per year. A row's first cell after the
// final goal's carries it on (a merged cell's text spread over its rows);
// a row without a year carries on the goal above with its other cells.
func (p *parser) goalRow(g *goalTable, l *line) {
	if strings.Contains(compact(l.text), "최종목표") {
		l.used, g.header = true, l
		return
	}
	final, year, goal, ok := p.goalCells(g, l)
	if !ok {
		return
	}
	pl := p.card.Pledge
	switch {
	case final == "":
	case pl.FinalGoal == "":
		l.used = true
		pl.FinalGoal = final
	case year == 0 && goal == "" && len(l.cells) == 1:
		// A line of text alone, after the final goal: not a row of the
		// table (a tab or a year would say so).
		return
	default:
		// The final goal's cell goes on beside a later year, or in a row
		// of its own.
		l.used = true
		pl.FinalGoal += " " + final
	}
	switch {
	case year != 0:
		l.used = true
		g.last = nil
		if goal != "" {
			g.last = &pledgev1.YearlyGoal{Year: int32(year), Goal: goal}
			pl.YearlyGoals = append(pl.YearlyGoals, g.last)
		}
	case goal != "" && g.last != nil:
		l.used = true
		g.last.Goal += " " + goal
	case goal != "":
		p.warn(l, "a goal without its year, and no year's goal above it to carry on")
	}
}

// goalCells splits a row of the goals table into the final goal's part,
// the year and the goal. A row whose tabs became spaces is read from its
// place under the header (textColumns); false says it could not be, and
// has been warned of.
func (p *parser) goalCells(g *goalTable, l *line) (final string, year int, goal string, ok bool) {
	cells := l.cells
	if positioned(g.header, l) {
		cols, ok := textColumns(g.header, l)
		if !ok {
			p.warn(l, "the goals row lost its columns (tabs became spaces) and its layout does not say which words are the final goal and which the year's goal; it is left out")
			return "", 0, "", false
		}
		cells = []string{strings.Join(cols[0], " ")}
		rest := slices.Concat(cols[1:]...) // the year and its goal
		if len(rest) > 0 && yearRe.MatchString(rest[0]) {
			cells = append(cells, rest[0], strings.Join(rest[1:], " "))
		} else {
			cells = append(cells, "", strings.Join(rest, " "))
		}
	}
	for c, cell := range cells {
		if m := yearRe.FindStringSubmatch(cell); m != nil {
			year, _ = strconv.Atoi(m[1])
			return joinCells(cells[:c]), year, joinCells(cells[c+1:]), true
		}
	}
	if len(cells) == 0 {
		return "", 0, "", true
	}
	return cells[0], 0, joinCells(cells[1:]), true
}

// positioned says whether a row of a table must be read from its place
// under the header: the header's tabs became spaces, and the row has no
// tabs but spaces that may stand for them (a run inside, or an indent).
func positioned(header, row *line) bool {
	if header == nil || !header.spaced || strings.Contains(row.asSpaced, "\t") {
		return false
	}
	return row.spaced || indent(row.asSpaced) > 0
}

// joinCells joins the cells that hold text with a space.
func joinCells(cells []string) string {
	var parts []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " ")
}
