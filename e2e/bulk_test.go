package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestABulkExportImportedIntoAnotherSuiteReproducesTheCard imports the
// seed card into one suite, exports the district as a caller who may see
// its personal data, and imports the file into a second, empty suite: the
// card reads the same there — its text rendering identical, its JSON equal
// apart from etags, with the same ids and history times.
func TestABulkExportImportedIntoAnotherSuiteReproducesTheCard(t *testing.T) {
	from := startSuite(t, "", "pledge", "budget", "indicator", "participation")
	from.seedGwangsan(t)
	text, err := os.ReadFile(seedCardPath)
	if err != nil {
		t.Fatal(err)
	}
	name := from.call(t, "POST", "/v1/districts/gwangsan/pledges:import", map[string]any{"cardText": string(text), "term": 7}).must(t, http.StatusOK).str("pledge.name")

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

	for _, path := range []string{"/v1/" + name + ":render?format=text", "/v1/" + name + "/statusChanges"} {
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
