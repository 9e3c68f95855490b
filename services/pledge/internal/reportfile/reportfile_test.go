package reportfile

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// twoDistricts is a report of every district in their current terms, with
// large sums of won, every source and a rate that is a whole percent.
func twoDistricts() *pledgev1.ImplementationReport {
	money := func(d string, s typev1.FundingSource, planned int64, rate string) *budgetv1.BudgetSummary {
		return &budgetv1.BudgetSummary{District: d, Source: s, PledgeCount: 3, Amounts: &budgetv1.Amounts{
			PlannedWon: planned, SecuredWon: planned / 2, ExecutedWon: planned / 4, SecuringRate: "50.00", ExecutionRate: rate}}
	}
	row := func(id, name string, n int32) *pledgev1.DistrictImplementation {
		d := "districts/" + id
		return &pledgev1.DistrictImplementation{District: d, DisplayName: name, MetropolitanGovernment: "경기도", PledgeCount: n,
			Statuses: &pledgev1.StatusCounts{Completed: n - 1, Unspecified: 1}, CompletionRate: "66.67", PledgeCountWithinTerm: n,
			StatusesWithinTerm: &pledgev1.StatusCounts{Completed: n - 1, Unspecified: 1}, CompletionRateWithinTerm: "66.67",
			Money:      []*budgetv1.BudgetSummary{money(d, typev1.FundingSource_FUNDING_SOURCE_NATIONAL, 124_667_420_000, "50.00"), money(d, typev1.FundingSource_FUNDING_SOURCE_PRIVATE_OTHER, 1, "")},
			MoneyTotal: money(d, 0, 124_667_420_001, "50.00"), Indicators: &indicatorv1.IndicatorSummary{District: d, MeasuredEntries: 4, MeanAchievement: "87.50"},
			Participation: &participationv1.ParticipationSummary{District: d, Programs: 2, Submissions: 3, Selected: 1, SelectionRate: "33.33"}, StatusChanges: 1}
	}
	return &pledgev1.ImplementationReport{
		Name: "districts/-/implementationReport", StartDate: &date.Date{Year: 2022, Month: 7, Day: 1}, AsOfDate: &date.Date{Year: 2026, Month: 11, Day: 29},
		Notes: []string{"첫째", "둘째"}, CompletionRateFormula: "산식", CompletionRateWithinTermFormula: "임기내 산식",
		Districts: []*pledgev1.DistrictImplementation{row("garam", "가람구", 3), row("narae", "나래시", 3)},
		Total:     &pledgev1.DistrictImplementation{PledgeCount: 6, Statuses: &pledgev1.StatusCounts{Completed: 4, Unspecified: 2}, CompletionRate: "66.67"},
		StatusChanges: []*pledgev1.PeriodStatusChange{{Pledge: "districts/garam/pledges/a", Title: "쉼표, \"따옴표\"", Status: pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED,
			EffectiveDate: &date.Date{Year: 2024, Month: 2, Day: 29}}},
		ComputeTime: timestamppb.New(time.Date(2026, 11, 29, 0, 30, 0, 0, time.UTC)),
	}
}

// TestTheTwoFormatsHoldTheSameCells writes one report both ways and reads
// both back: the same cells, won as whole won (shown in 백만원 in the
// workbook), text with commas and quotes whole.
func TestTheTwoFormatsHoldTheSameCells(t *testing.T) {
	r := twoDistricts()
	zipped, err := CSV(r)
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	book, err := XLSX(r)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := map[string]string{"overview.csv": "개요", "districts.csv": "추진현황", "money.csv": "재원별 예산",
		"indicators.csv": "성과지표", "participation.csv": "주민참여", "status_changes.csv": "상태 변경"}
	files := map[string][][]string{}
	for _, zf := range z.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(rc)
		rc.Close()
		records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		files[zf.Name] = records
		shown, err := f.GetRows(sheets[zf.Name])
		if err != nil {
			t.Fatal(err)
		}
		rawCells, _ := f.GetRows(sheets[zf.Name], excelize.Options{RawCellValue: true})
		for i, rec := range records {
			for j, want := range rec {
				got := ""
				if j < len(rawCells[i]) {
					got = rawCells[i][j]
				}
				switch {
				case i == 0:
					got = string(bytes.ReplaceAll([]byte(got), []byte("(백만원)"), []byte("(원)")))
				case zf.Name == "status_changes.csv" && j == 0, records[0][j] != "" && bytes.HasSuffix([]byte(records[0][j]), []byte("(%)")):
					got = "" // a date, or a rate with its two decimals, as shown
					if j < len(shown[i]) {
						got = shown[i][j]
					}
				}
				if got != want {
					t.Errorf("%s row %d column %d (%s): the workbook holds %q, the CSV file %q", zf.Name, i, j, records[0][j], got, want)
				}
			}
		}
	}
	money := files["money.csv"]
	if !cmp.Equal(money[1], []string{"districts/garam", "가람구", "국비", "3", "124667420000", "62333710000", "31166855000", "50.00", "50.00"}) ||
		money[2][2] != "민자/기타" || money[3][2] != "계" || money[len(money)-1][1] != "합계" {
		t.Errorf("money.csv: %v", money)
	}
	if shown, _ := f.GetCellValue("재원별 예산", "E2"); shown != "124,667.42" {
		t.Errorf("124,667,420,000 won shown as %q, want 124,667.42 (백만원)", shown)
	}
	if files["overview.csv"][2][1] != "지자체별 현재 기" || files["overview.csv"][5][1] != "2026-11-29 09:30:00 KST" {
		t.Errorf("overview: %v", files["overview.csv"])
	}
	if got := files["status_changes.csv"][1]; !cmp.Equal(got, []string{"2024-02-29", "districts/garam/pledges/a", "쉼표, \"따옴표\"", "미지정", "완료"}) {
		t.Errorf("status change: %q", got)
	}
	if v, err := strconv.ParseFloat(files["indicators.csv"][1][5], 64); err != nil || v != 87.5 {
		t.Errorf("mean achievement %q", files["indicators.csv"][1][5])
	}
}

func TestAFileIsNamedForWhatItCovers(t *testing.T) {
	r := twoDistricts()
	for format, want := range map[string]string{"csv": "implementation-report-all-current-terms-2026-11-29-csv.zip", "xlsx": "implementation-report-all-current-terms-2026-11-29.xlsx"} {
		f, err := Write(r, format)
		if err != nil || f.Name != want || len(f.Data) == 0 {
			t.Errorf("%s: %q, %v", format, f.Name, err)
		}
	}
	r.Name, r.Term = "districts/gwangsan/implementationReport", 7
	if f, _ := Write(r, "xlsx"); f.Name != "implementation-report-gwangsan-term7-2026-11-29.xlsx" {
		t.Errorf("gwangsan's: %q", f.Name)
	}
	if _, err := Write(r, "pdf"); err == nil {
		t.Error("a pdf was written")
	}
}
