// Package reportfile writes an implementation report as the files
// officials open: a zip of CSV files, one per section, and an XLSX
// workbook, one sheet per section. Both are laid out once, here, as tables
// of typed cells, so that they hold the same figures as the JSON report.
package reportfile

import (
	"slices"
	"strconv"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/services/pledge/internal/cardtext"
	"google.golang.org/genproto/googleapis/type/date"
)

// kind is what a column holds, which says how each format writes it.
type kind int

const (
	// text is written as it is.
	text kind = iota
	// count is a whole number of things.
	count
	// won is an amount of money in won: whole won in CSV, shown in 백만원
	// by a number format in XLSX.
	won
	// rate is a percent as the JSON writes it ("12.50", or empty when
	// there is none).
	rate
	// day is a date.
	day
)

// column is a table's column: its Korean header and its kind.
type column struct {
	header string
	kind   kind
}

// cell is one value: text for text and rate, n for count and won, t for
// day.
type cell struct {
	text string
	n    int64
	t    time.Time
}

// table is one section of the report: a CSV file of the zip, a sheet of
// the workbook.
type table struct {
	file, sheet string
	columns     []column
	rows        [][]cell
}

func txt(s string) cell { return cell{text: s} }
func num(n int64) cell  { return cell{n: n} }
func pct(s string) cell { return cell{text: s} }
func n32(n int32) cell  { return cell{n: int64(n)} }
func dateCell(d *date.Date) cell {
	if d == nil {
		return cell{}
	}
	return cell{t: time.Date(int(d.GetYear()), time.Month(d.GetMonth()), int(d.GetDay()), 0, 0, 0, 0, time.UTC)}
}

// Status names each status as cards write it; no status is 미지정.
func Status(s pledgev1.PledgeStatus) string {
	if l, ok := cardtext.StatusLabels[s]; ok {
		return l
	}
	return "미지정"
}

// Source names a funding source in words every kind of district reads.
func Source(s typev1.FundingSource) string {
	switch s {
	case typev1.FundingSource_FUNDING_SOURCE_NATIONAL:
		return "국비"
	case typev1.FundingSource_FUNDING_SOURCE_METROPOLITAN:
		return "시·도비"
	case typev1.FundingSource_FUNDING_SOURCE_LOCAL:
		return "시·군·구비"
	case typev1.FundingSource_FUNDING_SOURCE_PRIVATE_OTHER:
		return "민자/기타"
	}
	return "재원 미지정"
}

// totalLabel names the row of every district together.
const totalLabel = "합계"

// tables lays out a report's sections.
func tables(r *pledgev1.ImplementationReport) []table {
	rows := slices.Concat(r.GetDistricts(), []*pledgev1.DistrictImplementation{r.GetTotal()})
	name := func(d *pledgev1.DistrictImplementation) []cell {
		if d == r.GetTotal() {
			return []cell{txt(""), txt(totalLabel)}
		}
		return []cell{txt(d.GetDistrict()), txt(d.GetDisplayName())}
	}
	who := []column{{"지자체 식별자", text}, {"지자체명", text}}

	overview := table{file: "overview.csv", sheet: "개요", columns: []column{{"항목", text}, {"내용", text}}}
	term := "지자체별 현재 기"
	if r.GetTerm() != 0 {
		term = "민선 " + strconv.Itoa(int(r.GetTerm())) + "기"
	}
	overview.rows = [][]cell{
		{txt("보고서"), txt(r.GetName())},
		{txt("기수"), txt(term)},
		{txt("기간 시작일"), txt(isoDate(r.GetStartDate()))},
		{txt("기준일"), txt(isoDate(r.GetAsOfDate()))},
		{txt("작성 시각"), txt(r.GetComputeTime().AsTime().In(kst).Format("2006-01-02 15:04:05 KST"))},
		{txt("완료율 산식"), txt(r.GetCompletionRateFormula())},
		{txt("임기내 완료율 산식"), txt(r.GetCompletionRateWithinTermFormula())},
	}
	for _, n := range r.GetNotes() {
		overview.rows = append(overview.rows, []cell{txt("비고"), txt(n)})
	}

	statusColumns := func(prefix string) []column {
		return []column{{prefix + "공약 수", count}, {prefix + "완료", count}, {prefix + "이행 후 계속추진", count}, {prefix + "정상추진", count},
			{prefix + "일부추진", count}, {prefix + "보류", count}, {prefix + "폐기", count}, {prefix + "미지정", count}, {prefix + "완료율", rate}}
	}
	statusCells := func(n int32, c *pledgev1.StatusCounts, rate string) []cell {
		return []cell{n32(n), n32(c.GetCompleted()), n32(c.GetCompletedContinuing()), n32(c.GetOnTrack()), n32(c.GetPartial()),
			n32(c.GetOnHold()), n32(c.GetAbandoned()), n32(c.GetUnspecified()), pct(rate)}
	}
	districts := table{file: "districts.csv", sheet: "추진현황",
		columns: slices.Concat(who, []column{{"광역자치단체", text}}, statusColumns(""), statusColumns("임기내 "), []column{{"기간 중 상태 변경 공약 수", count}})}
	for _, d := range rows {
		districts.rows = append(districts.rows, slices.Concat(name(d), []cell{txt(d.GetMetropolitanGovernment())},
			statusCells(d.GetPledgeCount(), d.GetStatuses(), d.GetCompletionRate()),
			statusCells(d.GetPledgeCountWithinTerm(), d.GetStatusesWithinTerm(), d.GetCompletionRateWithinTerm()),
			[]cell{n32(d.GetStatusChanges())}))
	}

	money := table{file: "money.csv", sheet: "재원별 예산", columns: slices.Concat(who, []column{{"재원", text}, {"공약 수", count},
		{"계획액", won}, {"확보액", won}, {"집행액", won}, {"확보율", rate}, {"집행률", rate}})}
	moneyRow := func(d *pledgev1.DistrictImplementation, source string, m *budgetv1.BudgetSummary) []cell {
		a := m.GetAmounts()
		return slices.Concat(name(d), []cell{txt(source), n32(m.GetPledgeCount()), num(a.GetPlannedWon()), num(a.GetSecuredWon()), num(a.GetExecutedWon()),
			pct(a.GetSecuringRate()), pct(a.GetExecutionRate())})
	}
	for _, d := range rows {
		for _, m := range d.GetMoney() {
			money.rows = append(money.rows, moneyRow(d, Source(m.GetSource()), m))
		}
		money.rows = append(money.rows, moneyRow(d, "계", d.GetMoneyTotal()))
	}

	indicators := table{file: "indicators.csv", sheet: "성과지표", columns: slices.Concat(who, []column{{"실적 있음", count}, {"자료 없음", count},
		{"목표연도 전", count}, {"평균 달성률", rate}, {"실적 미입력 지표", count}})}
	for _, d := range rows {
		i := d.GetIndicators()
		indicators.rows = append(indicators.rows, slices.Concat(name(d), []cell{n32(i.GetMeasuredEntries()), n32(i.GetNoDataEntries()),
			n32(i.GetNotYetDueEntries()), pct(i.GetMeanAchievement()), n32(i.GetOverdueIndicators())}))
	}

	participation := table{file: "participation.csv", sheet: "주민참여", columns: slices.Concat(who, []column{{"프로그램 수", count},
		{"참여 인원(신고)", count}, {"신청(신고)", count}, {"선정(신고)", count}, {"선정률(신고)", rate},
		{"위원·회원", count}, {"제안·신청", count}, {"선정", count}, {"선정률", rate}, {"투표", count}, {"설문 응답", count}})}
	for _, d := range rows {
		p := d.GetParticipation()
		participation.rows = append(participation.rows, slices.Concat(name(d), []cell{n32(p.GetPrograms()),
			n32(p.GetDeclaredParticipants()), n32(p.GetDeclaredApplications()), n32(p.GetDeclaredSelected()), pct(p.GetDeclaredSelectionRate()),
			n32(p.GetMembers()), n32(p.GetSubmissions()), n32(p.GetSelected()), pct(p.GetSelectionRate()), n32(p.GetBallots()), n32(p.GetResponses())}))
	}

	changes := table{file: "status_changes.csv", sheet: "상태 변경", columns: []column{{"효력일", day}, {"공약 식별자", text},
		{"공약명", text}, {"이전 추진상황", text}, {"추진상황", text}}}
	for _, c := range r.GetStatusChanges() {
		changes.rows = append(changes.rows, []cell{dateCell(c.GetEffectiveDate()), txt(c.GetPledge()), txt(c.GetTitle()),
			txt(Status(c.GetPreviousStatus())), txt(Status(c.GetStatus()))})
	}
	return []table{overview, districts, money, indicators, participation, changes}
}

var kst = time.FixedZone("KST", 9*60*60)

func isoDate(d *date.Date) string {
	if d == nil {
		return ""
	}
	return dateCell(d).t.Format(time.DateOnly)
}
