package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// The sections of an export: each CSV file of the zip and its sheet of the
// workbook, in order.
var exportSections = []struct{ file, sheet string }{
	{"overview.csv", "개요"}, {"districts.csv", "추진현황"}, {"money.csv", "재원별 예산"},
	{"indicators.csv", "성과지표"}, {"participation.csv", "주민참여"}, {"status_changes.csv", "상태 변경"},
}

// expectedCSV writes down, from the JSON report, what each CSV file of its
// export holds: a header of Korean names and every figure of the report.
func expectedCSV(r *pledgev1.ImplementationReport) map[string][][]string {
	n := func(v any) string { return fmt.Sprint(v) }
	name := func(d *pledgev1.DistrictImplementation) []string {
		if d == r.GetTotal() {
			return []string{"", "합계"}
		}
		return []string{d.GetDistrict(), d.GetDisplayName()}
	}
	rows := append(append([]*pledgev1.DistrictImplementation{}, r.GetDistricts()...), r.GetTotal())
	statusNames := []string{"완료", "이행 후 계속추진", "정상추진", "일부추진", "보류", "폐기", "미지정"}
	out := map[string][][]string{}

	overview := [][]string{{"항목", "내용"}, {"보고서", r.GetName()}, {"기수", fmt.Sprintf("민선 %d기", r.GetTerm())},
		{"기간 시작일", isoDay(r.GetStartDate())}, {"기준일", isoDay(r.GetAsOfDate())},
		{"작성 시각", r.GetComputeTime().AsTime().In(time.FixedZone("KST", 9*3600)).Format("2006-01-02 15:04:05 KST")},
		{"완료율 산식", r.GetCompletionRateFormula()}, {"임기내 완료율 산식", r.GetCompletionRateWithinTermFormula()}}
	for _, note := range r.GetNotes() {
		overview = append(overview, []string{"비고", note})
	}
	out["overview.csv"] = overview

	header := []string{"지자체 식별자", "지자체명", "광역자치단체", "공약 수"}
	header = append(header, statusNames...)
	header = append(header, "완료율(%)", "임기내 공약 수")
	for _, s := range statusNames {
		header = append(header, "임기내 "+s)
	}
	districts := [][]string{append(header, "임기내 완료율(%)", "기간 중 상태 변경 공약 수")}
	for _, d := range rows {
		row := append(name(d), d.GetMetropolitanGovernment())
		for _, part := range []struct {
			n    int32
			c    *pledgev1.StatusCounts
			rate string
		}{{d.GetPledgeCount(), d.GetStatuses(), d.GetCompletionRate()}, {d.GetPledgeCountWithinTerm(), d.GetStatusesWithinTerm(), d.GetCompletionRateWithinTerm()}} {
			c := part.c
			row = append(row, n(part.n), n(c.GetCompleted()), n(c.GetCompletedContinuing()), n(c.GetOnTrack()), n(c.GetPartial()),
				n(c.GetOnHold()), n(c.GetAbandoned()), n(c.GetUnspecified()), part.rate)
		}
		districts = append(districts, append(row, n(d.GetStatusChanges())))
	}
	out["districts.csv"] = districts

	money := [][]string{{"지자체 식별자", "지자체명", "재원", "공약 수", "계획액(원)", "확보액(원)", "집행액(원)", "확보율(%)", "집행률(%)"}}
	sources := map[string]string{"FUNDING_SOURCE_NATIONAL": "국비", "FUNDING_SOURCE_METROPOLITAN": "시·도비", "FUNDING_SOURCE_LOCAL": "시·군·구비", "FUNDING_SOURCE_PRIVATE_OTHER": "민자/기타"}
	moneyRow := func(d *pledgev1.DistrictImplementation, source string, m *budgetv1.BudgetSummary) []string {
		a := m.GetAmounts()
		return append(name(d), source, n(m.GetPledgeCount()), n(a.GetPlannedWon()), n(a.GetSecuredWon()), n(a.GetExecutedWon()), a.GetSecuringRate(), a.GetExecutionRate())
	}
	for _, d := range rows {
		for _, m := range d.GetMoney() {
			money = append(money, moneyRow(d, sources[m.GetSource().String()], m))
		}
		money = append(money, moneyRow(d, "계", d.GetMoneyTotal()))
	}
	out["money.csv"] = money

	indicators := [][]string{{"지자체 식별자", "지자체명", "실적 있음", "자료 없음", "목표연도 전", "평균 달성률(%)", "실적 미입력 지표"}}
	for _, d := range rows {
		i := d.GetIndicators()
		indicators = append(indicators, append(name(d), n(i.GetMeasuredEntries()), n(i.GetNoDataEntries()), n(i.GetNotYetDueEntries()),
			i.GetMeanAchievement(), n(i.GetOverdueIndicators())))
	}
	out["indicators.csv"] = indicators

	participation := [][]string{{"지자체 식별자", "지자체명", "프로그램 수", "참여 인원(신고)", "신청(신고)", "선정(신고)", "선정률(신고)(%)",
		"위원·회원", "제안·신청", "선정", "선정률(%)", "투표", "설문 응답"}}
	for _, d := range rows {
		p := d.GetParticipation()
		participation = append(participation, append(name(d), n(p.GetPrograms()), n(p.GetDeclaredParticipants()), n(p.GetDeclaredApplications()),
			n(p.GetDeclaredSelected()), p.GetDeclaredSelectionRate(), n(p.GetMembers()), n(p.GetSubmissions()), n(p.GetSelected()),
			p.GetSelectionRate(), n(p.GetBallots()), n(p.GetResponses())))
	}
	out["participation.csv"] = participation

	statusName := func(s pledgev1.PledgeStatus) string {
		if s == none {
			return "미지정"
		}
		return statusNames[s-1]
	}
	changes := [][]string{{"효력일", "공약 식별자", "공약명", "이전 추진상황", "추진상황"}}
	for _, c := range r.GetStatusChanges() {
		changes = append(changes, []string{isoDay(c.GetEffectiveDate()), c.GetPledge(), c.GetTitle(), statusName(c.GetPreviousStatus()), statusName(c.GetStatus())})
	}
	out["status_changes.csv"] = changes
	return out
}

func isoDay(d interface {
	GetYear() int32
	GetMonth() int32
	GetDay() int32
}) string {
	return fmt.Sprintf("%04d-%02d-%02d", d.GetYear(), d.GetMonth(), d.GetDay())
}

// readZip reads every CSV file of an exported zip, in order, checking each
// starts with a byte order mark.
func readZip(t *testing.T, data []byte) (names []string, files map[string][][]string) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the export is no zip: %v", err)
	}
	files = map[string][][]string{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		body, ok := bytes.CutPrefix(raw, []byte("\xef\xbb\xbf"))
		if !ok {
			t.Errorf("%s starts without a byte order mark: % x", f.Name, raw[:min(3, len(raw))])
		}
		records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		names = append(names, f.Name)
		files[f.Name] = records
	}
	return names, files
}

// TestEachExportHoldsTheReportsFiguresToTheLastDigit exports gwangsan's
// 민선 7기 report as CSV and XLSX and reads both back: every figure is the
// JSON report's.
func TestEachExportHoldsTheReportsFiguresToTheLastDigit(t *testing.T) {
	st := newSuite(t)
	h := seedHistory(t, st)
	st.addBudget(t, h.budget)
	ctx := context.Background()
	name := "districts/gwangsan/implementationReport"
	r, err := st.reports.GetImplementationReport(ctx, &pledgev1.GetImplementationReportRequest{Name: name, Term: 7, AsOfDate: on("2022-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	want := expectedCSV(r)
	if len(want["money.csv"]) != 7 || len(want["status_changes.csv"]) != 6 {
		t.Fatalf("the report has too little to compare: %v", want)
	}
	// The exports are computed apart; only when they were made differs.
	sameButTime := func(file string, got [][]string) {
		t.Helper()
		w := want[file]
		if file == "overview.csv" && len(got) > 5 && len(w) > 5 {
			if _, err := time.Parse("2006-01-02 15:04:05 KST", got[5][1]); err != nil {
				t.Errorf("작성 시각 %q", got[5][1])
			}
			w = append(append([][]string{}, w[:5]...), w[6:]...)
			got = append(append([][]string{}, got[:5]...), got[6:]...)
		}
		if diff := gocmp.Diff(w, got); diff != "" {
			t.Errorf("%s (-report +export):\n%s", file, diff)
		}
	}

	var header metadata.MD
	body, err := st.reports.ExportImplementationReport(ctx, &pledgev1.ExportImplementationReportRequest{Name: name, Term: 7, AsOfDate: on("2022-06-30"), Format: "csv"}, grpc.Header(&header))
	if err != nil {
		t.Fatal(err)
	}
	if body.GetContentType() != "application/zip" ||
		strings.Join(header.Get("content-disposition"), "") != `attachment; filename="implementation-report-gwangsan-term7-2022-06-30-csv.zip"` {
		t.Errorf("csv export: %s, %v", body.GetContentType(), header)
	}
	names, files := readZip(t, body.GetData())
	var wantNames []string
	for _, s := range exportSections {
		wantNames = append(wantNames, s.file)
	}
	if !gocmp.Equal(names, wantNames) {
		t.Errorf("files %v, want %v", names, wantNames)
	}
	for file, got := range files {
		sameButTime(file, got)
	}

	body, err = st.reports.ExportImplementationReport(ctx, &pledgev1.ExportImplementationReportRequest{Name: name, Term: 7, AsOfDate: on("2022-06-30"), Format: "xlsx"}, grpc.Header(&header))
	if err != nil {
		t.Fatal(err)
	}
	if body.GetContentType() != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		strings.Join(header.Get("content-disposition"), "") != `attachment; filename="implementation-report-gwangsan-term7-2022-06-30.xlsx"` {
		t.Errorf("xlsx export: %s, %v", body.GetContentType(), header)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body.GetData()))
	if err != nil {
		t.Fatalf("the export is no workbook: %v", err)
	}
	defer f.Close()
	var wantSheets []string
	for _, s := range exportSections {
		wantSheets = append(wantSheets, s.sheet)
	}
	if !gocmp.Equal(f.GetSheetList(), wantSheets) {
		t.Errorf("sheets %v, want %v", f.GetSheetList(), wantSheets)
	}
	for _, s := range exportSections {
		sameButTime(s.file, readSheet(t, f, s.sheet))
	}
}

// readSheet reads a sheet back into what its CSV file would hold, checking
// on the way that each number is stored as a number with the format its
// column needs: won in 백만원 (#,##0.00,,), rates with two decimals, dates
// as dates.
func readSheet(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	raw, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	shown, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 {
		t.Fatalf("sheet %s is empty", sheet)
	}
	header := raw[0]
	out := [][]string{make([]string, len(header))}
	for i, h := range header {
		// The sheet shows won in 백만원; the CSV file writes won.
		out[0][i] = strings.Replace(h, "(백만원)", "(원)", 1)
	}
	for r := 1; r < len(raw); r++ {
		row := make([]string, len(header))
		for c := range header {
			cellName, _ := excelize.CoordinatesToCellName(c+1, r+1)
			var value, display string
			if c < len(raw[r]) {
				value = raw[r][c]
			}
			if c < len(shown[r]) {
				display = shown[r][c]
			}
			typ, err := f.GetCellType(sheet, cellName)
			if err != nil {
				t.Fatal(err)
			}
			format := numberFormat(t, f, sheet, cellName)
			switch h := header[c]; {
			case value == "":
			case strings.HasSuffix(h, "(백만원)"):
				won, err := strconv.ParseInt(value, 10, 64)
				if err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || format != "#,##0.00,," {
					t.Errorf("%s!%s (%s) holds %q of type %v shown by %q: want whole won, shown in 백만원", sheet, cellName, h, value, typ, format)
				}
				if d := millionWon(won); display != d {
					t.Errorf("%s!%s shows %q for %d won, want %q", sheet, cellName, display, won, d)
				}
				value = strconv.FormatInt(won, 10)
			case strings.HasSuffix(h, "(%)"):
				if _, err := strconv.ParseFloat(value, 64); err != nil || format != "0.00" {
					t.Errorf("%s!%s (%s) holds %q shown by %q: want a number of percent", sheet, cellName, h, value, format)
				}
				value = display // two decimals, as the JSON writes them
			case h == "효력일":
				if format != "yyyy-mm-dd" {
					t.Errorf("%s!%s is shown by %q, want a date", sheet, cellName, format)
				}
				value = display
			case sheet != "개요" && !isText(h):
				if _, err := strconv.ParseInt(value, 10, 64); err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
					t.Errorf("%s!%s (%s) holds %q of type %v: want a count stored as a number", sheet, cellName, h, value, typ)
				}
			}
			row[c] = value
		}
		out = append(out, row)
	}
	return out
}

// isText says whether a column holds words.
func isText(header string) bool {
	switch header {
	case "지자체 식별자", "지자체명", "광역자치단체", "재원", "공약 식별자", "공약명", "이전 추진상황", "추진상황":
		return true
	}
	return false
}

func numberFormat(t *testing.T, f *excelize.File, sheet, cellName string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cellName)
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if style.CustomNumFmt != nil {
		return *style.CustomNumFmt
	}
	return ""
}

// millionWon writes won in 백만원 with two decimals and thousands
// separators, as #,##0.00,, shows them: 8,500,000 is 8.50.
func millionWon(won int64) string {
	cents := (won + 5_000) / 10_000 // hundredths of a million, rounded half up
	whole, frac := cents/100, cents%100
	s := strconv.FormatInt(whole, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return fmt.Sprintf("%s.%02d", s, frac)
}
