package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/testing/protocmp"
)

// seedGwangsan enters the district and the card's owning department over
// HTTP.
func (r *running) seedGwangsan(t *testing.T) {
	t.Helper()
	r.call(t, "POST", "/v1/districts?districtId=gwangsan", map[string]any{
		"displayName": "광산구", "kind": "DISTRICT_KIND_AUTONOMOUS_DISTRICT", "metropolitanGovernment": "광주광역시",
		"currentTerm": 9,
		"terms": []map[string]any{
			{"number": 7, "startDate": map[string]int{"year": 2018, "month": 7, "day": 1}, "endDate": map[string]int{"year": 2022, "month": 6, "day": 30}},
			{"number": 8, "startDate": map[string]int{"year": 2022, "month": 7, "day": 1}, "endDate": map[string]int{"year": 2026, "month": 6, "day": 30}},
			{"number": 9, "startDate": map[string]int{"year": 2026, "month": 7, "day": 1}, "endDate": map[string]int{"year": 2030, "month": 6, "day": 30}},
		},
	}).must(t, http.StatusOK)
	r.call(t, "POST", "/v1/districts/gwangsan/departments?departmentId=legal-support", map[string]any{
		"displayName": "법무지원과", "teams": []string{"법무규제혁신팀"},
	}).must(t, http.StatusOK)
}

func decodePledge(t *testing.T, raw []byte) *pledgev1.Pledge {
	t.Helper()
	p := &pledgev1.Pledge{}
	if err := protojson.Unmarshal(raw, p); err != nil {
		t.Fatalf("decoding a pledge: %v", err)
	}
	return p
}

// TestGwangsanPledgeOverHTTP walks the card's pledge through its life over
// REST: entered whole, read back equal, found by a Korean word, updated
// with its etag, a stale etag refused with nothing changed, its status
// changed with a reason, deleted.
func TestGwangsanPledgeOverHTTP(t *testing.T) {
	r := startSuite(t, "", "pledge")
	r.seedGwangsan(t)

	created := r.call(t, "POST", "/v1/districts/gwangsan/pledges", fixture.GwangsanJSON).must(t, http.StatusOK)
	name := created.str("name")
	if !strings.HasPrefix(name, "districts/gwangsan/pledges/") || created.header.Get("X-Request-Id") == "" {
		t.Fatalf("created %q (request id %q)", name, created.header.Get("X-Request-Id"))
	}

	got := r.call(t, "GET", "/v1/"+name, nil).must(t, http.StatusOK)
	if diff := cmp.Diff(fixture.Gwangsan(), fixture.StripOutputOnly(decodePledge(t, got.raw)), protocmp.Transform()); diff != "" {
		t.Errorf("read back differs (-want +got):\n%s", diff)
	}

	found := r.call(t, "GET", "/v1/districts/gwangsan/pledges?query="+url.QueryEscape("구정혁신"), nil).must(t, http.StatusOK)
	pledges, _ := found.body["pledges"].([]any)
	if len(pledges) != 1 || pledges[0].(map[string]any)["name"] != name {
		t.Fatalf("query 구정혁신 found %d pledges", len(pledges))
	}

	etag := got.str("etag")
	updated := r.call(t, "PATCH", "/v1/"+name, map[string]any{"etag": etag, "finalGoal": "시민참여 혁신TF 구성 및 행복정책 연계 추진 (완료)"}).must(t, http.StatusOK)
	if updated.str("finalGoal") != "시민참여 혁신TF 구성 및 행복정책 연계 추진 (완료)" || updated.str("title") != got.str("title") {
		t.Errorf("update: final goal %q, title %q", updated.str("finalGoal"), updated.str("title"))
	}
	stale := r.call(t, "PATCH", "/v1/"+name, map[string]any{"etag": etag, "title": "늦게 도착한 수정"}).must(t, http.StatusConflict)
	if stale.get("code") != float64(10) {
		t.Errorf("stale etag answered %s", stale.raw)
	}
	after := r.call(t, "GET", "/v1/"+name, nil).must(t, http.StatusOK)
	if string(after.raw) != string(updated.raw) {
		t.Errorf("a refused update changed the pledge")
	}

	// The district's admin, signed in, changes the status; a header naming
	// 구청장 names no one.
	mayor := url.PathEscape("구청장")
	changed := r.as(t, "gwangsan-admin").call(t, "POST", "/v1/"+name+":changeStatus", map[string]any{
		"status": "PLEDGE_STATUS_COMPLETED_CONTINUING", "reason": "2021년에도 TF 운영 계속", "etag": after.str("etag"),
	}, "X-Gongyak-Actor", mayor, "Grpc-Metadata-X-Gongyak-Actor", mayor).must(t, http.StatusOK)
	if changed.str("status") != "PLEDGE_STATUS_COMPLETED_CONTINUING" {
		t.Errorf("status after the change: %s", changed.str("status"))
	}
	history := r.call(t, "GET", "/v1/"+name+"/statusChanges", nil).must(t, http.StatusOK)
	changes, _ := history.body["statusChanges"].([]any)
	if len(changes) != 2 {
		t.Fatalf("history has %d entries: %s", len(changes), history.raw)
	}
	last := changes[1].(map[string]any)
	// Who is the verified caller, whatever a header says.
	if last["actor"] != "user:gwangsan-admin@"+strings.TrimPrefix(r.idp.issuer, "http://") || last["reason"] != "2021년에도 TF 운영 계속" || last["previousStatus"] != "PLEDGE_STATUS_COMPLETED" || last["changeTime"] == nil {
		t.Errorf("history entry: %v", last)
	}

	r.call(t, "DELETE", "/v1/"+name+"?etag="+etag, nil).must(t, http.StatusConflict)
	deleted := r.call(t, "DELETE", "/v1/"+name+"?etag="+changed.str("etag"), nil).must(t, http.StatusOK)
	if deleted.str("deleteTime") == "" {
		t.Errorf("delete answered %s", deleted.raw)
	}
	list := r.call(t, "GET", "/v1/districts/gwangsan/pledges", nil).must(t, http.StatusOK)
	if list.body["pledges"] != nil {
		t.Errorf("a deleted pledge is listed: %s", list.raw)
	}
}

// TestBadInputOverHTTP sends each kind of bad request the gateway or the
// service must refuse and checks the JSON error names the field and that
// nothing was written.
func TestBadInputOverHTTP(t *testing.T) {
	r := startSuite(t, "", "pledge")
	r.seedGwangsan(t)
	card := r.call(t, "POST", "/v1/districts/gwangsan/pledges", fixture.GwangsanJSON).must(t, http.StatusOK)
	name := card.str("name")

	huge := `{"title":"` + strings.Repeat("가", 400_000) + `"}`
	tests := []struct {
		name, method, path string
		body               any
		status             int
		fields             []string
	}{
		{"a body that is not JSON", "POST", "/v1/districts/gwangsan/pledges", `{"title": "구정혁신",`, 400, []string{"pledge"}},
		{"a body that is not UTF-8", "POST", "/v1/districts/gwangsan/pledges", []byte("{\"title\": \"\xff\xfe\"}"), 400, []string{"pledge"}},
		{"a body over the size limit", "POST", "/v1/districts/gwangsan/pledges", huge, 400, []string{"pledge"}},
		{"an unknown JSON field", "POST", "/v1/districts/gwangsan/pledges", `{"title": "x", "titel": "y"}`, 400, []string{"pledge.titel"}},
		{"an unknown nested JSON field", "POST", "/v1/districts/gwangsan/pledges", `{"title": "x", "overview": {"period": {"startYer": 2018}}}`, 400, []string{"pledge.overview.period.startYer"}},
		{"an enum name that does not exist", "POST", "/v1/districts/gwangsan/pledges", `{"title": "x", "projectType": "PROJECT_TYPE_OLD"}`, 400, []string{"pledge.project_type"}},
		{"a nested enum name that does not exist", "POST", "/v1/districts/gwangsan/pledges", `{"title": "x", "requiredBudget": {"shares": [{"source": "FUNDING_SOURCE_LOTTERY", "percent": 100}]}}`, 400, []string{"pledge.required_budget.shares[0].source"}},
		{"a number where text belongs", "POST", "/v1/districts/gwangsan/pledges", `{"title": 300}`, 400, []string{"pledge.title"}},
		{"a rule the service enforces", "POST", "/v1/districts/gwangsan/pledges", `{"title": "x", "requiredBudget": {"amountWon": "-5"}}`, 400, []string{"pledge.required_budget.amount_won"}},
		{"an unknown district", "POST", "/v1/districts/nowhere/pledges", `{"title": "어디에도 없는 구"}`, 404, nil},
		{"an unknown pledge", "GET", "/v1/districts/gwangsan/pledges/nothing", nil, 404, nil},
		{"a bad updateMask", "PATCH", "/v1/" + name + "?updateMask=titel", `{"title": "x", "etag": "` + card.str("etag") + `"}`, 400, []string{"update_mask"}},
		{"an update without its etag", "PATCH", "/v1/" + name, `{"title": "덮어쓰기"}`, 400, []string{"pledge.etag"}},
		{"a delete without its etag", "DELETE", "/v1/" + name, nil, 400, []string{"etag"}},
		{"a status change without its etag", "POST", "/v1/" + name + ":changeStatus", `{"status": "PLEDGE_STATUS_ABANDONED", "reason": "x"}`, 400, []string{"etag"}},
		{"a page size that is not a number", "GET", "/v1/districts/gwangsan/pledges?pageSize=many", nil, 400, []string{"page_size"}},
		{"a malformed filter", "GET", "/v1/districts/gwangsan/pledges?filter=" + url.QueryEscape("status ="), nil, 400, []string{"filter"}},
		{"a path no method serves", "GET", "/v1/budgets", nil, 404, nil},
	}
	before := snapshotPledges(t, r.dbURL)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := r.call(t, tt.method, tt.path, tt.body).must(t, tt.status)
			if resp.str("message") == "" || resp.get("code") == nil {
				t.Errorf("the error is not a google.rpc.Status: %s", resp.raw)
			}
			if tt.fields != nil && !cmp.Equal(resp.violations(), tt.fields) {
				t.Errorf("violations name %v, want %v: %s", resp.violations(), tt.fields, resp.raw)
			}
		})
	}
	if after := snapshotPledges(t, r.dbURL); after != before {
		t.Error("refused requests changed the pledge schema")
	}
}

// snapshotPledges digests every row of the pledge schema.
func snapshotPledges(t *testing.T, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var digest string
	err = conn.QueryRow(ctx, `SELECT coalesce(string_agg(d, ','), '') FROM (
		SELECT (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM pledge.pledges t) AS d
		UNION ALL SELECT (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM pledge.status_changes t)
		UNION ALL SELECT (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM pledge.request_ids t)) s`).Scan(&digest)
	if err != nil {
		t.Fatal(err)
	}
	return digest
}
