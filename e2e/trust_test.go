package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/e2e/internal/harness"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/suite"
	"github.com/gongyak/gongyak/pkg/tlsconfig/tlstest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
)

// importCard seeds gwangsan and imports the Gwangsan card as r's caller,
// returning the card pledge's name.
func (r *running) importCard(t *testing.T) string {
	t.Helper()
	r.seedGwangsan(t)
	raw, err := os.ReadFile(seedCardPath)
	if err != nil {
		t.Fatal(err)
	}
	return r.call(t, "POST", "/v1/districts/gwangsan/pledges:import", map[string]any{"cardText": string(raw), "term": 7}).must(t, http.StatusOK).str("pledge.name")
}

// TestWhatAnyoneCouldDoBeforeIsRefused replays what an unauthenticated
// caller could do before there was any trust — each write anonymous over
// REST, a cross-site form, headers that named roles and actors, writes
// straight to the gRPC ports, reflection — and finds each refused with
// nothing changed.
func TestWhatAnyoneCouldDoBeforeIsRefused(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	card := r.importCard(t)
	anon := r.as(t, "")
	before := snapshotPledges(t, r.dbURL)
	plan := r.call(t, "GET", "/v1/"+card+"/budget", nil).must(t, http.StatusOK)
	for _, tt := range []struct{ what, method, path, body string }{
		{"create a pledge", "POST", "/v1/districts/gwangsan/pledges", `{"title": "누구나 만든 공약"}`},
		{"edit a pledge", "PATCH", "/v1/" + card, `{"title": "누구나 고친 제목"}`},
		{"delete a pledge", "DELETE", "/v1/" + card, ""},
		{"rename the district", "PATCH", "/v1/districts/gwangsan", `{"displayName": "아무구"}`},
		{"create a district", "POST", "/v1/districts?districtId=anygu", `{"displayName": "아무구", "kind": "DISTRICT_KIND_AUTONOMOUS_DISTRICT"}`},
		{"write a budget of ₩999조", "PATCH", "/v1/" + card + "/budget?allowMissing=true",
			`{"etag": "` + plan.str("etag") + `", "lines": [{"source": "FUNDING_SOURCE_LOCAL", "year": 2020, "plannedWon": "999000000000000000"}]}`},
		{"delete the budget", "DELETE", "/v1/" + card + "/budget?etag=" + plan.str("etag"), ""},
		{"read a pledge", "GET", "/v1/" + card, ""},
	} {
		var body any
		if tt.body != "" {
			body = tt.body
		}
		if resp := anon.call(t, tt.method, tt.path, body); resp.status != http.StatusUnauthorized || resp.header.Get("WWW-Authenticate") == "" && tt.method != "GET" {
			t.Errorf("anonymous: %s answered %d %s", tt.what, resp.status, resp.raw)
		}
	}
	if snapshotPledges(t, r.dbURL) != before {
		t.Error("anonymous calls changed the pledge schema")
	}
	if got := r.call(t, "GET", "/v1/"+card+"/budget", nil).str("etag"); got != plan.str("etag") {
		t.Error("anonymous calls changed the budget")
	}

	// A form another site posts: text/plain, no credential of the user
	// (the browser sends none with it). And what a page of that site may
	// ask beforehand.
	form, _ := http.NewRequest("POST", r.base+"/v1/districts/gwangsan/pledges", strings.NewReader(`{"title": "위조 요청"}`))
	form.Header.Set("Content-Type", "text/plain")
	form.Header.Set("Origin", "http://evil.example")
	if resp := do(t, r, form); resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a cross-site form: %d, allow-origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	form, _ = http.NewRequest("POST", r.base+"/v1/districts/gwangsan/pledges", strings.NewReader(`{"title": "위조 요청"}`))
	form.Header.Set("Content-Type", "text/plain")
	form.Header.Set("Authorization", bearer(r.credential))
	if resp := do(t, r, form); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a text/plain write with a credential: %d", resp.StatusCode)
	}
	pre, _ := http.NewRequest("OPTIONS", r.base+"/v1/districts/gwangsan/pledges", nil)
	pre.Header.Set("Origin", "http://evil.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	if resp := do(t, r, pre); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a preflight from another site: %d", resp.StatusCode)
	}

	// Headers a caller writes name no role: personal data stays masked for
	// a viewer saying personal-data, over REST and over gRPC, and shows for
	// the holder of the grant.
	tf := r.call(t, "POST", "/v1/districts/gwangsan/programs", map[string]any{"kind": "PROGRAM_KIND_TASK_FORCE", "title": "광산구정혁신 TF", "pledges": []string{card}}).must(t, http.StatusOK)
	member := r.call(t, "POST", "/v1/"+tf.str("name")+"/members", map[string]any{
		"person": map[string]string{"name": "홍길동", "phone": "010-2468-1357", "email": "gildong@example.kr"}, "role": "MEMBER_ROLE_CITIZEN",
	}).must(t, http.StatusOK)
	viewer := r.as(t, "gwangsan-viewer")
	got := viewer.call(t, "GET", "/v1/"+member.str("name"), nil, "X-Gongyak-Roles", "personal-data", "Grpc-Metadata-X-Gongyak-Roles", "personal-data").must(t, http.StatusOK)
	if got.str("person.name") != "홍*동" || got.str("person.phone") != "010-****-1357" {
		t.Errorf("a roles header unmasked personal data over REST: %s", got.raw)
	}
	conn, err := grpcclient.Dial(r.addrs["participation"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", bearer(viewer.credential), "x-gongyak-roles", "personal-data")
	m, err := participationv1.NewParticipationServiceClient(conn).GetMember(ctx, &participationv1.GetMemberRequest{Name: member.str("name")})
	if err != nil || m.GetPerson().GetName() != "홍*동" {
		t.Errorf("a roles header unmasked personal data over gRPC: %v %v", m.GetPerson().GetName(), err)
	}
	if got := r.as(t, "gwangsan-privacy").call(t, "GET", "/v1/"+member.str("name"), nil).must(t, http.StatusOK); got.str("person.name") != "홍길동" {
		t.Errorf("the holder of personal-data sees %s", got.raw)
	}

	// A registrar header backdates no ballot: not to 2001, not at all.
	eval := r.call(t, "POST", "/v1/districts/gwangsan/programs", map[string]any{"kind": "PROGRAM_KIND_POLICY_COMPETITION", "title": "지난 평가",
		"votingWindow": map[string]string{"openTime": "2001-01-01T00:00:00Z", "closeTime": "2001-12-31T00:00:00Z"}}).must(t, http.StatusOK)
	entry := r.call(t, "POST", "/v1/"+eval.str("name")+"/entries", map[string]any{"title": "옛 정책", "panelScore": "80"}).must(t, http.StatusOK)
	for _, who := range []string{"gwangsan-viewer", "gwangsan-editor"} {
		resp := r.as(t, who).call(t, "POST", "/v1/"+eval.str("name")+"/ballots", map[string]any{"citizenId": "010-1111-2222", "castTime": "2001-06-01T00:00:00Z",
			"scores": []map[string]any{{"entry": entry.str("name"), "score": 5}}}, "X-Gongyak-Roles", "registrar", "Grpc-Metadata-X-Gongyak-Roles", "registrar")
		if resp.status == http.StatusOK {
			t.Errorf("%s with a registrar header backdated a ballot to 2001", who)
		}
	}

	// The gRPC ports take nothing from a caller without a credential, nor
	// from one whose token nobody issued; reflection is off.
	pconn, err := grpcclient.Dial(r.addrs["pledge"])
	if err != nil {
		t.Fatal(err)
	}
	defer pconn.Close()
	pledges := pledgev1.NewPledgeServiceClient(pconn)
	_, err = pledges.CreatePledge(context.Background(), &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "gRPC로 몰래"}})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("an anonymous gRPC write: %v", err)
	}
	forged := metadata.AppendToOutgoingContext(context.Background(), "authorization", bearer(r.credential[:len(r.credential)-6]+"AAAAAA"))
	if _, err := pledges.GetPledge(forged, &pledgev1.GetPledgeRequest{Name: card}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("a forged token over gRPC: %v", err)
	}
	stream, err := reflectionpb.NewServerReflectionClient(pconn).ServerReflectionInfo(context.Background())
	if err == nil {
		stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}) //nolint:errcheck // see Recv
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("reflection without being configured: %v", err)
	}
	if snapshotPledges(t, r.dbURL) != before {
		t.Error("the refused calls changed the pledge schema")
	}
}

func do(t *testing.T, r *running, req *http.Request) *http.Response {
	t.Helper()
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // the status and headers are what count
	resp.Body.Close()
	return resp
}

// TestTheEdgeCutsSlowBodiesAndLimitsRates runs the gateway with a short
// request timeout and a low rate: a body sent a byte a second is cut
// within the timeout, and a burst gets 429 with Retry-After.
func TestTheEdgeCutsSlowBodiesAndLimitsRates(t *testing.T) {
	r := startSuiteWith(t, suiteOptions{services: []string{"pledge"}, env: []string{"GONGYAK_REQUEST_TIMEOUT=2s", "GONGYAK_RATE_LIMIT=5"}})
	conn, err := net.Dial("tcp", r.addrs["gateway"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/districts/gwangsan/pledges HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: %s\r\nContent-Length: 1000\r\n\r\n", bearer(r.credential))
	start := time.Now()
	cut := false
	for time.Since(start) < 10*time.Second {
		if _, err := conn.Write([]byte(" ")); err != nil {
			cut = true
			break
		}
		conn.SetReadDeadline(time.Now().Add(time.Second)) //nolint:errcheck // a read that times out is fine
		if n, err := conn.Read(make([]byte, 512)); n > 0 || err != nil && !isTimeout(err) {
			cut = true
			break
		}
	}
	if !cut || time.Since(start) > 4*time.Second {
		t.Errorf("a slow body held its connection for %s (cut %v), with a request timeout of 2s", time.Since(start).Round(100*time.Millisecond), cut)
	}

	limited := 0
	for i := range 30 {
		resp := r.call(t, "GET", "/v1/districts", nil)
		if resp.status == http.StatusTooManyRequests {
			limited++
			if resp.header.Get("Retry-After") == "" || resp.get("code") != float64(8) {
				t.Errorf("request %d: 429 without Retry-After or RESOURCE_EXHAUSTED: %s", i, resp.raw)
			}
		}
	}
	if limited == 0 {
		t.Error("30 requests at once from one address at a limit of 5 a second: none was limited")
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestARevokedKeyIsRefusedEverywhereWithinTheCacheTime uses a key on every
// service, revokes it, and finds it refused at once by the pledge service
// and by all within the services' key cache time.
func TestARevokedKeyIsRefusedEverywhereWithinTheCacheTime(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	card := r.importCard(t)
	created := r.call(t, "POST", "/v1/districts/gwangsan/apiKeys", map[string]any{"displayName": "재정 시스템", "scopes": []string{"read"}}).must(t, http.StatusOK)
	key := r.as(t, created.str("secret"))
	reads := []string{"/v1/" + card, "/v1/" + card + "/budget", "/v1/" + card + "/indicators", "/v1/districts/gwangsan/programs?filter=" + url.QueryEscape(`pledges:"`+card+`"`)}
	for _, path := range reads {
		key.call(t, "GET", path, nil).must(t, http.StatusOK)
	}
	key.call(t, "POST", "/v1/districts/gwangsan/pledges", map[string]any{"title": "읽기 키로 쓰기"}).must(t, http.StatusForbidden)
	r.call(t, "POST", "/v1/"+created.str("apiKey.name")+":revoke", map[string]any{}).must(t, http.StatusOK)
	revoked := time.Now()
	key.call(t, "GET", reads[0], nil).must(t, http.StatusUnauthorized)
	for _, path := range reads {
		for key.call(t, "GET", path, nil).status != http.StatusUnauthorized {
			if time.Since(revoked) > keyCacheTTL+time.Second {
				t.Fatalf("%s still takes the revoked key %s after revoking it", path, time.Since(revoked))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("refused everywhere %s after revoking (cache %s)", time.Since(revoked).Round(10*time.Millisecond), keyCacheTTL)

	// No service takes a key cache longer than 30 s.
	out := &harness.Output{}
	p, err := suite.Start("budget", filepath.Join(binDir, "budget"), nil, append(serviceDatabaseURLs(r.dbURL), "GONGYAK_API_KEY_CACHE_TTL=31s",
		"GONGYAK_BUDGET_ADDR=127.0.0.1:0"), out, false)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
		if !strings.Contains(out.String(), "at most 30s") {
			t.Errorf("a 31 s key cache: %s", out.String())
		}
	case <-time.After(30 * time.Second):
		p.Stop(5 * time.Second) //nolint:errcheck // failing anyway
		t.Error("the budget service started with a 31 s key cache")
	}
}

// TestTheAuditLogRecordsEveryServicesChanges imports the card and changes
// its budget as the district's admin, and reads the merged log: events of
// all four services, each saying who, from where and in which request.
func TestTheAuditLogRecordsEveryServicesChanges(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	admin := r.as(t, "gwangsan-admin")
	r.seedGwangsan(t)
	raw, err := os.ReadFile(seedCardPath)
	if err != nil {
		t.Fatal(err)
	}
	card := admin.call(t, "POST", "/v1/districts/gwangsan/pledges:import", map[string]any{"cardText": string(raw), "term": 7}).must(t, http.StatusOK).str("pledge.name")
	plan := admin.call(t, "GET", "/v1/"+card+"/budget", nil).must(t, http.StatusOK)
	admin.call(t, "PATCH", "/v1/"+card+"/budget", map[string]any{"etag": plan.str("etag"), "asOfDate": map[string]int{"year": 2021, "month": 12, "day": 31}},
		"X-Request-Id", "audit-e2e-budget").must(t, http.StatusOK)

	log := admin.call(t, "GET", "/v1/districts/gwangsan/auditEvents?pageSize=500&filter="+url.QueryEscape(`actor = "user:gwangsan-admin*"`), nil).must(t, http.StatusOK)
	events, _ := log.get("auditEvents").([]any)
	services := map[string]int{}
	var budgetUpdate map[string]any
	for _, e := range events {
		ev := e.(map[string]any)
		services[ev["service"].(string)]++
		if ev["requestId"] == "audit-e2e-budget" {
			budgetUpdate = ev
		}
		if ev["actor"] != "user:gwangsan-admin@"+strings.TrimPrefix(r.idp.issuer, "http://") || ev["clientAddress"] != "127.0.0.1" {
			t.Errorf("event %v", ev)
		}
	}
	for _, s := range []string{"pledge", "budget", "indicator", "participation"} {
		if services[s] == 0 {
			t.Errorf("no %s events in the merged log: %v", s, services)
		}
	}
	if budgetUpdate == nil || budgetUpdate["action"] != "update" || budgetUpdate["resource"] != card+"/budget" ||
		budgetUpdate["after"].(map[string]any)["asOfDate"] == nil {
		t.Errorf("the budget's update: %v", budgetUpdate)
	}
	r.as(t, "gwangsan-viewer").call(t, "GET", "/v1/districts/gwangsan/auditEvents", nil).must(t, http.StatusForbidden)
}

// TestAPublishedTermIsReadableWithoutSigningIn publishes 민선 7기: the card
// comes whole to a caller without a credential, personal data masked, and
// nothing else does.
func TestAPublishedTermIsReadableWithoutSigningIn(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	card := r.importCard(t)
	anon := r.as(t, "")
	anon.call(t, "GET", "/v1/"+card+":card", nil).must(t, http.StatusUnauthorized)
	d := r.call(t, "GET", "/v1/districts/gwangsan", nil).must(t, http.StatusOK)
	terms := d.get("terms").([]any)
	for _, term := range terms {
		if term.(map[string]any)["number"] == float64(7) {
			term.(map[string]any)["public"] = true
		}
	}
	r.as(t, "gwangsan-admin").call(t, "PATCH", "/v1/districts/gwangsan?updateMask=terms", map[string]any{"etag": d.str("etag"), "terms": terms}).must(t, http.StatusOK)

	got := anon.call(t, "GET", "/v1/"+card+":card", nil).must(t, http.StatusOK)
	for _, s := range []string{"budgetSection", "indicatorSection", "participationSection"} {
		if got.str(s+".state") != "SECTION_STATE_AVAILABLE" {
			t.Errorf("the published card's %s: %s", s, got.get(s))
		}
	}
	awards := got.get("programs").([]any)[0].(map[string]any)["contestResults"].(map[string]any)["awards"].([]any)
	if len(awards) != 7 || awards[0].(map[string]any)["proposer"] != "정*정" {
		t.Errorf("the published contest: %v", awards)
	}
	program := got.get("programs").([]any)[0].(map[string]any)["program"].(map[string]any)["name"].(string)
	anon.call(t, "GET", "/v1/"+program+"/submissions", nil).must(t, http.StatusUnauthorized)
	anon.call(t, "GET", "/v1/districts/gwangsan/departments", nil).must(t, http.StatusUnauthorized)
	anon.call(t, "PATCH", "/v1/"+card, map[string]any{"title": "x"}).must(t, http.StatusUnauthorized)
}

// TestServicesSpeakTLSWhenConfigured runs the suite with TLS between the
// gateway and the services and among them (a CA of the test's): a card
// gathered from every service answers whole, and a service refuses a
// caller who speaks plaintext or shows no certificate.
func TestServicesSpeakTLSWhenConfigured(t *testing.T) {
	files := tlstest.Certificates(t)
	r := startSuiteWith(t, suiteOptions{tls: true, services: []string{"pledge", "budget", "indicator", "participation", "events"},
		env: []string{"GONGYAK_TLS_CERT=" + files.Cert, "GONGYAK_TLS_KEY=" + files.Key, "GONGYAK_TLS_CA=" + files.CA}})
	card := r.importCard(t)
	got := r.call(t, "GET", "/v1/"+card+":card", nil).must(t, http.StatusOK)
	for _, s := range []string{"budgetSection", "indicatorSection", "participationSection"} {
		if got.str(s+".state") != "SECTION_STATE_AVAILABLE" {
			t.Errorf("over TLS, the card's %s: %s", s, got.get(s))
		}
	}
	tlstest.CheckCallers(t, r.addrs["budget"], files)
}
