package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/racetest"
	"github.com/gongyak/gongyak/services/pledge/fixture"
)

// TestTheCardsParticipationThroughREST enters the card's participation over
// REST — the committee with its declared 15 members, the clubs' 50
// applications and 10 selections, the first 2020 idea contest's seven
// awards, a six-policy citizen evaluation — reads it back, casts
// concurrent and duplicate ballots, and finds none of the personal data it
// sent in any log line or span.
func TestTheCardsParticipationThroughREST(t *testing.T) {
	rcv := newOTLPReceiver(t)
	r := startSuite(t, rcv.srv.URL, "pledge", "participation")
	r.seedGwangsan(t)
	r.call(t, "POST", "/v1/districts/gwangsan/pledges?pledgeId=innovation-tf", fixture.GwangsanJSON).must(t, http.StatusOK)
	card := "districts/gwangsan/pledges/innovation-tf"
	programs := "/v1/districts/gwangsan/programs"

	committee := r.call(t, "POST", programs+"?programId=happiness-committee", map[string]any{
		"kind": "PROGRAM_KIND_COMMITTEE", "title": "시민행복위원회", "pledges": []string{card},
		"startDate": map[string]int{"year": 2020, "month": 4, "day": 24}, "declared": map[string]int{"members": 15},
	}).must(t, http.StatusOK)
	if committee.get("declared.members") != float64(15) || committee.get("term") != float64(7) {
		t.Errorf("committee: %s", committee.raw)
	}
	clubs := r.call(t, "POST", programs+"?programId=happiness-clubs", map[string]any{
		"kind": "PROGRAM_KIND_CLUB", "title": "시민참여 행복동아리", "pledges": []string{card},
		"declared": map[string]int{"applications": 50, "selected": 10},
	}).must(t, http.StatusOK)
	back := r.call(t, "GET", "/v1/"+clubs.str("name"), nil).must(t, http.StatusOK)
	if back.get("declared.applications") != float64(50) || back.get("declared.selected") != float64(10) {
		t.Errorf("clubs read back: %s", back.raw)
	}

	kst := time.FixedZone("KST", 9*3600)
	contest := r.call(t, "POST", programs+"?programId=idea-contest-2020-1", map[string]any{
		"kind": "PROGRAM_KIND_IDEA_CONTEST", "title": "시민참여형 행복정책 아이디어 공모전 (1월)", "pledges": []string{card},
		"submissionWindow": map[string]string{
			"openTime":  time.Date(2020, 1, 20, 0, 0, 0, 0, kst).Format(time.RFC3339),
			"closeTime": time.Date(2020, 2, 14, 23, 59, 59, 0, kst).Format(time.RFC3339),
		},
	}).must(t, http.StatusOK)
	awards := []struct{ award, title, proposer string }{
		{"금상", "청각장애인 등 의사소통 취약자 관공서 이용편의 개선", "정*정"},
		{"은상", "코로나 19에 대응하는 우리들의 자매(엔프카드결제기 도입)", "이*기"},
		{"은상", "관내 기업 노후화된 직원 편의시설 개선 지원사업", "정*정"},
		{"동상", "집에서 즐기는 언택트 요가, 근력 강의", "정*원"},
		{"동상", "올해의 분리수거왕 선발", "이*현"},
		{"장려상", "동 행정복지센터 어린이 행복 공유", "전*경"},
		{"장려상", "아동과 노인의 상생하는 나라", "강*경"},
	}
	rank := map[string]int{"금상": 1, "은상": 2, "동상": 3, "장려상": 4}
	// Recording past submissions takes the right to record past ones: no
	// header a caller writes grants it, a registrar signed in has it.
	for _, who := range []string{"gwangsan-viewer", "gwangsan-editor"} {
		refused := r.as(t, who).call(t, "POST", "/v1/"+contest.str("name")+"/submissions", map[string]any{
			"title": awards[0].title, "proposer": map[string]string{"name": awards[0].proposer}, "selected": true,
			"receiveTime": time.Date(2020, 2, 1, 9, 0, 0, 0, kst).Format(time.RFC3339),
		}, "X-Gongyak-Roles", "registrar", "Grpc-Metadata-X-Gongyak-Roles", "registrar")
		if refused.status == http.StatusOK {
			t.Fatalf("%s with a registrar header backdated a submission: %s", who, refused.raw)
		}
	}
	registrar := r.as(t, "gwangsan-registrar")
	for i, a := range awards {
		registrar.call(t, "POST", "/v1/"+contest.str("name")+"/submissions", map[string]any{
			"title": a.title, "proposer": map[string]string{"name": a.proposer}, "selected": true, "award": a.award, "awardRank": rank[a.award],
			"receiveTime": time.Date(2020, 2, 1+i, 9, 0, 0, 0, kst).Format(time.RFC3339),
		}).must(t, http.StatusOK)
	}
	results := r.call(t, "GET", "/v1/"+contest.str("name")+"/contestResults", nil).must(t, http.StatusOK)
	published, _ := results.body["awards"].([]any)
	if len(published) != 7 {
		t.Fatalf("%d awards published", len(published))
	}
	for i, p := range published {
		m := p.(map[string]any)
		if m["award"] != awards[i].award || m["title"] != awards[i].title || m["proposer"] != awards[i].proposer {
			t.Errorf("award %d: %v", i, m)
		}
	}

	// Personal data the service must keep out of logs, traces and errors.
	secrets := []string{"홍길동", "010-2468-1357", "gildong@example.kr", "오필승", "010-9753-1864", "010-8642-", "1357-2468"}
	tf := r.call(t, "POST", programs, map[string]any{"kind": "PROGRAM_KIND_TASK_FORCE", "title": "광산구정혁신 TF", "pledges": []string{card},
		"declared": map[string]int{"participants": 50}}).must(t, http.StatusOK)
	member := r.call(t, "POST", "/v1/"+tf.str("name")+"/members", map[string]any{
		"person": map[string]string{"name": "홍길동", "phone": "010-2468-1357", "email": "gildong@example.kr"}, "role": "MEMBER_ROLE_CITIZEN",
	}).must(t, http.StatusOK)
	if member.str("person.name") != "홍*동" || member.str("person.phone") != "010-****-1357" {
		t.Errorf("member answered unmasked: %s", member.raw)
	}
	bad := r.call(t, "POST", "/v1/"+tf.str("name")+"/members", map[string]any{
		"person": map[string]string{"name": "오필승", "phone": "1357-2468 번으로"}, "role": "MEMBER_ROLE_CITIZEN",
	}).must(t, http.StatusBadRequest)
	if v := bad.violations(); len(v) != 1 || v[0] != "member.person.phone" {
		t.Errorf("violations %v", v)
	}

	// The six-policy evaluation, open now, weighed 50/50.
	now := time.Now()
	eval := r.call(t, "POST", programs+"?programId=policy-competition-2020", map[string]any{
		"kind": "PROGRAM_KIND_POLICY_COMPETITION", "title": "광산구 행복혁신정책 경진대회", "pledges": []string{card},
		"votingWindow":   map[string]string{"openTime": now.Add(-time.Hour).Format(time.RFC3339), "closeTime": now.Add(time.Hour).Format(time.RFC3339)},
		"ballotScaleMax": 5, "citizenWeightPercent": 50, "panelWeightPercent": 50,
	}).must(t, http.StatusOK)
	var entries []string
	for i, p := range []string{"마을 돌봄 공유 부엌", "청년 창업 공유 사무실", "어르신 디지털 배움터", "골목 상권 온라인 장터", "아이 안심 등하굣길", "탄소중립 실천 포인트"} {
		e := r.call(t, "POST", "/v1/"+eval.str("name")+"/entries", map[string]any{"title": p, "panelScore": fmt.Sprint(70 + 4*i)}).must(t, http.StatusOK)
		entries = append(entries, e.str("name"))
	}
	const citizens, attempts = 25, 3
	racetest.Together(citizens*attempts, func(k int) {
		c, attempt := k/attempts, k%attempts
		reqID := fmt.Sprintf("ballot-%d", c)
		if attempt == 2 {
			reqID += "-other"
		}
		resp := r.call(t, "POST", "/v1/"+eval.str("name")+"/ballots?requestId="+reqID, map[string]any{
			"citizenId": fmt.Sprintf("010-8642-%04d", c),
			"scores":    []map[string]any{{"entry": entries[c%6], "score": 1 + c%5}, {"entry": entries[(c+1)%6], "score": 5}},
		})
		if resp.status != http.StatusOK && resp.status != http.StatusConflict {
			t.Errorf("ballot %d/%d: %d %s", c, attempt, resp.status, resp.raw)
		}
	})
	tally := r.call(t, "GET", "/v1/"+eval.str("name")+"/tally", nil).must(t, http.StatusOK)
	if tally.get("ballots") != float64(citizens) {
		t.Errorf("%v ballots counted from %d citizens", tally.get("ballots"), citizens)
	}
	var scored float64
	for _, e := range tally.body["entries"].([]any) {
		scored += e.(map[string]any)["ballots"].(float64)
	}
	if scored != 2*citizens {
		t.Errorf("%v entry scores from %d two-score ballots", scored, citizens)
	}
	got := r.call(t, "GET", "/v1/"+eval.str("name"), nil).must(t, http.StatusOK)
	if got.get("recorded.entries") != float64(6) || got.get("recorded.ballots") != float64(citizens) {
		t.Errorf("evaluation read back: %s", got.raw)
	}

	// Wait until every ballot's spans, the gateway's and participation's,
	// have been exported, then look through everything received.
	const createBallot = "gongyak.participation.v1.ParticipationService/CreateBallot"
	rcv.until(t, "the ballots' spans", func(span) bool { return true }, func(spans []span) bool {
		seen := map[string]int{}
		for _, s := range spans {
			if s.name == createBallot {
				seen[s.service+" "+s.kind.String()]++
			}
		}
		return seen["gateway SPAN_KIND_CLIENT"] >= citizens*attempts && seen["participation SPAN_KIND_SERVER"] >= citizens*attempts
	})
	rcv.mu.Lock()
	var traced strings.Builder
	for _, s := range rcv.spans {
		traced.WriteString(s.name)
		for k, v := range s.attrs {
			traced.WriteString(" " + k + "=" + v)
		}
		traced.WriteString("\n")
	}
	rcv.mu.Unlock()
	for _, secret := range secrets {
		for name, logs := range r.logs {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the %s log holds personal data %q", name, secret)
			}
		}
		if strings.Contains(traced.String(), secret) {
			t.Errorf("a span holds personal data %q", secret)
		}
		if strings.Contains(string(bad.raw), secret) {
			t.Errorf("an error message holds personal data %q", secret)
		}
	}
	if traced.Len() == 0 {
		t.Error("no spans arrived to look through")
	}
}
