package cardtext

import (
	"regexp"
	"strconv"
	"strings"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/money"
)

var (
	amountRe = regexp.MustCompile(`^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(백만원|천원|억원|만원|원)?\s*(?:\((.*)\))?$`)
	shareRe  = regexp.MustCompile(`([가-힣A-Za-z/]+)\s*([0-9]{1,3})`)
	yearRe   = regexp.MustCompile(`^((?:19|20|21)[0-9]{2})\s*년?$`)
)

// sourceOf maps a funding source as a card writes it to its kind: 국비;
// 시비 or 도비 for the metropolitan government — but 시비 is a city's own
// money; 구비 and 군비 the district's; 민자/기타.
func sourceOf(label string, kind pledgev1.DistrictKind) typev1.FundingSource {
	c := strings.TrimSuffix(compact(label), "비")
	switch c {
	case "국", "국가":
		return typev1.FundingSource_FUNDING_SOURCE_NATIONAL
	case "시":
		if kind == pledgev1.DistrictKind_DISTRICT_KIND_CITY {
			return typev1.FundingSource_FUNDING_SOURCE_LOCAL
		}
		return typev1.FundingSource_FUNDING_SOURCE_METROPOLITAN
	case "도", "시도", "광역", "특별시", "광역시":
		return typev1.FundingSource_FUNDING_SOURCE_METROPOLITAN
	case "구", "군", "자치구", "시군구":
		return typev1.FundingSource_FUNDING_SOURCE_LOCAL
	case "민자", "기타", "민간", "민자/기타", "민자기타":
		return typev1.FundingSource_FUNDING_SOURCE_PRIVATE_OTHER
	}
	return typev1.FundingSource_FUNDING_SOURCE_UNSPECIFIED
}

// requiredBudget reads 소요예산 such as 8.5백만원(구 100); the second result
// says what could not be read.
func (p *parser) requiredBudget(value string) (*pledgev1.RequiredBudget, string) {
	rb := &pledgev1.RequiredBudget{Label: value}
	m := amountRe.FindStringSubmatch(strings.TrimSpace(value))
	if m == nil {
		if value == "" || value == "-" {
			return nil, ""
		}
		return rb, "the required budget is not an amount such as 8.5백만원(구 100); it is kept as written"
	}
	won, err := amountWon(m[1], m[2])
	if err != nil {
		return rb, "the required budget's amount: " + err.Error()
	}
	rb.AmountWon = won
	for _, sm := range shareRe.FindAllStringSubmatch(m[3], -1) {
		src := sourceOf(sm[1], p.opts.DistrictKind)
		if src == typev1.FundingSource_FUNDING_SOURCE_UNSPECIFIED {
			return rb, "the required budget names a funding source it does not know: " + sm[1]
		}
		pct, _ := strconv.Atoi(sm[2])
		rb.Shares = append(rb.Shares, &pledgev1.FundingShare{Source: src, Label: sm[1], Percent: int32(pct)})
	}
	return rb, ""
}

// amountWon turns an amount in a card's unit into won, exactly.
func amountWon(number, unit string) (int64, error) {
	switch unit {
	case "", "백만원":
		won, _, err := money.ParseMillionWon(number)
		return won, err
	}
	digits := strings.ReplaceAll(number, ",", "")
	whole, frac, _ := strings.Cut(digits, ".")
	scale := map[string]int64{"억원": 100_000_000, "만원": 10_000, "천원": 1_000, "원": 1}[unit]
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || n > (1<<62)/scale {
		return 0, money.ErrNotAmount
	}
	won := n * scale
	if len(frac) > 6 {
		return 0, money.ErrNotAmount
	}
	if frac != "" {
		f, err := strconv.ParseInt(frac, 10, 64)
		div := int64(1)
		for range frac {
			div *= 10
		}
		if err != nil || (f*scale)%div != 0 {
			return 0, money.ErrNotAmount
		}
		won += f * scale / div
	}
	return won, nil
}

// overview reads section I: 추진배경, 추진개요 (기간, 방법, 내용) and
// 연차별 추진계획 with the final goal.
func (p *parser) overview(lines []*line) {
	pl := p.card.Pledge
	sub := ""
	var last *pledgev1.Bullet // the bullet sub-points attach to
	var target *[]*pledgev1.Bullet
	goals := &goalTable{}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l.blank() {
			continue
		}
		head := compact(strings.TrimLeft(l.text, "○□■◦●-·*"))
		if strings.HasPrefix(l.text, "○") || strings.HasPrefix(l.text, "□") || head == "추진배경" || head == "추진개요" || head == "연차별추진계획" {
			switch {
			case strings.HasPrefix(head, "추진배경"):
				sub = "background"
			case strings.HasPrefix(head, "추진개요"):
				sub = "overview"
			case strings.HasPrefix(head, "연차별"):
				sub = "goals"
			default:
				p.warn(l, "a heading section I does not know")
				continue
			}
			l.used = true
			continue
		}
		switch sub {
		case "background":
			text, ok := bulletText(l.text)
			if !ok {
				continue
			}
			l.used = true
			bp := &pledgev1.BackgroundPoint{Text: text}
			if strings.HasPrefix(text, "(") {
				if end := strings.Index(text, ")"); end > 0 {
					bp.Label, bp.Text = strings.TrimSpace(text[1:end]), strings.TrimSpace(text[end+1:])
				}
			}
			pl.Background = append(pl.Background, bp)
		case "overview":
			if pl.Overview == nil {
				pl.Overview = &pledgev1.Overview{}
			}
			if indent(l.raw) > 0 && last != nil || indent(l.raw) > 0 && target != nil {
				text, ok := bulletText(l.text)
				if !ok {
					continue
				}
				l.used = true
				child := &pledgev1.Bullet{Text: text}
				if last != nil {
					last.Children = append(last.Children, child)
				} else {
					*target = append(*target, child)
				}
				continue
			}
			text, ok := bulletText(l.text)
			if !ok {
				continue
			}
			key, value, hasColon := strings.Cut(text, ":")
			switch compact(key) {
			case "기간":
				l.used = true
				pl.Overview.Period = periodOf(strings.TrimSpace(value))
				last, target = nil, nil
			case "방법":
				l.used = true
				target, last = &pl.Overview.Methods, nil
				if v := strings.TrimSpace(value); hasColon && v != "" {
					last = &pledgev1.Bullet{Text: v}
					pl.Overview.Methods = append(pl.Overview.Methods, last)
				}
			case "내용":
				l.used = true
				target, last = &pl.Overview.Contents, nil
				if v := strings.TrimSpace(value); hasColon && v != "" {
					last = &pledgev1.Bullet{Text: v}
					pl.Overview.Contents = append(pl.Overview.Contents, last)
				}
			default:
				if target != nil {
					l.used = true
					last = &pledgev1.Bullet{Text: text}
					*target = append(*target, last)
				}
			}
		case "goals":
			p.goalRow(goals, l)
		}
	}
}

// periodOf reads 기간 such as 2018. ~ 지속 or 2019. ~ 2022.
func periodOf(label string) *pledgev1.Period {
	out := &pledgev1.Period{Label: label}
	start, end, ranged := strings.Cut(label, "~")
	if y := firstYear(start); y != 0 {
		out.StartYear = int32(y)
	}
	if ranged {
		if y := firstYear(end); y != 0 {
			out.EndYear = int32(y)
		} else {
			out.OpenEnded = true
		}
	}
	return out
}

var fourDigits = regexp.MustCompile(`(19|20|21)[0-9]{2}`)

func firstYear(s string) int {
	if m := fourDigits.FindString(s); m != "" {
		y, _ := strconv.Atoi(m)
		return y
	}
	if i := strings.Index(s, "'"); i >= 0 && i+3 <= len(s) {
		if y, err := strconv.Atoi(s[i+1 : i+3]); err == nil {
			return 2000 + y
		}
	}
	return 0
}

// bulletText strips a list mark (-, ·, ○, *) and reports whether the line
// held one.
func bulletText(s string) (string, bool) {
	t := strings.TrimSpace(s)
	for _, mark := range []string{"-", "·", "○", "*", "•", "ㅇ", "◦", "▪"} {
		if rest, ok := strings.CutPrefix(t, mark); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return t, false
}

func indent(raw string) int { return len(raw) - len(strings.TrimLeft(raw, " \t")) }

// indicators reads section II: a header row of years, then per indicator a
// 목표 row (its name first) and an 실적 row.
func (p *parser) indicators(lines []*line) {
	var years []int
	var header *line
	var cur *indicatorv1.Indicator
	var targets, actuals map[int]string
	finish := func() {
		if cur == nil {
			return
		}
		p.card.Indicators = append(p.card.Indicators, indicatorOf(cur, years, targets, actuals))
		cur = nil
	}
	for _, l := range lines {
		if l.blank() {
			continue
		}
		if ys := yearsOf(l.cells); len(ys) >= 1 && strings.Contains(compact(l.text), "구분") {
			years, header = ys, l
			l.used = true
			continue
		}
		if header != nil && l.spaced && len(l.cells) < len(header.cells) {
			// Tabs became spaces and took the empty cells: the layout
			// says which years the values stand under, or the row is
			// left out.
			cols, cells, ok := realign(header, l)
			if !ok || len(cols) != len(header.cells) {
				p.warn(l, "the row lost its columns (tabs became spaces and empty cells went with them) and the places of its values do not say their years; it is left out")
				continue
			}
			l.cells = cells
		}
		label := ""
		labelAt := -1
		for c, cell := range l.cells {
			switch compact(cell) {
			case "목표", "계획":
				label, labelAt = "target", c
			case "실적":
				label, labelAt = "actual", c
			}
			if labelAt >= 0 {
				break
			}
		}
		if labelAt < 0 || years == nil {
			continue
		}
		l.used = true
		name := strings.TrimSpace(strings.Join(l.cells[:labelAt], " "))
		if label == "target" && (name != "" || cur == nil) || label == "actual" && cur == nil {
			finish()
			cur = &indicatorv1.Indicator{Title: name}
			targets, actuals = map[int]string{}, map[int]string{}
			if name == "" {
				p.warn(l, "an indicator row without the indicator's name")
			}
		}
		values := l.cells[labelAt+1:]
		for i, y := range years {
			if i < len(values) {
				v := cellValue(values[i])
				if label == "target" {
					targets[y] = v
				} else {
					actuals[y] = v
				}
			}
		}
	}
	finish()
}

func yearsOf(cells []string) []int {
	var out []int
	for _, c := range cells {
		if m := yearRe.FindStringSubmatch(c); m != nil {
			y, _ := strconv.Atoi(m[1])
			out = append(out, y)
		}
	}
	return out
}

// cellValue strips the leading bullet of a table cell.
func cellValue(s string) string {
	s = strings.TrimSpace(s)
	for _, mark := range []string{"·", "-", "○", "•"} {
		if rest, ok := strings.CutPrefix(s, mark); ok {
			return strings.TrimSpace(rest)
		}
	}
	return s
}

var quantity = regexp.MustCompile(`^([0-9][0-9,]*(?:\.[0-9]+)?)\s*([^\s0-9.,][^\s0-9]{0,9})?$`)

// indicatorOf makes an indicator from its yearly cells: quantitative when
// every value is a number with one unit (50명, 120건, 85%), else
// qualitative. The unit is written after each value, or once in
// parentheses closing the title; a year whose cells write it keeps it in
// its entry's unit, which is how the render knows where to write it back.
func indicatorOf(ind *indicatorv1.Indicator, years []int, targets, actuals map[int]string) *indicatorv1.Indicator {
	numeric, unit := true, ""
	seen := false
	for _, m := range []map[int]string{targets, actuals} {
		for _, v := range m {
			if v == "" {
				continue
			}
			seen = true
			q := quantity.FindStringSubmatch(v)
			if q == nil || (unit != "" && q[2] != "" && q[2] != unit) {
				numeric = false
				continue
			}
			if q[2] != "" {
				unit = q[2]
			}
		}
	}
	numeric = numeric && seen
	ind.Kind = indicatorv1.IndicatorKind_INDICATOR_KIND_QUALITATIVE
	if numeric {
		// A title's parentheses are its unit when the cells write none
		// or the same; else they are part of the title.
		if m := titleUnit.FindStringSubmatch(ind.GetTitle()); m != nil && isUnit(m[2]) && (unit == "" || unit == m[2]) {
			ind.Title, unit = m[1], m[2]
		}
		ind.Kind, ind.Unit = indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE, unit
	}
	// written says whether a year's cells write the unit.
	written := func(v string) bool {
		q := quantity.FindStringSubmatch(v)
		return q != nil && q[2] != ""
	}
	measure := func(v string) *indicatorv1.Measure {
		switch {
		case v == "":
			return nil
		case numeric:
			n := strings.ReplaceAll(quantity.FindStringSubmatch(v)[1], ",", "")
			return &indicatorv1.Measure{Value: &indicatorv1.Measure_Number{Number: n}}
		}
		return &indicatorv1.Measure{Value: &indicatorv1.Measure_Text{Text: v}}
	}
	for _, y := range years {
		t, a := targets[y], actuals[y]
		if t == "" && a == "" {
			continue
		}
		e := &indicatorv1.YearEntry{Year: int32(y), Target: measure(t), Actual: measure(a)}
		if numeric && (written(t) || written(a)) {
			e.Unit = unit
		}
		ind.Entries = append(ind.Entries, e)
	}
	return ind
}

// budget reads section III: a header of years (계 first), then a row per
// source; 합계 is checked against the sums, not kept.
func (p *parser) budget(lines []*line) {
	var years []int
	var yearAt []int
	var width int
	var header *line
	unit := "백만원"
	var sums = map[int]int64{}
	for _, l := range lines {
		if l.blank() {
			continue
		}
		first := compact(l.cell(0))
		if strings.HasPrefix(first, "구분") || strings.HasPrefix(first, "재원") {
			years, yearAt = nil, nil
			for c, cell := range l.cells {
				if m := yearRe.FindStringSubmatch(cell); m != nil {
					y, _ := strconv.Atoi(m[1])
					years, yearAt = append(years, y), append(yearAt, c)
				}
			}
			width, header = len(l.cells), l
			for _, u := range []string{"백만원", "천원", "억원"} {
				if strings.Contains(first, u) {
					unit = u
				}
			}
			l.used = true
			continue
		}
		if years == nil {
			continue
		}
		if l.spaced && len(l.cells) > 1 && len(l.cells) < width {
			cols, cells, ok := realign(header, l)
			if !ok || len(cols) != width {
				p.warn(l, "the row lost its columns (tabs became spaces and empty cells went with them) and the places of its amounts do not say their years; its amounts are left out")
				continue
			}
			l.cells = cells
		}
		if first == "합계" || first == "총계" || first == "계" {
			l.used = true
			for i, c := range yearAt {
				want, ok, err := parseCell(l.cell(c), unit)
				if err == nil && ok && want != sums[years[i]] {
					p.warn(l, "합계 for %d is %d won but the rows add up to %d won", years[i], want, sums[years[i]])
				}
			}
			continue
		}
		src := sourceOf(first, p.opts.DistrictKind)
		if src == typev1.FundingSource_FUNDING_SOURCE_UNSPECIFIED {
			continue
		}
		l.used = true
		for i, c := range yearAt {
			won, ok, err := parseCell(l.cell(c), unit)
			if err != nil {
				p.warn(l, "the %d amount of %s: %v", years[i], first, err)
				continue
			}
			if !ok {
				continue
			}
			sums[years[i]] += won
			p.card.Budget = append(p.card.Budget, &budgetv1.BudgetLine{Source: src, SourceLabel: first, Year: int32(years[i]), PlannedWon: won})
		}
	}
}

// parseCell reads one amount cell; "-" or blank is none.
func parseCell(s, unit string) (int64, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" || s == "–" {
		return 0, false, nil
	}
	won, err := amountWon(s, unit)
	return won, err == nil, err
}
