package cardtext

import (
	"strings"

	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// splitStatusDate splits a 추진상황 cell into the status as written and the
// date written after it in parentheses, as cards date a status:
// 완료('20.12.), 완료 (2020. 12.), 완료（'20. 12. 31.）. dated is "" when
// the cell has no parentheses.
func splitStatusDate(cell string) (written, dated string) {
	cell = strings.TrimSpace(cell)
	open := strings.IndexAny(cell, "(（")
	if open < 0 {
		return cell, ""
	}
	dated = cell[open:]
	dated = strings.TrimLeft(dated, "(（")
	dated = strings.TrimRight(strings.TrimSpace(dated), ")）")
	return cell[:open], strings.TrimSpace(dated)
}

// statusDate reads the date a card gives its status. A day or a month is
// taken (a month as its first day); anything else — a year, a quarter, a
// range — is left out with a warning, and the import dates the status the
// day it runs.
func (p *parser) statusDate(l *line, dated string) {
	if dated == "" {
		return
	}
	d, err := pledge.ParseDateLabel(dated)
	switch {
	case err != nil:
		p.warn(l, "the date of 추진상황 %q cannot be read as a date; the status is dated the day of the import", dated)
	case d.Precision != pledge.PrecisionDay && d.Precision != pledge.PrecisionMonth || !d.End.IsZero() || d.OpenEnded || len(d.More) > 0:
		p.warn(l, "the date of 추진상황 %q is not one day or month; the status is dated the day of the import", dated)
	default:
		p.card.StatusDate = d.Date
		if p.card.StatusDate.Day == 0 {
			p.card.StatusDate.Day = 1
		}
	}
}
