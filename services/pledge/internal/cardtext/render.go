package cardtext

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/money"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// StatusLabels are the card's words for each status.
var StatusLabels = map[pledgev1.PledgeStatus]string{
	pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED:            "완료",
	pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING: "이행 후 계속추진",
	pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK:             "정상추진",
	pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL:              "일부추진",
	pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD:              "보류",
	pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED:            "폐기",
}

// DefaultSourceLabel is how a district of kind usually writes a source.
func DefaultSourceLabel(s typev1.FundingSource, d *pledgev1.District) string {
	switch s {
	case typev1.FundingSource_FUNDING_SOURCE_NATIONAL:
		return "국비"
	case typev1.FundingSource_FUNDING_SOURCE_METROPOLITAN:
		if strings.HasSuffix(d.GetMetropolitanGovernment(), "도") {
			return "도비"
		}
		return "시비"
	case typev1.FundingSource_FUNDING_SOURCE_LOCAL:
		switch d.GetKind() {
		case pledgev1.DistrictKind_DISTRICT_KIND_CITY:
			return "시비"
		case pledgev1.DistrictKind_DISTRICT_KIND_COUNTY:
			return "군비"
		}
		return "구비"
	}
	return "민자/기타"
}

// levelLabels are a district's words for the metropolitan and the local
// implementing levels: a county or city card writes 국가 · 도 · 군 (or 시),
// or 국가 · 시 · 군 in a metropolitan city; other cards 국가 · 시도 · 시군구.
func levelLabels(d *pledgev1.District) (metro, local string) {
	switch d.GetKind() {
	case pledgev1.DistrictKind_DISTRICT_KIND_COUNTY, pledgev1.DistrictKind_DISTRICT_KIND_CITY:
		metro, local = "시", "군"
		if strings.HasSuffix(d.GetMetropolitanGovernment(), "도") {
			metro = "도"
		}
		if d.GetKind() == pledgev1.DistrictKind_DISTRICT_KIND_CITY {
			local = "시"
		}
		if metro == local {
			// A city in a metropolitan city: no card tells 시 from 시.
			return "시도", "시군구"
		}
		return metro, local
	}
	return "시도", "시군구"
}

// ContestOf returns the contest among a card's programs whose results it
// shows: the first with awards.
func ContestOf(card *pledgev1.PledgeCard) (*participationv1.Program, *participationv1.ContestResults) {
	for _, p := range card.GetPrograms() {
		if len(p.GetContestResults().GetAwards()) > 0 {
			return p.GetProgram(), p.GetContestResults()
		}
	}
	return nil, nil
}

// Years are the columns of a card's tables: every year from the first its
// plan or data falls in (the overview's period, yearly goals, budget
// lines, indicator entries) to the last, so a plan that starts after its term's first year has no empty
// column before it. A card with none of these shows the pledge's valid
// years; one spanning 20 years or more, only the years it has data in.
func Years(card *pledgev1.PledgeCard) []int32 {
	set := map[int32]bool{}
	period := card.GetPledge().GetOverview().GetPeriod()
	set[period.GetStartYear()], set[period.GetEndYear()] = true, true
	for _, g := range card.GetPledge().GetYearlyGoals() {
		set[g.GetYear()] = true
	}
	for _, l := range card.GetBudget().GetLines() {
		set[l.GetYear()] = true
	}
	for _, ind := range card.GetIndicators() {
		for _, e := range ind.GetEntries() {
			set[e.GetYear()] = true
		}
	}
	delete(set, 0)
	if len(set) == 0 {
		vy := card.GetPledge().GetValidYears()
		if vy.GetFirstYear() != 0 && vy.GetLastYear() != 0 {
			set[vy.GetFirstYear()], set[vy.GetLastYear()] = true, true
		}
	}
	var out []int32
	for y := range set {
		out = append(out, y)
	}
	slices.Sort(out)
	if n := len(out); n > 1 && out[n-1]-out[0] < 20 {
		first, last := out[0], out[n-1]
		out = out[:0]
		for y := first; y <= last; y++ {
			out = append(out, y)
		}
	}
	return out
}

// Page is a card as the renders write it: the card the services assemble
// and what a card shows that a PledgeCard does not carry.
type Page struct {
	Card *pledgev1.PledgeCard
	// StatusDate is the day the pledge's status took effect (the effective
	// date of its last status change, as Card.StatusDate reads it from a
	// card), written after the status as cards date it: 완료('20. 12.).
	// Zero writes the status alone.
	StatusDate pledge.Date
}

// statusText writes a status as the card's 추진상황 cell does, with the
// day it took effect in parentheses: the month alone when the day is the
// first, as cards that date a status by its month read back (Parse takes
// a month for its first day).
func statusText(s pledgev1.PledgeStatus, d pledge.Date) string {
	label := StatusLabels[s]
	if label == "" || d.IsZero() {
		return label
	}
	year := fmt.Sprintf("'%02d", d.Year%100)
	if d.Year < 2000 || d.Year > 2099 {
		year = strconv.Itoa(d.Year)
	}
	if d.Day <= 1 {
		return fmt.Sprintf("%s(%s. %d.)", label, year, d.Month)
	}
	return fmt.Sprintf("%s(%s. %d. %d.)", label, year, d.Month, d.Day)
}

// Text writes the page as text in the card's own layout, which Parse reads
// back to the same data, the status's date with it.
func (pg Page) Text() string {
	card := pg.Card
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	pl := card.GetPledge()
	w("공약명\n\n%s\n\n", pl.GetTitle())
	if pl.GetCode() != "" {
		w("공약번호\t%s\n\n", pl.GetCode())
	}
	mark := func(on bool) string {
		if on {
			return "○"
		}
		return ""
	}
	levels := map[pledgev1.ImplementingLevel]bool{}
	for _, l := range pl.GetImplementingLevels() {
		levels[l] = true
	}
	w("유형별 공약현황\t사업유형\t\t사업주체\t\t\t완료시기\t\n")
	metro, local := levelLabels(card.GetDistrict())
	w("\t신규사업\t계속사업\t국가\t%s\t%s\t임기내\t임기후\n", metro, local)
	w("\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n\n",
		mark(pl.GetProjectType() == pledgev1.ProjectType_PROJECT_TYPE_NEW), mark(pl.GetProjectType() == pledgev1.ProjectType_PROJECT_TYPE_CONTINUING),
		mark(levels[pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_NATIONAL]), mark(levels[pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_METROPOLITAN]),
		mark(levels[pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_LOCAL]),
		mark(pl.GetCompletionTiming() == pledgev1.CompletionTiming_COMPLETION_TIMING_WITHIN_TERM),
		mark(pl.GetCompletionTiming() == pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM))

	dept := strings.TrimSpace(card.GetDepartmentNames()[pl.GetOwningDepartment()] + " " + pl.GetOwningTeam())
	related := "전 부서"
	if !pl.GetAllDepartmentsRelated() {
		var names []string
		for _, r := range pl.GetRelatedDepartments() {
			names = append(names, card.GetDepartmentNames()[r])
		}
		related = strings.Join(names, ", ")
	}
	w("담당부서\t%s\t관련부서\t%s\n", dept, related)
	var people, phones []string
	for _, c := range pl.GetContacts() {
		people = append(people, strings.TrimSpace(c.GetName()+" "+c.GetPosition()))
		if c.GetPhone() != "" && !slices.Contains(phones, c.GetPhone()) {
			phones = append(phones, c.GetPhone())
		}
	}
	if len(phones) > 1 && len(phones) != len(people) {
		phones = phones[:1]
	}
	w("담당자\t%s\t연락처\t%s\n", strings.Join(people, " / "), strings.Join(phones, " / "))
	w("소요예산\t%s\t추진상황\t%s\n\n", pl.GetRequiredBudget().GetLabel(), statusText(pl.GetStatus(), pg.StatusDate))

	renderOverview(&b, pl)
	years := Years(card)
	renderIndicators(&b, card.GetIndicators(), years)
	renderBudget(&b, card.GetBudget(), card.GetDistrict(), years)
	renderLog(&b, "IV", "그간 추진사항", pl.GetProgressLog())
	renderLog(&b, "V", "향후 추진계획", pl.GetFuturePlans())
	renderRisks(&b, pl.GetRisks())
	renderPhotos(&b, pl, card)
	return b.String()
}

func renderOverview(b *strings.Builder, pl *pledgev1.Pledge) {
	b.WriteString("I 추진개요\n\n")
	if len(pl.GetBackground()) > 0 {
		b.WriteString("○ 추진배경\n\n")
		for _, p := range pl.GetBackground() {
			if p.GetLabel() != "" {
				fmt.Fprintf(b, "- (%s) %s\n", p.GetLabel(), p.GetText())
			} else {
				fmt.Fprintf(b, "- %s\n", p.GetText())
			}
		}
		b.WriteString("\n")
	}
	o := pl.GetOverview()
	if o != nil {
		b.WriteString("○ 추진개요\n\n")
		if o.GetPeriod().GetLabel() != "" {
			fmt.Fprintf(b, "- 기간 : %s\n", o.GetPeriod().GetLabel())
		}
		bullets := func(key string, list []*pledgev1.Bullet) {
			if len(list) == 0 {
				return
			}
			fmt.Fprintf(b, "- %s : %s\n", key, list[0].GetText())
			for i, item := range list {
				if i > 0 {
					fmt.Fprintf(b, "- %s\n", item.GetText())
				}
				for _, c := range item.GetChildren() {
					fmt.Fprintf(b, " - %s\n", c.GetText())
				}
			}
		}
		bullets("방법", o.GetMethods())
		bullets("내용", o.GetContents())
		b.WriteString("\n")
	}
	if pl.GetFinalGoal() != "" || len(pl.GetYearlyGoals()) > 0 {
		b.WriteString("○ 연차별 추진계획\n\n최종목표\t연차별 달성 목표\t\n")
		if len(pl.GetYearlyGoals()) == 0 {
			fmt.Fprintf(b, "%s\n", pl.GetFinalGoal())
		}
		for i, g := range pl.GetYearlyGoals() {
			first := ""
			if i == 0 {
				first = pl.GetFinalGoal()
			}
			fmt.Fprintf(b, "%s\t%d년\t%s\n", first, g.GetYear(), g.GetGoal())
		}
		b.WriteString("\n")
	}
}

// measureText writes a target or actual as a card does: a number with its
// thousands separated (1,000, 82.5) and unit, or the text.
func measureText(m *indicatorv1.Measure, unit string) string {
	switch v := m.GetValue().(type) {
	case *indicatorv1.Measure_Number:
		whole, frac, dotted := strings.Cut(v.Number, ".")
		if dotted {
			frac = "." + frac
		}
		if n, err := strconv.ParseInt(whole, 10, 64); err == nil {
			whole = money.FormatWon(n)
		}
		return whole + frac + unit
	case *indicatorv1.Measure_Text:
		return v.Text
	}
	return ""
}

// unitInTitle says whether the card wrote an indicator's unit once, in
// parentheses closing its title, rather than after each value: so when no
// year's entry says its cells wrote the unit.
func unitInTitle(ind *indicatorv1.Indicator) bool {
	if ind.GetUnit() == "" || ind.GetKind() != indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE {
		return false
	}
	for _, e := range ind.GetEntries() {
		if e.GetUnit() != "" {
			return false
		}
	}
	return true
}

// titleAndUnit are an indicator's title and the unit its cells write, as
// the card wrote them: the unit after each value, or once in parentheses
// closing the title (재이용률(%)) and none in the cells.
func titleAndUnit(ind *indicatorv1.Indicator) (title, cellUnit string) {
	if unitInTitle(ind) {
		return ind.GetTitle() + "(" + ind.GetUnit() + ")", ""
	}
	return ind.GetTitle(), ind.GetUnit()
}

func renderIndicators(b *strings.Builder, inds []*indicatorv1.Indicator, years []int32) {
	if len(inds) == 0 {
		return
	}
	b.WriteString("II\n\n성과지표\n\n연도별/주요지표\t구 분")
	for _, y := range years {
		fmt.Fprintf(b, "\t%d년", y)
	}
	b.WriteString("\n")
	for _, ind := range inds {
		byYear := map[int32]*indicatorv1.YearEntry{}
		for _, e := range ind.GetEntries() {
			byYear[e.GetYear()] = e
		}
		title, unit := titleAndUnit(ind)
		b.WriteString(title + "\t목 표")
		for _, y := range years {
			b.WriteString("\t" + measureText(byYear[y].GetTarget(), unit))
		}
		b.WriteString("\n\t실 적")
		for _, y := range years {
			b.WriteString("\t" + measureText(byYear[y].GetActual(), unit))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func renderBudget(b *strings.Builder, plan *budgetv1.Budget, d *pledgev1.District, years []int32) {
	if len(plan.GetLines()) == 0 {
		return
	}
	b.WriteString("III\n\n연도별 투자계획\n\n구 분(백만원)\t계")
	for _, y := range years {
		fmt.Fprintf(b, "\t%d년", y)
	}
	b.WriteString("\n")
	type row struct {
		label string
		won   map[int32]int64
		total int64
	}
	var rows []*row
	bySource := map[typev1.FundingSource]*row{}
	for _, s := range []typev1.FundingSource{1, 2, 3, 4} {
		r := &row{label: DefaultSourceLabel(s, d), won: map[int32]int64{}}
		bySource[s] = r
		rows = append(rows, r)
	}
	sums := map[int32]int64{}
	var total int64
	for _, l := range plan.GetLines() {
		r := bySource[l.GetSource()]
		if r == nil {
			continue
		}
		if l.GetSourceLabel() != "" {
			r.label = l.GetSourceLabel()
		}
		r.won[l.GetYear()] += l.GetPlannedWon()
		r.total += l.GetPlannedWon()
		sums[l.GetYear()] += l.GetPlannedWon()
		total += l.GetPlannedWon()
	}
	cell := func(won int64, present bool) string {
		if !present {
			return ""
		}
		return money.FormatMillionWon(won)
	}
	for _, r := range rows {
		b.WriteString(r.label + "\t" + cell(r.total, r.total != 0))
		for _, y := range years {
			v, ok := r.won[y]
			b.WriteString("\t" + cell(v, ok))
		}
		b.WriteString("\n")
	}
	b.WriteString("합계\t" + money.FormatMillionWon(total))
	for _, y := range years {
		v, ok := sums[y]
		b.WriteString("\t" + cell(v, ok))
	}
	b.WriteString("\n\n")
}

// ItemsText writes a log row's items as the card does: ○ items, - sub-items.
func ItemsText(items []*pledgev1.Bullet) string {
	var parts []string
	for _, it := range items {
		s := "○ " + it.GetText()
		for _, c := range it.GetChildren() {
			s += " - " + c.GetText()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func renderLog(b *strings.Builder, marker, title string, log []*pledgev1.DatedEntry) {
	if len(log) == 0 {
		return
	}
	fmt.Fprintf(b, "%s\n\n%s\n\n추진일자\t추진사항\n", marker, title)
	for _, e := range log {
		fmt.Fprintf(b, "%s\t%s\n", e.GetDate().GetLabel(), ItemsText(e.GetItems()))
	}
	b.WriteString("\n")
}

func renderRisks(b *strings.Builder, risks []*pledgev1.Risk) {
	if len(risks) == 0 {
		return
	}
	b.WriteString("VI\n\n예상 문제점 및 대책\n\n")
	labelled := false
	for _, r := range risks {
		if r.GetProblem() == "" || r.GetCountermeasure() == "" {
			labelled = true
		}
	}
	for _, r := range risks {
		if labelled {
			if r.GetProblem() != "" {
				fmt.Fprintf(b, "- 문제점 : %s\n", r.GetProblem())
			}
			if r.GetCountermeasure() != "" {
				fmt.Fprintf(b, "- 대책 : %s\n", r.GetCountermeasure())
			}
			continue
		}
		fmt.Fprintf(b, "- %s\n- %s\n", r.GetProblem(), r.GetCountermeasure())
	}
	b.WriteString("\n")
}

func renderPhotos(b *strings.Builder, pl *pledgev1.Pledge, card *pledgev1.PledgeCard) {
	_, results := ContestOf(card)
	if len(pl.GetPhotos()) == 0 && results == nil {
		return
	}
	b.WriteString("VII\n\n관련사진\n\n")
	for _, ph := range pl.GetPhotos() {
		if ph.GetText() != "" {
			b.WriteString(ph.GetText() + "\n\n")
		}
	}
	if results != nil {
		prog, _ := ContestOf(card)
		fmt.Fprintf(b, "%s 결과발표\n\n", prog.GetTitle())
		last := ""
		for _, a := range results.GetAwards() {
			if a.GetAward() == last {
				fmt.Fprintf(b, " %s (%s)\n", a.GetTitle(), a.GetProposer())
				continue
			}
			last = a.GetAward()
			fmt.Fprintf(b, "- %s** %s (%s)\n", a.GetAward(), a.GetTitle(), a.GetProposer())
		}
		b.WriteString("\n")
	}
	for _, ph := range pl.GetPhotos() {
		if ph.GetCaption() != "" {
			b.WriteString(ph.GetCaption() + "\n\n\n\n")
		}
	}
}
