package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// download GETs path from the gateway as r's caller and returns the answer
// whole, whatever its type.
func (r *running) download(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", r.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.credential != "" {
		req.Header.Set("Authorization", bearer(r.credential))
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

// TestTheImplementationReportAndItsExportsOverREST imports the card,
// changes its status, and reads 민선 7기's report as the district's viewer
// and every district's as the ministry, then downloads both exports
// through the gateway and finds the JSON's figures in them.
func TestTheImplementationReportAndItsExportsOverREST(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	name := r.importCard(t)
	card := r.call(t, "GET", "/v1/"+name, nil).must(t, http.StatusOK)
	r.call(t, "POST", "/v1/"+name+":changeStatus", map[string]any{"etag": card.str("etag"),
		"status": "PLEDGE_STATUS_COMPLETED_CONTINUING", "reason": "조례 제정 후 계속 운영"}).must(t, http.StatusOK)

	viewer := r.as(t, "gwangsan-viewer")
	const path = "/v1/districts/gwangsan/implementationReport?term=7"
	rep := viewer.call(t, "GET", path, nil).must(t, http.StatusOK)
	district := rep.get("districts").([]any)[0].(map[string]any)
	row := response{body: district}
	if rep.get("term") != float64(7) || row.str("district") != "districts/gwangsan" || row.get("pledgeCount") != float64(1) ||
		row.get("statuses.completedContinuing") != float64(1) || row.str("completionRate") != "100.00" ||
		row.str("moneyTotal.amounts.plannedWon") != "8500000" || row.get("participation.submissions") != float64(7) ||
		rep.str("budgetSection.state") != "SECTION_STATE_AVAILABLE" || rep.str("indicatorSection.state") != "SECTION_STATE_AVAILABLE" {
		t.Errorf("the report: %.3000s", rep.raw)
	}
	changes, _ := rep.get("statusChanges").([]any)
	if len(changes) != 1 || changes[0].(map[string]any)["status"] != "PLEDGE_STATUS_COMPLETED_CONTINUING" ||
		changes[0].(map[string]any)["title"] != "사회적가치 제고를 위한 시민참여형 구정혁신 TF 운영" {
		t.Errorf("changes in the term: %v", changes)
	}
	if notes, _ := rep.get("notes").([]any); len(notes) < 3 || !strings.Contains(rep.str("completionRateFormula"), "(완료 + 이행 후 계속추진)") {
		t.Errorf("notes %v, formula %q", notes, rep.str("completionRateFormula"))
	}
	viewer.call(t, "GET", "/v1/districts/-/implementationReport?term=7", nil).must(t, http.StatusForbidden)
	all := r.as(t, "ministry").call(t, "GET", "/v1/districts/-/implementationReport?term=7", nil).must(t, http.StatusOK)
	if all.str("name") != "districts/-/implementationReport" || all.get("total.pledgeCount") != float64(1) || all.str("total.moneyTotal.amounts.plannedWon") != "8500000" {
		t.Errorf("every district's report: %.1000s", all.raw)
	}
	bad := viewer.call(t, "GET", path+"&asOfDate.year=2018&asOfDate.month=6&asOfDate.day=30", nil).must(t, http.StatusBadRequest)
	if v := bad.violations(); len(v) != 1 || v[0] != "as_of_date" {
		t.Errorf("as of a day before the term: %v", v)
	}
	bad = viewer.call(t, "GET", "/v1/districts/gwangsan/implementationReport:export?format=pdf", nil).must(t, http.StatusBadRequest)
	if v := bad.violations(); len(v) != 1 || v[0] != "format" {
		t.Errorf("a pdf export: %v", v)
	}

	// The CSV files, in a zip: the district's row is the JSON's.
	resp, data := viewer.download(t, "/v1/districts/gwangsan/implementationReport:export?format=csv&term=7")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="implementation-report-gwangsan-term7-`) {
		t.Fatalf("csv export: %d %v %.300s", resp.StatusCode, resp.Header, data)
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][][]string{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(rc)
		rc.Close()
		body, ok := bytes.CutPrefix(raw, []byte("\xef\xbb\xbf"))
		if !ok {
			t.Errorf("%s has no byte order mark", f.Name)
		}
		if files[f.Name], err = csv.NewReader(bytes.NewReader(body)).ReadAll(); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	n := func(path string) string { return fmt.Sprint(row.get(path)) }
	// JSON leaves out zeros; the files write them.
	won := func(path string) string {
		if s := row.str(path); s != "" {
			return s
		}
		return "0"
	}
	wantDistrict := []string{"districts/gwangsan", "광산구", "광주광역시", n("pledgeCount"), "0", n("statuses.completedContinuing"), "0", "0", "0", "0", "0", row.str("completionRate")}
	if got := files["districts.csv"]; len(got) != 3 || strings.Join(got[1][:len(wantDistrict)], "|") != strings.Join(wantDistrict, "|") || got[0][11] != "완료율(%)" {
		t.Errorf("districts.csv: %v, want a row starting %v", got, wantDistrict)
	}
	money := files["money.csv"]
	if len(money) < 2 || strings.Join(money[len(money)-1], "|") != "|합계|계|1|8500000|"+won("moneyTotal.amounts.securedWon")+"|"+won("moneyTotal.amounts.executedWon")+"|"+
		row.str("moneyTotal.amounts.securingRate")+"|"+row.str("moneyTotal.amounts.executionRate") {
		t.Errorf("money.csv: %v", money)
	}
	if got := files["status_changes.csv"]; len(got) != 2 || got[1][1] != name || got[1][4] != "이행 후 계속추진" {
		t.Errorf("status_changes.csv: %v", got)
	}

	// The workbook: won as whole won, shown in 백만원.
	resp, data = viewer.download(t, "/v1/districts/gwangsan/implementationReport:export?format=xlsx&term=7")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.HasSuffix(resp.Header.Get("Content-Disposition"), `.xlsx"`) {
		t.Fatalf("xlsx export: %d %v", resp.StatusCode, resp.Header)
	}
	book, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	sheet := "재원별 예산"
	rows, err := book.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) < 2 {
		t.Fatalf("%s: %v %v", sheet, rows, err)
	}
	last := rows[len(rows)-1]
	shown, _ := book.GetCellValue(sheet, fmt.Sprintf("E%d", len(rows)))
	if rows[0][4] != "계획액(백만원)" || last[1] != "합계" || last[4] != "8500000" || shown != "8.50" {
		t.Errorf("%s: header %v, total %v shown as %q", sheet, rows[0], last, shown)
	}
	districts, err := book.GetRows("추진현황", excelize.Options{RawCellValue: true})
	if err != nil || len(districts) != 3 || strings.Join(districts[1][:11], "|") != strings.Join(wantDistrict[:11], "|") {
		t.Errorf("추진현황: %v %v", districts, err)
	}
}
