package cardtext

import (
	"bytes"
	"html/template"
	"slices"
	"strings"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/money"
)

// htmlCard is what the HTML template reads.
type htmlCard struct {
	Card       *pledgev1.PledgeCard
	Status     string
	Department string
	Related    string
	Contacts   string
	Phones     string
	Marks      []bool
	// Metro and Local head the metropolitan and the local level's
	// columns as the district's cards do (도 and 군, or 시도 and 시군구).
	Metro, Local string
	Years        []int32
	Indicators   []htmlIndicator
	BudgetRows   []htmlBudgetRow
	Contest      string
	Awards       [][3]string
	Unavailable  []string
}

type htmlIndicator struct {
	Title            string
	Targets, Actuals []string
}

type htmlBudgetRow struct {
	Label string
	Total string
	Cells []string
}

var page = template.Must(template.New("card").Funcs(template.FuncMap{
	"items": ItemsText,
}).Parse(`<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>{{.Card.Pledge.Title}} — 공약 이행 카드</title>
{{template "style"}}
</head>
<body>
{{template "body" .}}
</body>
</html>
{{define "style"}}<style>
  body { font-family: "Noto Sans KR", "Malgun Gothic", sans-serif; margin: 2em auto; max-width: 60em; color: #111; }
  h1 { font-size: 1.4em; border: 2px solid #333; padding: .5em; text-align: center; }
  h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 2px solid #333; }
  h3 { font-size: 1em; margin: 1em 0 .3em; }
  table { border-collapse: collapse; width: 100%; margin: .5em 0; page-break-inside: avoid; }
  th, td { border: 1px solid #555; padding: .3em .5em; vertical-align: top; }
  th { background: #eee; font-weight: 600; }
  td.mark { text-align: center; }
  td.num { text-align: right; }
  ul { margin: .2em 0; padding-left: 1.4em; }
  .unavailable { border: 1px solid #a00; color: #a00; padding: .5em; }
  @media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
</style>{{end}}
{{define "body"}}<h1>{{.Card.Pledge.Title}}</h1>
{{range .Unavailable}}<p class="unavailable">{{.}}</p>{{end}}
<table>
<tr><th rowspan="2">유형별 공약현황</th><th colspan="2">사업유형</th><th colspan="3">사업주체</th><th colspan="2">완료시기</th></tr>
<tr><th>신규사업</th><th>계속사업</th><th>국가</th><th>{{.Metro}}</th><th>{{.Local}}</th><th>임기내</th><th>임기후</th></tr>
<tr><td></td>{{range .Marks}}<td class="mark">{{if .}}○{{end}}</td>{{end}}</tr>
</table>
<table>
<tr><th>담당부서</th><td>{{.Department}}</td><th>관련부서</th><td>{{.Related}}</td></tr>
<tr><th>담당자</th><td>{{.Contacts}}</td><th>연락처</th><td>{{.Phones}}</td></tr>
<tr><th>소요예산</th><td>{{with .Card.Pledge.RequiredBudget}}{{.Label}}{{end}}</td><th>추진상황</th><td>{{.Status}}</td></tr>
</table>

<h2>I 추진개요</h2>
{{with .Card.Pledge.Background}}<h3>○ 추진배경</h3><ul>{{range .}}<li>{{if .Label}}({{.Label}}) {{end}}{{.Text}}</li>{{end}}</ul>{{end}}
{{with .Card.Pledge.Overview}}<h3>○ 추진개요</h3>
<ul>
{{with .Period}}<li>기간 : {{.Label}}</li>{{end}}
{{with .Methods}}<li>방법<ul>{{range .}}<li>{{.Text}}{{with .Children}}<ul>{{range .}}<li>{{.Text}}</li>{{end}}</ul>{{end}}</li>{{end}}</ul></li>{{end}}
{{with .Contents}}<li>내용<ul>{{range .}}<li>{{.Text}}{{with .Children}}<ul>{{range .}}<li>{{.Text}}</li>{{end}}</ul>{{end}}</li>{{end}}</ul></li>{{end}}
</ul>{{end}}
{{if or .Card.Pledge.FinalGoal .Card.Pledge.YearlyGoals}}<h3>○ 연차별 추진계획</h3>
<table><tr><th>최종목표</th><th colspan="2">연차별 달성 목표</th></tr>
{{$final := .Card.Pledge.FinalGoal}}{{$n := len .Card.Pledge.YearlyGoals}}
{{range $i, $g := .Card.Pledge.YearlyGoals}}<tr>{{if eq $i 0}}<td rowspan="{{$n}}">{{$final}}</td>{{end}}<td>{{$g.Year}}년</td><td>{{$g.Goal}}</td></tr>{{else}}<tr><td>{{$final}}</td><td colspan="2"></td></tr>{{end}}
</table>{{end}}

{{if .Indicators}}<h2>II 성과지표</h2>
<table><tr><th>연도별/주요지표</th><th>구 분</th>{{range .Years}}<th>{{.}}년</th>{{end}}</tr>
{{range .Indicators}}<tr><td rowspan="2">{{.Title}}</td><th>목 표</th>{{range .Targets}}<td>{{.}}</td>{{end}}</tr>
<tr><th>실 적</th>{{range .Actuals}}<td>{{.}}</td>{{end}}</tr>{{end}}
</table>{{end}}

{{if .BudgetRows}}<h2>III 연도별 투자계획</h2>
<table><tr><th>구 분(백만원)</th><th>계</th>{{range .Years}}<th>{{.}}년</th>{{end}}</tr>
{{range .BudgetRows}}<tr><th>{{.Label}}</th><td class="num">{{.Total}}</td>{{range .Cells}}<td class="num">{{.}}</td>{{end}}</tr>{{end}}
</table>{{end}}

{{with .Card.Pledge.ProgressLog}}<h2>IV 그간 추진사항</h2>
<table><tr><th>추진일자</th><th>추진사항</th></tr>
{{range .}}<tr><td>{{with .Date}}{{.Label}}{{end}}</td><td><ul>{{range .Items}}<li>{{.Text}}{{with .Children}}<ul>{{range .}}<li>{{.Text}}</li>{{end}}</ul>{{end}}</li>{{end}}</ul></td></tr>{{end}}
</table>{{end}}

{{with .Card.Pledge.FuturePlans}}<h2>V 향후 추진계획</h2>
<table><tr><th>추진일자</th><th>추진사항</th></tr>
{{range .}}<tr><td>{{with .Date}}{{.Label}}{{end}}</td><td><ul>{{range .Items}}<li>{{.Text}}{{with .Children}}<ul>{{range .}}<li>{{.Text}}</li>{{end}}</ul>{{end}}</li>{{end}}</ul></td></tr>{{end}}
</table>{{end}}

{{with .Card.Pledge.Risks}}<h2>VI 예상 문제점 및 대책</h2>
<table><tr><th>예상 문제점</th><th>대책</th></tr>{{range .}}<tr><td>{{.Problem}}</td><td>{{.Countermeasure}}</td></tr>{{end}}</table>{{end}}

{{if or .Card.Pledge.Photos .Awards}}<h2>VII 관련사진</h2>
{{if .Awards}}<h3>{{.Contest}} 결과발표</h3>
<table><tr><th>상</th><th>아이디어</th><th>제안자</th></tr>{{range .Awards}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td><td>{{index . 2}}</td></tr>{{end}}</table>{{end}}
<ul>{{range .Card.Pledge.Photos}}<li>{{if .Uri}}<img src="{{.Uri}}" alt="{{.Caption}}" style="max-width: 20em"><br>{{end}}{{.Caption}}{{with .Text}}<pre>{{.}}</pre>{{end}}</li>{{end}}</ul>{{end}}
{{end}}`))

// HTML writes the page as a printable HTML page laid out like the card,
// its tables as tables, the status's date with it. Unavailable sections
// say so.
func (pg Page) HTML() ([]byte, error) {
	var buf bytes.Buffer
	err := page.Execute(&buf, pg.htmlCard())
	return buf.Bytes(), err
}

// htmlCard prepares the page's card for the template, its status dated.
func (pg Page) htmlCard() htmlCard {
	d := htmlCardOf(pg.Card)
	d.Status = statusText(pg.Card.GetPledge().GetStatus(), pg.StatusDate)
	return d
}

// htmlCardOf prepares a card for the template.
func htmlCardOf(card *pledgev1.PledgeCard) htmlCard {
	pl := card.GetPledge()
	d := htmlCard{Card: card, Status: StatusLabels[pl.GetStatus()], Years: Years(card)}
	d.Department = strings.TrimSpace(card.GetDepartmentNames()[pl.GetOwningDepartment()] + " " + pl.GetOwningTeam())
	d.Related = "전 부서"
	if !pl.GetAllDepartmentsRelated() {
		var names []string
		for _, r := range pl.GetRelatedDepartments() {
			names = append(names, card.GetDepartmentNames()[r])
		}
		d.Related = strings.Join(names, ", ")
	}
	var people, phones []string
	for _, c := range pl.GetContacts() {
		people = append(people, strings.TrimSpace(c.GetName()+" "+c.GetPosition()))
		if c.GetPhone() != "" && !slices.Contains(phones, c.GetPhone()) {
			phones = append(phones, c.GetPhone())
		}
	}
	d.Contacts, d.Phones = strings.Join(people, " / "), strings.Join(phones, " / ")
	levels := map[pledgev1.ImplementingLevel]bool{}
	for _, l := range pl.GetImplementingLevels() {
		levels[l] = true
	}
	d.Metro, d.Local = levelLabels(card.GetDistrict())
	d.Marks = []bool{
		pl.GetProjectType() == pledgev1.ProjectType_PROJECT_TYPE_NEW, pl.GetProjectType() == pledgev1.ProjectType_PROJECT_TYPE_CONTINUING,
		levels[1], levels[2], levels[3],
		pl.GetCompletionTiming() == pledgev1.CompletionTiming_COMPLETION_TIMING_WITHIN_TERM,
		pl.GetCompletionTiming() == pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM,
	}
	for _, ind := range card.GetIndicators() {
		title, unit := titleAndUnit(ind)
		hi := htmlIndicator{Title: title}
		byYear := map[int32]int{}
		for i, e := range ind.GetEntries() {
			byYear[e.GetYear()] = i + 1
		}
		for _, y := range d.Years {
			t, a := "", ""
			if i := byYear[y]; i > 0 {
				e := ind.GetEntries()[i-1]
				t, a = measureText(e.GetTarget(), unit), measureText(e.GetActual(), unit)
			}
			hi.Targets, hi.Actuals = append(hi.Targets, t), append(hi.Actuals, a)
		}
		d.Indicators = append(d.Indicators, hi)
	}
	d.BudgetRows = budgetRows(card.GetBudget(), card.GetDistrict(), d.Years)
	if prog, res := ContestOf(card); res != nil {
		d.Contest = prog.GetTitle()
		for _, a := range res.GetAwards() {
			d.Awards = append(d.Awards, [3]string{a.GetAward(), a.GetTitle(), a.GetProposer()})
		}
	}
	for name, s := range map[string]*pledgev1.Section{"연도별 투자계획": card.GetBudgetSection(), "성과지표": card.GetIndicatorSection(), "시민참여": card.GetParticipationSection()} {
		if s.GetState() == pledgev1.SectionState_SECTION_STATE_UNAVAILABLE {
			d.Unavailable = append(d.Unavailable, name+": 지금 불러올 수 없습니다 ("+s.GetReason()+")")
		}
	}
	slices.Sort(d.Unavailable)
	return d
}

func budgetRows(plan *budgetv1.Budget, d *pledgev1.District, years []int32) []htmlBudgetRow {
	if len(plan.GetLines()) == 0 {
		return nil
	}
	labels := map[typev1.FundingSource]string{}
	won := map[typev1.FundingSource]map[int32]int64{}
	totals := map[typev1.FundingSource]int64{}
	sums := map[int32]int64{}
	var total int64
	for _, l := range plan.GetLines() {
		if won[l.GetSource()] == nil {
			won[l.GetSource()] = map[int32]int64{}
		}
		labels[l.GetSource()] = l.GetSourceLabel()
		won[l.GetSource()][l.GetYear()] += l.GetPlannedWon()
		totals[l.GetSource()] += l.GetPlannedWon()
		sums[l.GetYear()] += l.GetPlannedWon()
		total += l.GetPlannedWon()
	}
	var rows []htmlBudgetRow
	for _, s := range []typev1.FundingSource{1, 2, 3, 4} {
		label := labels[s]
		if label == "" {
			label = DefaultSourceLabel(s, d)
		}
		r := htmlBudgetRow{Label: label}
		if totals[s] != 0 {
			r.Total = money.FormatMillionWon(totals[s])
		}
		for _, y := range years {
			v, ok := won[s][y]
			if ok {
				r.Cells = append(r.Cells, money.FormatMillionWon(v))
			} else {
				r.Cells = append(r.Cells, "")
			}
		}
		rows = append(rows, r)
	}
	sum := htmlBudgetRow{Label: "합계", Total: money.FormatMillionWon(total)}
	for _, y := range years {
		if v, ok := sums[y]; ok {
			sum.Cells = append(sum.Cells, money.FormatMillionWon(v))
		} else {
			sum.Cells = append(sum.Cells, "")
		}
	}
	return append(rows, sum)
}
