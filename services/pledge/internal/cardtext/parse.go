package cardtext

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// Card is what a text card holds, in the shapes of the services that keep
// it.
type Card struct {
	// The pledge's own sections; its department fields are left empty.
	Pledge *pledgev1.Pledge
	// 담당부서: the department's name as written (its team is the
	// pledge's owning_team).
	Department string
	// 관련부서 by name (전 부서 is the pledge's all_departments_related).
	Related []string
	// StatusDate is the day the card says its status took effect, as in
	// 완료('20.12.): the first of the month when it gives a month alone;
	// zero when the card dates no status.
	StatusDate pledge.Date
	// III 연도별 투자계획.
	Budget []*budgetv1.BudgetLine
	// II 성과지표.
	Indicators []*indicatorv1.Indicator
	// The contest results of VII, when the card shows any.
	Contest *Contest
	// Unread are the pledge's fields (by proto name, such as
	// project_type) and the other services' parts (budget, indicators)
	// the card does not carry, or carries in a form that could not be
	// read, each with why. An import keeps their stored values; a part the
	// card carries empty is not here: it clears.
	Unread map[string]string
}

// Contest is a contest whose results a card shows.
type Contest struct {
	Title       string
	Window      *participationv1.Window
	Submissions []*participationv1.Submission
}

// Options say what the card cannot: how its district names funding
// sources.
type Options struct {
	DistrictKind pledgev1.DistrictKind
}

// section names and the words that open them.
var sectionTitles = []struct {
	id     string
	titles []string
}{
	{"I", []string{"추진개요"}},
	{"II", []string{"성과지표"}},
	{"III", []string{"연도별투자계획", "투자계획"}},
	{"IV", []string{"그간추진사항", "추진사항", "추진실적"}},
	{"V", []string{"향후추진계획"}},
	{"VI", []string{"예상문제점및대책", "문제점및대책"}},
	{"VII", []string{"관련사진"}},
}

var marker = regexp.MustCompile(`^(I|II|III|IV|V|VI|VII)\.?(\s+(.*))?$`)

// sectionOf says which section a line opens, and whether the line is
// nothing but that (a marker or a title).
func sectionOf(text string) (string, bool) {
	if m := marker.FindStringSubmatch(text); m != nil {
		if m[3] == "" {
			return m[1], true
		}
		for _, s := range sectionTitles {
			if s.id == m[1] {
				for _, t := range s.titles {
					if compact(m[3]) == t {
						return s.id, true
					}
				}
			}
		}
	}
	c := compact(text)
	for _, s := range sectionTitles {
		for _, t := range s.titles {
			if c == t {
				return s.id, true
			}
		}
	}
	return "", false
}

// parser holds one card's reading.
type parser struct {
	opts     Options
	lines    []*line
	sections map[string][]*line
	// seen are the sections whose marker or title the card has, and
	// headerKeys the header's parts it has (code, types, owner, related,
	// contacts, required, status).
	seen       map[string]bool
	headerKeys map[string]bool
	card       *Card
	warnings   []Warning
}

// unread records that the card does not give field, and why, unless an
// earlier reason was recorded.
func (p *parser) unread(why string, fields ...string) {
	for _, f := range fields {
		if _, ok := p.card.Unread[f]; !ok {
			p.card.Unread[f] = why
		}
	}
}

func (p *parser) warn(l *line, format string, args ...any) {
	text := l.text
	if r := []rune(text); len(r) > 200 {
		text = string(r[:200])
	}
	p.warnings = append(p.warnings, Warning{Line: l.n, Text: text, Message: fmt.Sprintf(format, args...)})
	l.used = true
}

// Parse reads a text card. Lines it cannot place come back as warnings;
// a card it cannot read at all (no title) is an *Error.
func Parse(text string, opts Options) (*Card, []Warning, error) {
	lines, err := normalize(text)
	if err != nil {
		return nil, nil, err
	}
	p := &parser{
		opts:       opts,
		lines:      lines,
		sections:   map[string][]*line{},
		seen:       map[string]bool{},
		headerKeys: map[string]bool{},
		card:       &Card{Pledge: &pledgev1.Pledge{}, Unread: map[string]string{}},
	}
	current := "header"
	for _, l := range lines {
		if id, only := sectionOf(l.text); id != "" && only {
			current = id
			p.seen[id] = true
			l.used = true
			continue
		}
		p.sections[current] = append(p.sections[current], l)
	}
	p.header(p.sections["header"])
	if p.card.Pledge.GetTitle() == "" {
		return nil, nil, &Error{Line: 1, Message: "the card has no title: write 공약명 and the title on the next line"}
	}
	p.overview(p.sections["I"])
	p.indicators(p.sections["II"])
	p.budget(p.sections["III"])
	p.card.Pledge.ProgressLog = p.log(p.sections["IV"])
	p.card.Pledge.FuturePlans = p.log(p.sections["V"])
	p.risks(p.sections["VI"])
	p.photos(p.sections["VII"])
	p.unreadSections()
	for _, l := range lines {
		if !l.used && !l.blank() {
			p.warn(l, "not understood here")
		}
	}
	sortWarnings(p.warnings)
	return p.card, p.warnings, nil
}

func sortWarnings(ws []Warning) {
	slices.SortStableFunc(ws, func(a, b Warning) int { return a.Line - b.Line })
}

// header reads what stands before section I: the title, the type table,
// departments, contacts, the required budget and the status.
func (p *parser) header(lines []*line) {
	pl := p.card.Pledge
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l.blank() {
			continue
		}
		key := compact(l.cell(0))
		switch {
		case key == "공약명" || key == "공약":
			l.used = true
			if v := strings.TrimSpace(strings.Join(l.cells[1:], " ")); v != "" {
				pl.Title = v
				continue
			}
			for j := i + 1; j < len(lines); j++ {
				if !lines[j].blank() {
					pl.Title, lines[j].used, i = lines[j].text, true, j
					break
				}
			}
		case key == "공약번호" || key == "연번" || key == "번호":
			l.used = true
			pl.Code = l.cell(1)
			p.headerKeys["code"] = true
		case strings.HasPrefix(key, "유형별공약현황") || key == "" && strings.Contains(compact(l.text), "신규사업"):
			i = p.typeTable(lines, i)
		default:
			if !p.keyValues(l) {
				continue
			}
		}
	}
}

// typeTable reads the 유형별 공약현황 table from lines[i]: a row naming the
// columns (신규사업, 계속사업, 국가, 시도, 시군구, 임기내, 임기후) and a row
// of ○ marks under them. It returns the last line it read.
func (p *parser) typeTable(lines []*line, i int) int {
	lines[i].used = true
	var names *line
	j := i
	for j < len(lines) && j < i+4 {
		if strings.Contains(compact(lines[j].text), "신규사업") {
			names = lines[j]
			names.used = true
			break
		}
		j++
	}
	if names == nil {
		return i
	}
	j++
	for j < len(lines) && lines[j].blank() {
		j++
	}
	if j >= len(lines) {
		return j
	}
	marks := lines[j]
	if !strings.ContainsAny(marks.text, "○OoV√✓●◯◎") || len(marks.cells) < 2 {
		p.headerKeys["types"] = true // the table, with nothing marked
		return j - 1
	}
	marks.used = true
	cols, cells := names.cells, marks.cells
	if marks.spaced {
		var ok bool
		if cols, cells, ok = realign(names, marks); !ok {
			p.warn(marks, "the type marks lost their columns (tabs became spaces) and their places do not say which types they mark; mark the type again after import")
			p.unread(fmt.Sprintf("the type marks of line %d lost their columns", marks.n), "project_type", "implementing_levels", "completion_timing")
			return j
		}
	}
	p.headerKeys["types"] = true
	pl := p.card.Pledge
	for c, name := range cols {
		if c >= len(cells) || !marked(cells[c]) {
			continue
		}
		switch compact(name) {
		case "신규사업", "신규":
			pl.ProjectType = pledgev1.ProjectType_PROJECT_TYPE_NEW
		case "계속사업", "계속":
			pl.ProjectType = pledgev1.ProjectType_PROJECT_TYPE_CONTINUING
		case "임기내":
			pl.CompletionTiming = pledgev1.CompletionTiming_COMPLETION_TIMING_WITHIN_TERM
		case "임기후":
			pl.CompletionTiming = pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM
		default:
			if level := levelOf(name, names.cells, p.opts.DistrictKind); level != pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_UNSPECIFIED {
				pl.ImplementingLevels = append(pl.ImplementingLevels, level)
				continue
			}
			p.warn(marks, "a mark stands under %q, which is not a type", name)
		}
	}
	return j
}

// levelSeparators join the parts of a level's name: 시·도, 시ㆍ군ㆍ구, 시/도.
var levelSeparators = strings.NewReplacer("·", "", "ㆍ", "", "・", "", "/", "", ",", "")

// levelOf maps an implementing level as a card names it to its level:
// 국가; 시·도 or 도 (광역) for the metropolitan government; 시·군·구, 군 or
// 구 for the district's own. A bare 시 is the metropolitan city on a card
// that also names a 구 column, the city itself on one that names a 도 (국가 ·
// 도 · 시); else the district's kind says.
func levelOf(name string, columns []string, kind pledgev1.DistrictKind) pledgev1.ImplementingLevel {
	switch levelSeparators.Replace(compact(name)) {
	case "국가", "국":
		return pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_NATIONAL
	case "시도", "도", "광역", "광역시", "특별시", "광역시도":
		return pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_METROPOLITAN
	case "시군구", "군", "구", "자치구", "시군", "군구", "기초":
		return pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_LOCAL
	case "시":
		for _, c := range columns {
			switch levelSeparators.Replace(compact(c)) {
			case "도":
				return pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_LOCAL
			case "구", "자치구":
				return pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_METROPOLITAN
			}
		}
		if kind == pledgev1.DistrictKind_DISTRICT_KIND_CITY {
			return pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_LOCAL
		}
		return pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_METROPOLITAN
	}
	return pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_UNSPECIFIED
}

func marked(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && strings.ContainsAny(s, "○OoV√✓●◯◎")
}

// keyValues reads a row of key and value cells: 담당부서, 관련부서, 담당자,
// 연락처, 소요예산, 추진상황. It reports whether it knew a key.
func (p *parser) keyValues(l *line) bool {
	known := false
	var phone string
	var contacts string
	for c := 0; c+1 < len(l.cells); c += 2 {
		key, value := compact(l.cells[c]), strings.TrimSpace(l.cells[c+1])
		switch key {
		case "담당부서", "주관부서":
			p.card.Department, p.card.Pledge.OwningTeam = splitTeam(value)
			p.headerKeys["owner"] = true
		case "관련부서", "협조부서":
			p.headerKeys["related"] = true
			if compact(value) == "전부서" {
				p.card.Pledge.AllDepartmentsRelated = true
			} else {
				for _, d := range splitList(value) {
					p.card.Related = append(p.card.Related, d)
				}
			}
		case "담당자":
			contacts = value
			p.headerKeys["contacts"] = true
		case "연락처", "전화번호":
			phone = value
			p.headerKeys["contacts"] = true
		case "소요예산", "총사업비":
			rb, bad := p.requiredBudget(value)
			p.card.Pledge.RequiredBudget = rb
			p.headerKeys["required"] = true
			if bad != "" {
				p.warn(l, "%s", bad)
				p.unread(fmt.Sprintf("the 소요예산 of line %d could not be read", l.n), "required_budget")
			}
		case "추진상황", "이행상황":
			written, dated := splitStatusDate(value)
			if st, ok := statuses[compact(written)]; ok {
				p.card.Pledge.Status = st
				p.headerKeys["status"] = true
				p.statusDate(l, dated)
			} else if value != "" {
				p.warn(l, "%q is not a status (완료, 이행 후 계속추진, 정상추진, 일부추진, 보류, 폐기)", value)
				p.unread(fmt.Sprintf("the 추진상황 of line %d is not a status", l.n), "status")
			}
		default:
			continue
		}
		known = true
	}
	if known {
		l.used = true
	}
	if contacts != "" || phone != "" {
		cs, matched := contactsOf(contacts, phone)
		if !matched {
			p.warn(l, "%d contacts and %d phones: every contact got the first phone", len(cs), len(splitList(phone)))
		}
		p.card.Pledge.Contacts = append(p.card.Pledge.Contacts, cs...)
	}
	return known
}

var statuses = map[string]pledgev1.PledgeStatus{
	"완료":      pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED,
	"이행후계속추진": pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING,
	"완료후계속추진": pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING,
	"정상추진":    pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK,
	"추진중":     pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK,
	"일부추진":    pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL,
	"보류":      pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD,
	"폐기":      pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED,
	"폐지":      pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED,
}

// splitTeam splits 법무지원과 법무규제혁신팀 into the department and its team.
func splitTeam(s string) (department, team string) {
	fields := strings.Fields(s)
	if len(fields) >= 2 && (strings.HasSuffix(fields[len(fields)-1], "팀") || strings.HasSuffix(fields[len(fields)-1], "계")) {
		return strings.Join(fields[:len(fields)-1], " "), fields[len(fields)-1]
	}
	return strings.TrimSpace(s), ""
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '/' || r == '·' || r == '、' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

var positions = []string{"팀장", "주무관", "주사", "주사보", "서기", "과장", "계장", "실장", "국장", "담당", "주임", "사무관", "단장", "소장", "센터장"}

// contactsOf reads 윤송미 팀장 / 윤다슬 주무관 with the phone, or phones,
// that serve them: one phone serves all, or one phone each. It reports
// whether the phones matched the contacts so.
func contactsOf(names, phones string) ([]*pledgev1.Contact, bool) {
	people := splitList(names)
	ph := splitList(phones)
	if len(people) == 0 {
		return []*pledgev1.Contact{{Phone: strings.TrimSpace(phones)}}, len(ph) <= 1
	}
	var out []*pledgev1.Contact
	for i, person := range people {
		c := &pledgev1.Contact{}
		fields := strings.Fields(person)
		if n := len(fields); n >= 2 {
			last := fields[n-1]
			for _, pos := range positions {
				if last == pos {
					c.Name, c.Position = strings.Join(fields[:n-1], " "), last
					break
				}
			}
		}
		if c.Name == "" {
			c.Name = person
		}
		switch {
		case len(ph) == len(people):
			c.Phone = ph[i]
		case len(ph) > 0:
			c.Phone = ph[0]
		}
		out = append(out, c)
	}
	return out, len(ph) <= 1 || len(ph) == len(people)
}

// headerFields are the header's fields by the words that carry them; a
// card without the words does not carry the fields.
var headerFields = []struct {
	key, why string
	fields   []string
}{
	{"code", "the card has no 공약번호", []string{"code"}},
	{"owner", "the card names no 담당부서", []string{"owning_department", "owning_team"}},
	{"related", "the card names no 관련부서", []string{"related_departments", "all_departments_related"}},
	{"contacts", "the card names no 담당자 or 연락처", []string{"contacts"}},
	{"required", "the card has no 소요예산", []string{"required_budget"}},
	{"types", "the card has no 유형별 공약현황 table", []string{"project_type", "implementing_levels", "completion_timing"}},
	{"status", "the card has no 추진상황", []string{"status"}},
}

// unreadSections records what the card does not carry: header fields whose
// words are missing, and whole sections it lacks. A section that is there
// but empty is carried (empty).
func (p *parser) unreadSections() {
	for _, h := range headerFields {
		if !p.headerKeys[h.key] {
			p.unread(h.why, h.fields...)
		}
	}
	for _, s := range []struct {
		id     string
		fields []string
	}{
		{"I", []string{"background", "overview", "final_goal", "yearly_goals"}},
		{"II", []string{"indicators"}},
		{"III", []string{"budget"}},
		{"IV", []string{"progress_log"}},
		{"V", []string{"future_plans"}},
		{"VI", []string{"risks"}},
		{"VII", []string{"photos"}},
	} {
		if !p.seen[s.id] {
			p.unread("the card has no section "+s.id, s.fields...)
		}
	}
}
