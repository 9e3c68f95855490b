package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// fetch GETs path from the gateway and returns what came back as it is,
// for answers that are not JSON (pages, files).
func (r *running) fetch(t *testing.T, path string) (status int, contentType, body string) {
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
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(raw)
}

// publishTerm marks a district's term public, as its admin does.
func (r *running) publishTerm(t *testing.T, district string, number float64) {
	t.Helper()
	d := r.call(t, "GET", "/v1/districts/"+district, nil).must(t, http.StatusOK)
	terms := d.get("terms").([]any)
	for _, term := range terms {
		if term.(map[string]any)["number"] == number {
			term.(map[string]any)["public"] = true
		}
	}
	r.call(t, "PATCH", "/v1/districts/"+district+"?updateMask=terms", map[string]any{"etag": d.str("etag"), "terms": terms}).must(t, http.StatusOK)
}

// TestPledgesAcrossDistrictsOverREST enters pledges in three districts of
// two metropolitan governments over REST, as a ministry client finds them:
// listed across districts page by page, filtered by region, and counted by
// district and status with completion rates — the numbers of what was
// entered. A district's own viewer lists what is published and its own
// district; every district's counts are the ministry's, not the viewer's.
// A status back-filled with its effective date shows it in the history.
func TestPledgesAcrossDistrictsOverREST(t *testing.T) {
	r := startSuite(t, "", "pledge")
	r.seedGwangsan(t)
	for id, d := range map[string][2]string{"buk": {"북구", "광주광역시"}, "haeundae": {"해운대구", "부산광역시"}} {
		r.call(t, "POST", "/v1/districts?districtId="+id, map[string]any{"displayName": d[0], "kind": "DISTRICT_KIND_AUTONOMOUS_DISTRICT",
			"metropolitanGovernment": d[1], "currentTerm": 8, "terms": []map[string]any{
				{"number": 7, "startDate": map[string]int{"year": 2018, "month": 7, "day": 1}, "endDate": map[string]int{"year": 2022, "month": 6, "day": 30}},
				{"number": 8, "startDate": map[string]int{"year": 2022, "month": 7, "day": 1}, "endDate": map[string]int{"year": 2026, "month": 6, "day": 30}}},
		}).must(t, http.StatusOK)
	}
	entered := []struct{ district, status string }{
		{"gwangsan", "PLEDGE_STATUS_COMPLETED"}, {"buk", "PLEDGE_STATUS_ON_TRACK"}, {"haeundae", "PLEDGE_STATUS_COMPLETED_CONTINUING"},
		{"gwangsan", "PLEDGE_STATUS_ON_TRACK"}, {"buk", "PLEDGE_STATUS_COMPLETED"}, {"haeundae", "PLEDGE_STATUS_ABANDONED"},
		{"gwangsan", "PLEDGE_STATUS_COMPLETED"}, {"buk", "PLEDGE_STATUS_COMPLETED"},
	}
	names := map[string]string{}
	for i, p := range entered {
		created := r.call(t, "POST", "/v1/districts/"+p.district+"/pledges", map[string]any{"title": fmt.Sprintf("공약 %d", i), "term": 7, "status": p.status}).must(t, http.StatusOK)
		names[created.str("name")] = p.district
	}
	gone := r.call(t, "POST", "/v1/districts/buk/pledges", map[string]any{"title": "철회된 공약", "term": 7, "status": "PLEDGE_STATUS_COMPLETED"}).must(t, http.StatusOK)
	r.call(t, "DELETE", "/v1/"+gone.str("name")+"?etag="+url.QueryEscape(gone.str("etag")), nil).must(t, http.StatusOK)

	// Every district's pledges, three a page, each once.
	seen := map[string]int{}
	token := ""
	for page := 0; ; page++ {
		resp := r.call(t, "GET", "/v1/districts/-/pledges?pageSize=3&pageToken="+url.QueryEscape(token), nil).must(t, http.StatusOK)
		for _, p := range resp.get("pledges").([]any) {
			seen[p.(map[string]any)["name"].(string)]++
		}
		if resp.get("totalSize") != float64(8) {
			t.Errorf("totalSize %v, want 8", resp.get("totalSize"))
		}
		if token = resp.str("nextPageToken"); token == "" {
			break
		}
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 8 {
		t.Errorf("listed %d pledges across districts, want 8: %v", len(seen), seen)
	}
	for name, n := range seen {
		if n != 1 || names[name] == "" {
			t.Errorf("%s listed %d times (entered: %v)", name, n, names[name] != "")
		}
	}
	busan := r.call(t, "GET", "/v1/districts/-/pledges?filter="+url.QueryEscape(`metropolitan_government = "부산광역시"`), nil).must(t, http.StatusOK)
	if busan.get("totalSize") != float64(2) {
		t.Errorf("부산광역시's pledges: %s", busan.raw)
	}

	// Counted by district and status, as entered: 광산구 2 완료 1 정상추진,
	// 북구 2 완료 1 정상추진 (its deleted one left out), 해운대구 1 이행 후
	// 계속추진 1 폐기.
	summary := r.as(t, "ministry").call(t, "GET", "/v1/districts/-/pledges:summarize?groupBy=district&groupBy=status", nil).must(t, http.StatusOK)
	var rows []string
	for _, row := range summary.get("rows").([]any) {
		m := row.(map[string]any)
		rows = append(rows, fmt.Sprintf("%v %v %v %v", m["district"], m["status"], m["pledgeCount"], m["completionRate"]))
	}
	want := []string{
		"districts/buk PLEDGE_STATUS_COMPLETED 2 100.00", "districts/buk PLEDGE_STATUS_ON_TRACK 1 0.00",
		"districts/gwangsan PLEDGE_STATUS_COMPLETED 2 100.00", "districts/gwangsan PLEDGE_STATUS_ON_TRACK 1 0.00",
		"districts/haeundae PLEDGE_STATUS_COMPLETED_CONTINUING 1 100.00", "districts/haeundae PLEDGE_STATUS_ABANDONED 1 0.00",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if summary.get("total.pledgeCount") != float64(8) || summary.str("total.completionRate") != "62.50" ||
		summary.get("total.statuses.completed") != float64(4) || summary.get("total.statuses.completedContinuing") != float64(1) ||
		summary.get("total.statuses.onTrack") != float64(2) || summary.get("total.statuses.abandoned") != float64(1) {
		t.Errorf("total: %v", summary.get("total"))
	}
	r.as(t, "gwangsan-viewer").call(t, "GET", "/v1/districts/-/pledges:summarize?groupBy=district", nil).must(t, http.StatusForbidden)
	r.as(t, "").call(t, "GET", "/v1/districts/-/pledges:summarize", nil).must(t, http.StatusUnauthorized)
	bad := r.call(t, "GET", "/v1/districts/-/pledges:summarize?groupBy=colour", nil).must(t, http.StatusBadRequest)
	if fmt.Sprint(bad.violations()) != "[group_by[0]]" {
		t.Errorf("a bad group: %s", bad.raw)
	}

	// What a viewer of 광산구 lists across districts: 광산구 whole, and the
	// published 해운대구 7기; not 북구.
	r.publishTerm(t, "haeundae", 7)
	viewed := r.as(t, "gwangsan-viewer").call(t, "GET", "/v1/districts/-/pledges?pageSize=50", nil).must(t, http.StatusOK)
	counted := map[string]int{}
	for _, p := range viewed.get("pledges").([]any) {
		counted[names[p.(map[string]any)["name"].(string)]]++
	}
	if fmt.Sprint(counted) != "map[gwangsan:3 haeundae:2]" {
		t.Errorf("the viewer lists %v", counted)
	}
	anon := r.as(t, "").call(t, "GET", "/v1/districts/-/pledges", nil).must(t, http.StatusOK)
	if anon.get("totalSize") != float64(2) {
		t.Errorf("anonymous lists %s", anon.raw)
	}

	// A status back-filled by the district's admin takes effect the day
	// given; a department editor may not date one.
	var first string
	for name, d := range names {
		if d == "gwangsan" {
			first = name
			break
		}
	}
	p := r.call(t, "GET", "/v1/"+first, nil).must(t, http.StatusOK)
	change := map[string]any{"status": "PLEDGE_STATUS_ON_HOLD", "reason": "예산 미확보", "etag": p.str("etag"),
		"effectiveDate": map[string]int{"year": 2021, "month": 4, "day": 1}}
	r.as(t, "gwangsan-editor").call(t, "POST", "/v1/"+first+":changeStatus", change).must(t, http.StatusForbidden)
	r.as(t, "gwangsan-admin").call(t, "POST", "/v1/"+first+":changeStatus", change).must(t, http.StatusOK)
	history := r.call(t, "GET", "/v1/"+first+"/statusChanges", nil).must(t, http.StatusOK)
	changes := history.get("statusChanges").([]any)
	last := changes[len(changes)-1].(map[string]any)
	if fmt.Sprint(last["effectiveDate"]) != "map[day:1 month:4 year:2021]" || last["status"] != "PLEDGE_STATUS_ON_HOLD" {
		t.Errorf("the dated change: %v", last)
	}
	change["effectiveDate"] = map[string]int{"year": 2017, "month": 1, "day": 2}
	change["etag"] = r.call(t, "GET", "/v1/"+first, nil).must(t, http.StatusOK).str("etag")
	if refused := r.as(t, "gwangsan-admin").call(t, "POST", "/v1/"+first+":changeStatus", change).must(t, http.StatusBadRequest); fmt.Sprint(refused.violations()) != "[effective_date]" {
		t.Errorf("a date before the term: %s", refused.raw)
	}
}

// TestTheDisclosurePageOverREST imports the seed card into the whole suite
// and publishes 민선 7기: its disclosure page comes to anyone, signed in or
// not, as one HTML page with the card's values, people masked; 8기, not
// public, is refused without signing in.
func TestTheDisclosurePageOverREST(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	card := r.importCard(t)
	anon := r.as(t, "")
	if status, _, _ := anon.fetch(t, "/v1/districts/gwangsan:disclose?term=7"); status != http.StatusUnauthorized {
		t.Errorf("an unpublished term without signing in: %d", status)
	}
	r.publishTerm(t, "gwangsan", 7)
	status, contentType, page := anon.fetch(t, "/v1/districts/gwangsan:disclose?term=7")
	if status != http.StatusOK || contentType != "text/html; charset=utf-8" {
		t.Fatalf("the published page: %d %s\n%.500s", status, contentType, page)
	}
	for _, want := range []string{
		"<title>광주광역시 광산구 민선 7기 공약 이행 현황</title>",
		`href="#pledge-` + card[strings.LastIndex(card, "/")+1:] + `"`,
		"사회적가치 제고를 위한 시민참여형 구정혁신 TF 운영",
		"8.5백만원(구 100)", "법무지원과 법무규제혁신팀", "<td class=\"num\">2.5</td>", "광산구정혁신 TF 운영",
		"행복광산 비전선포식", "청각장애인 등 의사소통 취약자 관공서 이용편의 개선", "정*정",
		"윤*미 팀장", "062-***-8891",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, unmasked := range []string{"윤송미", "윤다슬", "960-8891", "지금 불러올 수 없습니다"} {
		if strings.Contains(page, unmasked) {
			t.Errorf("the page shows %q", unmasked)
		}
	}
	if status, _, privacy := r.as(t, "gwangsan-privacy").fetch(t, "/v1/districts/gwangsan:disclose?term=7"); status != http.StatusOK || strings.Contains(privacy, "윤송미") {
		t.Errorf("to a reader of personal data: %d, unmasked %v", status, strings.Contains(privacy, "윤송미"))
	}
	if status, _, _ := anon.fetch(t, "/v1/districts/gwangsan:disclose?term=8"); status != http.StatusUnauthorized {
		t.Errorf("8기 without signing in: %d", status)
	}
}
