package e2e

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/gongyak/gongyak/services/pledge/fixture"
)

// TestTheCardsIndicatorThroughREST enters the card's 성과지표 with its
// 2018–2020 targets and actuals, reads it back, and sees "no data" for its
// achievement and the pledge's until the years are assessed.
func TestTheCardsIndicatorThroughREST(t *testing.T) {
	r := startSuite(t, "", "pledge", "indicator")
	r.seedGwangsan(t)
	r.call(t, "POST", "/v1/districts/gwangsan/pledges?pledgeId=innovation-tf", fixture.GwangsanJSON).must(t, http.StatusOK)

	entries := []map[string]any{
		{"year": 2018, "target": map[string]string{"text": "TF 운영 계획 수립"}, "actual": map[string]string{"text": "광산구정혁신 TF 운영 기본계획 수립"}},
		{"year": 2019, "target": map[string]string{"text": "제도 마련"}, "actual": map[string]string{"text": "조례 제정 ('19.09.)"}},
		{"year": 2020, "target": map[string]string{"text": "TF 운영"}, "actual": map[string]string{"text": "TF구성(시민행복위원회, 정책기획단 등 50명) · 정부혁신 최우수 선정"}},
	}
	base := "/v1/districts/gwangsan/pledges/innovation-tf"
	created := r.call(t, "POST", base+"/indicators?indicatorId=innovation-tf-operation", map[string]any{
		"title": "광산구정혁신 TF 운영", "kind": "INDICATOR_KIND_QUALITATIVE", "entries": entries,
	}).must(t, http.StatusOK)
	got := r.call(t, "GET", "/v1/"+created.str("name"), nil).must(t, http.StatusOK)
	if string(got.raw) != string(created.raw) {
		t.Errorf("GET differs from the create's answer")
	}
	back, _ := got.body["entries"].([]any)
	if len(back) != 3 {
		t.Fatalf("%d entries read back", len(back))
	}
	for i, e := range back {
		m := e.(map[string]any)
		if m["year"] != float64(entries[i]["year"].(int)) || m["target"].(map[string]any)["text"] != entries[i]["target"].(map[string]string)["text"] ||
			m["actual"].(map[string]any)["text"] != entries[i]["actual"].(map[string]string)["text"] {
			t.Errorf("entry %d read back as %v", i, m)
		}
		if m["achievement"].(map[string]any)["state"] != "ACHIEVEMENT_STATE_NO_DATA" {
			t.Errorf("entry %d achievement %v", i, m["achievement"])
		}
	}
	if got.str("achievement.state") != "ACHIEVEMENT_STATE_NO_DATA" || got.str("achievement.percent") != "" {
		t.Errorf("indicator achievement %v, want no data", got.get("achievement"))
	}
	pa := r.call(t, "GET", base+"/achievement", nil).must(t, http.StatusOK)
	if pa.str("achievement.state") != "ACHIEVEMENT_STATE_NO_DATA" {
		t.Errorf("pledge achievement %s", pa.raw)
	}

	// ListIndicators honours a filter through the gateway: what changed
	// since the indicator was created is nothing, what changed from then on
	// is the indicator; a filter it cannot honour, or a misspelt filter
	// parameter, is refused naming it rather than answered unfiltered.
	since := created.str("updateTime")
	list := func(query string) response {
		return r.call(t, "GET", base+"/indicators?"+query, nil)
	}
	if l := list("filter="+url.QueryEscape(`update_time > "`+since+`"`)).must(t, http.StatusOK); l.get("indicators") != nil {
		t.Errorf("indicators changed after the only one was created: %s", l.raw)
	}
	if l := list("filter="+url.QueryEscape(`update_time >= "`+since+`"`)).must(t, http.StatusOK); len(l.body["indicators"].([]any)) != 1 {
		t.Errorf("indicators changed from the creation on: %s", l.raw)
	}
	if v := list("filter="+url.QueryEscape("budget > 3")).must(t, http.StatusBadRequest).violations(); len(v) != 1 || v[0] != "filter" {
		t.Errorf("an unknown field in the filter: violations %v", v)
	}
	if v := list("filters="+url.QueryEscape(`update_time > "`+since+`"`)).must(t, http.StatusBadRequest).violations(); len(v) != 1 || v[0] != "filters" {
		t.Errorf("a misspelt filter parameter: violations %v", v)
	}

	// A number where the card has text is refused, naming the entry.
	bad := r.call(t, "POST", base+"/indicators", map[string]any{
		"title": "x", "kind": "INDICATOR_KIND_QUALITATIVE",
		"entries": []map[string]any{{"year": 2019, "target": map[string]string{"number": "3"}}},
	}).must(t, http.StatusBadRequest)
	if v := bad.violations(); len(v) != 1 || v[0] != "indicator.entries[0].target" {
		t.Errorf("violations %v", v)
	}
}
