package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestABulkExportImportedIntoAnotherSuiteReproducesTheCard imports the
// seed card into one suite, gives it a photo, citizens' ballots and survey
// responses, exports the district as a caller who may see its personal
// data, and imports the file into a second, empty suite with the same
// citizen key: the card reads the same there — its text rendering
// identical, its JSON equal apart from etags, with the same ids and
// history times — and so do the photo, the tally and the survey's
// results. A third suite, with another citizen key, refuses the file for
// its ballots and writes nothing.
func TestABulkExportImportedIntoAnotherSuiteReproducesTheCard(t *testing.T) {
	from := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	from.seedGwangsan(t)
	text, err := os.ReadFile(seedCardPath)
	if err != nil {
		t.Fatal(err)
	}
	name := from.call(t, "POST", "/v1/districts/gwangsan/pledges:import", map[string]any{"cardText": string(text), "term": 7}).must(t, http.StatusOK).str("pledge.name")
	from.call(t, "POST", "/v1/"+name+"/photos/2:upload", onePixelPNG, "Content-Type", "image/png").must(t, http.StatusOK)
	eval, survey := participate(t, from, name)

	export := from.as(t, "gwangsan-privacy").export(t, "gwangsan")
	if !strings.Contains(export[0], `"masked":false`) || !strings.Contains(export[0], `"citizenKeyFingerprint":"`) {
		t.Errorf("the header: %s", export[0])
	}

	to := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	file := strings.Join(export, "\n") + "\n"
	imported := to.importData(t, file).must(t, http.StatusOK)
	if imported.str("district") != "districts/gwangsan" || imported.get("rows.budget") == "0" {
		t.Errorf("import answered %s", imported.raw)
	}
	again := to.importData(t, file).must(t, http.StatusOK)
	if got := again.get("alreadyImported"); len(got.([]any)) != 4 {
		t.Errorf("the same export again: %s", again.raw)
	}

	for _, path := range []string{"/v1/" + name + ":render?format=text", "/v1/" + name + "/statusChanges", "/v1/" + name + "/photos/2:content",
		"/v1/" + eval + "/tally", "/v1/" + survey + "/surveyResults", "/v1/" + eval + "/ballots", "/v1/" + survey + "/responses"} {
		s1, _, want := from.fetch(t, path)
		s2, _, got := to.fetch(t, path)
		if s1 != http.StatusOK || s2 != s1 || got != want {
			t.Errorf("%s differs after the round trip (%d, %d):\n%.1500s\n---\n%.1500s", path, s1, s2, want, got)
		}
	}
	want := withoutEtags(from.call(t, "GET", "/v1/"+name+":card", nil).must(t, http.StatusOK).body)
	got := withoutEtags(to.call(t, "GET", "/v1/"+name+":card", nil).must(t, http.StatusOK).body)
	if !reflect.DeepEqual(got, want) {
		w, _ := json.Marshal(want)
		g, _ := json.Marshal(got)
		t.Errorf("the card differs after the round trip:\n%s\n---\n%s", w, g)
	}

	otherKey := startSuiteWith(t, suiteOptions{services: []string{"pledge", "budget", "indicator", "participation"},
		env: []string{"GONGYAK_CITIZEN_KEY=another-citizen-key-fedcba9876543210fedcba98"}})
	refused := otherKey.importData(t, file).must(t, http.StatusBadRequest)
	v := refused.violations()
	if len(v) != 1 || !strings.HasPrefix(v[0], "line ") || !strings.Contains(string(refused.raw), "participation.ballots are keyed by the citizen key") ||
		!strings.Contains(string(refused.raw), "GONGYAK_CITIZEN_KEY") {
		t.Errorf("a suite with another citizen key: %s", refused.raw)
	}
	otherKey.call(t, "GET", "/v1/districts/gwangsan", nil).must(t, http.StatusNotFound)
}

// onePixelPNG is a whole PNG image of one pixel.
var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82")

// participate has citizens take part in the card's programs, as the API
// lets them: three ballots in a policy competition open now, and two
// responses (one with a free-text answer) to a survey. It returns the two
// programs' names.
func participate(t *testing.T, r *running, card string) (eval, survey string) {
	t.Helper()
	now := time.Now()
	open := map[string]string{"openTime": now.Add(-time.Hour).Format(time.RFC3339), "closeTime": now.Add(time.Hour).Format(time.RFC3339)}
	eval = r.call(t, "POST", "/v1/districts/gwangsan/programs?programId=competition", map[string]any{
		"kind": "PROGRAM_KIND_POLICY_COMPETITION", "title": "행복정책 경진대회", "pledges": []string{card},
		"votingWindow": open, "ballotScaleMax": 5, "citizenWeightPercent": 50, "panelWeightPercent": 50,
	}).must(t, http.StatusOK).str("name")
	var entries []string
	for i, title := range []string{"마을 돌봄 공유 부엌", "아이 안심 등하굣길"} {
		entries = append(entries, r.call(t, "POST", "/v1/"+eval+"/entries", map[string]any{"title": title, "panelScore": fmt.Sprint(70 + 10*i)}).
			must(t, http.StatusOK).str("name"))
	}
	for c := range 3 {
		r.call(t, "POST", "/v1/"+eval+"/ballots", map[string]any{"citizenId": fmt.Sprintf("010-5555-%04d", c),
			"scores": []map[string]any{{"entry": entries[c%2], "score": 1 + c}}}).must(t, http.StatusOK)
	}
	survey = r.call(t, "POST", "/v1/districts/gwangsan/programs?programId=survey", map[string]any{
		"kind": "PROGRAM_KIND_SURVEY", "title": "만족도 조사", "pledges": []string{card}, "responseWindow": open,
	}).must(t, http.StatusOK).str("name")
	scale := r.call(t, "POST", "/v1/"+survey+"/questions", map[string]any{"text": "만족하십니까?", "kind": "QUESTION_KIND_SCALE", "scaleMin": 1, "scaleMax": 5}).
		must(t, http.StatusOK).str("name")
	free := r.call(t, "POST", "/v1/"+survey+"/questions", map[string]any{"text": "바라는 점", "kind": "QUESTION_KIND_FREE_TEXT"}).must(t, http.StatusOK).str("name")
	for c, say := range []string{"골목길이 밝아졌으면 합니다", ""} {
		answers := []map[string]any{{"question": scale, "scaleValue": 3 + c}}
		if say != "" {
			answers = append(answers, map[string]any{"question": free, "text": say})
		}
		r.call(t, "POST", "/v1/"+survey+"/responses", map[string]any{"citizenId": fmt.Sprintf("010-6666-%04d", c), "answers": answers}).must(t, http.StatusOK)
	}
	return eval, survey
}

// TestAnImportRefusesMaskedExportsAndBadLines exports as a viewer, whose
// export is masked and says so, and sees an import refuse it; a file with
// a bad line is refused naming the line.
func TestAnImportRefusesMaskedExportsAndBadLines(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	r.seedGwangsan(t)
	text, err := os.ReadFile(seedCardPath)
	if err != nil {
		t.Fatal(err)
	}
	r.call(t, "POST", "/v1/districts/gwangsan/pledges:import", map[string]any{"cardText": string(text), "term": 7}).must(t, http.StatusOK)

	masked := r.as(t, "gwangsan-viewer").export(t, "gwangsan")
	if !strings.Contains(masked[0], `"masked":true`) {
		t.Fatalf("a viewer's export does not say it is masked: %s", masked[0])
	}
	if joined := strings.Join(masked, "\n"); !strings.Contains(joined, `정*정`) {
		t.Errorf("a viewer's export does not hold the masked proposers")
	}
	refused := r.importData(t, strings.Join(masked, "\n")).must(t, http.StatusBadRequest)
	if v := strings.Join(refused.violations(), " "); v != "line 1" || !strings.Contains(string(refused.raw), "masked") {
		t.Errorf("a masked export: %s", refused.raw)
	}

	whole := r.as(t, "gwangsan-privacy").export(t, "gwangsan")
	whole[3] = `{"type": "budget.lines", "resource": not json}`
	bad := r.importData(t, strings.Join(whole, "\n")).must(t, http.StatusBadRequest)
	if v := strings.Join(bad.violations(), " "); !strings.Contains(v, "line 4") {
		t.Errorf("a bad line 4: %s", bad.raw)
	}
}

// export reads a district's export, line by line.
func (r *running) export(t *testing.T, district string) []string {
	t.Helper()
	status, contentType, body := r.fetch(t, "/v1/districts/"+district+":exportData")
	if status != http.StatusOK || !strings.HasPrefix(contentType, "application/x-ndjson") {
		t.Fatalf("export: %d %s %.500s", status, contentType, body)
	}
	return strings.Split(strings.TrimSuffix(body, "\n"), "\n")
}

// importData posts an export to districts:importData.
func (r *running) importData(t *testing.T, file string) response {
	t.Helper()
	req, err := http.NewRequest("POST", r.base+"/v1/districts:importData", bytes.NewReader([]byte(file)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", bearer(r.credential))
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := response{status: resp.StatusCode, header: resp.Header}
	out.raw, _ = io.ReadAll(resp.Body)
	if err := json.Unmarshal(out.raw, &out.body); err != nil {
		t.Fatalf("import answered %d with %q", resp.StatusCode, out.raw)
	}
	return out
}

// withoutEtags drops every etag from decoded JSON.
func withoutEtags(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if k != "etag" {
				out[k] = withoutEtags(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withoutEtags(x)
		}
		return out
	}
	return v
}
