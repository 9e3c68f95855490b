//go:build faults

package faults

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The binaries are built with the pledge service's fault hooks
// (importflow's crash_faultinject.go), which do nothing until a test
// writes a fault file.
func init() { buildTags = append(buildTags, "faultinject") }

// importLease is the pledge service's import lease in these tests: after a
// crash, an import waits that long for a worker (15 s by default).
const importLease = 3 * time.Second

// seedTitle is the title of the reference card.
const seedTitle = "사회적가치 제고를 위한 시민참여형 구정혁신 TF 운영"

// importSuite starts a suite whose pledge service reads its faults from a
// file of the test's.
func importSuite(t *testing.T) (*runningSuite, string) {
	faults := filepath.Join(t.TempDir(), "faults")
	s := startSuite(t, suiteOptions{env: []string{"GONGYAK_FAULT_FILE=" + faults, "GONGYAK_IMPORT_LEASE=" + importLease.String()}})
	return s, faults
}

// card is the reference card with its title marked, so that each import of
// a test makes a pledge of its own.
func card(t *testing.T, mark string) string {
	raw, err := os.ReadFile(demoCard)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), seedTitle+"\n") {
		t.Fatal("the reference card has another title")
	}
	return strings.Replace(string(raw), seedTitle+"\n", seedTitle+" ("+mark+")\n", 1)
}

// changed is a card with another budget, status and indicator target: a
// re-import of it writes the pledge, the budget and the indicator.
func changed(t *testing.T, text string) string {
	for _, c := range [][2]string{
		{"구 비\t8.5\t-\t-\t2.5\t3\t3", "구 비\t9.5\t-\t-\t3.5\t3\t3"},
		{"추진상황\t완료", "추진상황\t정상추진"},
		{"목 표\tTF 운영 계획 수립\t", "목 표\tTF 운영 계획 수립 (변경)\t"},
	} {
		if !strings.Contains(text, c[0]) {
			t.Fatalf("the reference card has no %q", c[0])
		}
		text = strings.Replace(text, c[0], c[1], 1)
	}
	return text
}

// importing is one import sent until it is answered for good.
type importing struct {
	sends  int
	answer reply
	took   time.Duration
}

// importUntilAnswered sends an import, then sends it again with the same
// request_id after no answer, a 502, 503 or 504 (honouring Retry-After),
// until it is answered for good or within runs out.
func (s *runningSuite) importUntilAnswered(t *testing.T, requestID, text string, within time.Duration) importing {
	t.Helper()
	body := map[string]any{"cardText": text, "term": 7, "requestId": requestID}
	start := time.Now()
	var im importing
	for {
		im.sends++
		ctx, cancel := context.WithTimeout(context.Background(), 70*time.Second)
		r, err := s.call(ctx, "POST", "/v1/districts/gwangsan/pledges:import", body)
		cancel()
		wait := 300 * time.Millisecond
		switch {
		case err != nil:
		case r.status == http.StatusBadGateway || r.status == http.StatusServiceUnavailable || r.status == http.StatusGatewayTimeout:
			if after, ok := retryAfter(r); ok {
				wait = min(after, time.Second)
			}
		default:
			im.answer, im.took = r, time.Since(start)
			return im
		}
		if time.Since(start) > within {
			t.Fatalf("import %s not answered for good within %s (%d sends; last: %v %d %s)", requestID, within, im.sends, err, r.status, r.raw)
		}
		time.Sleep(wait)
	}
}

// whole reads what the suite holds of a pledge a card made: the pledge,
// its budget lines, its indicators, the programs serving it and the
// submissions of each; and how many pledges carry its title.
type whole struct {
	pledge      map[string]any
	budget      []any
	indicators  []any
	programs    int
	submissions int
	sameTitle   int
}

func (s *runningSuite) whole(t *testing.T, name, title string) whole {
	t.Helper()
	var w whole
	w.pledge = s.must(t, "GET", "/v1/"+name, nil).body
	w.budget, _ = s.must(t, "GET", "/v1/"+name+"/budget", nil).get("lines").([]any)
	w.indicators, _ = s.must(t, "GET", "/v1/"+name+"/indicators?pageSize=100", nil).get("indicators").([]any)
	programs, _ := s.must(t, "GET", "/v1/districts/gwangsan/programs?pageSize=100&filter="+url.QueryEscape(`pledges:"`+name+`"`), nil).get("programs").([]any)
	w.programs = len(programs)
	for _, p := range programs {
		subs, _ := s.must(t, "GET", "/v1/"+p.(map[string]any)["name"].(string)+"/submissions?pageSize=100", nil).get("submissions").([]any)
		w.submissions += len(subs)
	}
	for token := ""; ; {
		page := s.must(t, "GET", "/v1/districts/gwangsan/pledges?pageSize=500&pageToken="+url.QueryEscape(token), nil)
		items, _ := page.get("pledges").([]any)
		for _, item := range items {
			if item.(map[string]any)["title"] == title {
				w.sameTitle++
			}
		}
		if token = page.str("nextPageToken"); token == "" {
			break
		}
	}
	return w
}

// isComplete reports whether w is everything the reference card makes,
// once.
func (w whole) isComplete() bool {
	return len(w.budget) == 3 && len(w.indicators) == 1 && w.programs == 1 && w.submissions == 7 && w.sameTitle == 1
}

// named is the name of the pledge of a title, "" when there is none.
func (s *runningSuite) named(t *testing.T, title string) string {
	t.Helper()
	for token := ""; ; {
		page := s.must(t, "GET", "/v1/districts/gwangsan/pledges?pageSize=500&pageToken="+url.QueryEscape(token), nil)
		items, _ := page.get("pledges").([]any)
		for _, item := range items {
			if p := item.(map[string]any); p["title"] == title {
				return p["name"].(string)
			}
		}
		if token = page.str("nextPageToken"); token == "" {
			return ""
		}
	}
}

// complete fails t unless w is everything the reference card makes, once.
func (w whole) complete(t *testing.T, point string) bool {
	t.Helper()
	if !w.isComplete() {
		t.Errorf("%s: the suite holds %d budget lines, %d indicators, %d programs, %d submissions, %d pledges of the title; want 3, 1, 1, 7, 1",
			point, len(w.budget), len(w.indicators), w.programs, w.submissions, w.sameTitle)
		return false
	}
	return true
}

// withoutVersions drops what every write changes (etag, update time).
func withoutVersions(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if k != "etag" && k != "updateTime" {
				out[k] = withoutVersions(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withoutVersions(x)
		}
		return out
	}
	return v
}

// TestAnImportCrashedAtEachStepEndsAsTheRuleSays is fault (d): the pledge
// service kills itself (kill -9, from its faultinject hook) at each step
// of a card import; the supervisor starts it again, and the caller sends
// the import again with its request_id until it is answered. An import
// whose pledge transaction committed rolls forward: the suite then holds
// the whole card, once. One a service refused is undone, even when the
// crash came in the middle of undoing it: the pledge, its budget and its
// indicator are as before the import.
func TestAnImportCrashedAtEachStepEndsAsTheRuleSays(t *testing.T) {
	s, faults := importSuite(t)
	// The reference card's steps: 1 the budget, 2 the indicator, 3 the
	// contest's program, 4–10 its seven submissions.
	forward := []string{"planned", "pledge", "step-1-sent", "step-1-written", "step-2-sent", "step-2-written",
		"step-3-sent", "step-3-written", "step-4-sent", "step-4-written", "step-10-sent", "step-10-written", "done"}
	undo := []string{"undoing", "undone-3", "undone-1"}
	// At this point the caller does not retry until the import is done.
	const workerPoint = "step-2-written"
	var lines []string
	sent, finished := 0, 0
	for i, point := range append(forward, undo...) {
		mark := fmt.Sprintf("d%02d", i+1)
		text := card(t, mark)
		var before whole
		var name string
		rolls := i < len(forward)
		if !rolls {
			// Undone: a re-import of a pledge that exists, refused at the
			// first submission (step 4), which crashes while undoing.
			first := s.importUntilAnswered(t, "d-first-"+mark, text, 30*time.Second)
			sent += first.sends
			name = first.answer.str("pledge.name")
			before = s.whole(t, name, seedTitle+" ("+mark+")")
			text = changed(t, text)
		}
		script := "crash " + point + "\n"
		if !rolls {
			script = "refuse step-4\n" + script
		}
		if err := os.WriteFile(faults, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		old := s.pid("pledge")
		// The first send crashes the service on its way: no answer, or
		// the gateway's 503.
		ctx, cancel := context.WithTimeout(context.Background(), 70*time.Second)
		sentAt := time.Now()
		cut, err := s.call(ctx, "POST", "/v1/districts/gwangsan/pledges:import", map[string]any{"cardText": text, "term": 7, "requestId": "d-" + mark})
		cancel()
		if err == nil && cut.status == http.StatusOK {
			t.Errorf("%s: the import was answered 200 through the crash", point)
		}
		if _, err := os.Stat(faults); err == nil {
			t.Errorf("%s: the pledge service never reached the point (the fault file is still there)", point)
			os.Remove(faults)
		}
		// Crashing again and again within 30 s, the service is started
		// again after a backoff that grows to 5 s.
		back := s.waitBack(t, "pledge", old, sentAt, 20*time.Second)
		if point == workerPoint {
			// Nobody retries: the service's own worker, acting as the
			// service, finishes the import once its lease runs out.
			title := seedTitle + " (" + mark + ")"
			deadline := time.Now().Add(30 * time.Second)
			for name := s.named(t, title); name == "" || !s.whole(t, name, title).isComplete(); name = s.named(t, title) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: the service's worker did not finish the import within 30 s", point)
				}
				time.Sleep(200 * time.Millisecond)
			}
			t.Logf("%s: the service's own worker finished the import %s after the crash, with no retry", point, time.Since(sentAt).Round(100*time.Millisecond))
		}
		im := s.importUntilAnswered(t, "d-"+mark, text, 60*time.Second)
		im.sends++
		im.took = time.Since(sentAt)
		sent += im.sends
		outcome := "rolled forward"
		if rolls {
			if im.answer.status != http.StatusOK {
				t.Errorf("%s: the import ended %d %s; want it finished", point, im.answer.status, im.answer.raw)
				continue
			}
			name = im.answer.str("pledge.name")
			if s.whole(t, name, seedTitle+" ("+mark+")").complete(t, point) {
				finished++
			}
		} else {
			outcome = "undone"
			if im.answer.status != http.StatusBadRequest || !strings.Contains(im.answer.str("message"), "injected: step-4 refused") {
				t.Errorf("%s: the refused import ended %d %s; want 400 with its refusal", point, im.answer.status, im.answer.raw)
				continue
			}
			after := s.whole(t, name, seedTitle+" ("+mark+")")
			if !reflect.DeepEqual(withoutVersions(before.pledge), withoutVersions(after.pledge)) ||
				!reflect.DeepEqual(withoutVersions(before.budget), withoutVersions(after.budget)) ||
				!reflect.DeepEqual(withoutVersions(before.indicators), withoutVersions(after.indicators)) ||
				after.submissions != before.submissions || after.programs != before.programs {
				t.Errorf("%s: the undone re-import left changes:\nbefore %v\nafter  %v", point, before, after)
			} else {
				finished++
			}
		}
		lines = append(lines, fmt.Sprintf("%-16s %-15s pledge service back in %s; sends %d, answered for good %s after the first",
			point, outcome, back.took.Round(100*time.Millisecond), im.sends, im.took.Round(100*time.Millisecond)))
	}
	t.Logf("crash points:\n%s", strings.Join(lines, "\n"))
	t.Logf("SUMMARY (d) crash at each import step: imports %d, import requests sent %d, answered %d, found as the rule says %d",
		len(forward)+len(undo), sent, len(lines), finished)
	if n := s.restarts("pledge"); n != len(forward)+len(undo) {
		t.Errorf("the supervisor started the pledge service again %d times; want %d", n, len(forward)+len(undo))
	}
}

// TestAReimportOfACardThatLostItsLayoutLosesNothing is fault (e): the
// demo card, imported by gongyak run, is imported again from a copy whose
// type-marks row lost its tabs, whose 소요예산/추진상황 row and budget
// section are gone: every stored value stays, and the answer lists each
// kept field with why.
func TestAReimportOfACardThatLostItsLayoutLosesNothing(t *testing.T) {
	s, _ := importSuite(t)
	raw, err := os.ReadFile(demoCard)
	if err != nil {
		t.Fatal(err)
	}
	lossy := string(raw)
	for _, cut := range [][2]string{
		{"\t○\t\t\t\t○\t○\t\n", "  ○        ○   ○\n"},
		{"소요예산\t8.5백만원(구 100)\t추진상황\t완료\n", ""},
	} {
		if !strings.Contains(lossy, cut[0]) {
			t.Fatalf("the reference card has no %q", cut[0])
		}
		lossy = strings.Replace(lossy, cut[0], cut[1], 1)
	}
	start, end := strings.Index(lossy, "\nIII\n"), strings.Index(lossy, "\nIV\n")
	lossy = lossy[:start] + lossy[end:]

	list := s.must(t, "GET", "/v1/districts/gwangsan/pledges?pageSize=100", nil)
	var name string
	for _, item := range list.get("pledges").([]any) {
		if p := item.(map[string]any); p["title"] == seedTitle {
			name = p["name"].(string)
		}
	}
	if name == "" {
		t.Fatal("gongyak run did not import the demo card")
	}
	before := s.whole(t, name, seedTitle)
	im := s.importUntilAnswered(t, "e-1", lossy, 30*time.Second)
	if im.answer.status != http.StatusOK {
		t.Fatalf("the re-import: %d %s", im.answer.status, im.answer.raw)
	}
	kept := map[string]string{}
	kf, _ := im.answer.get("keptFields").([]any)
	for _, k := range kf {
		k := k.(map[string]any)
		kept[k["field"].(string)] = k["reason"].(string)
	}
	for field, why := range map[string]string{
		"pledge.project_type": "lost their columns", "pledge.implementing_levels": "lost their columns",
		"pledge.completion_timing": "lost their columns", "pledge.required_budget": "no 소요예산",
		"pledge.status": "no 추진상황", "budget": "no section III",
	} {
		if !strings.Contains(kept[field], why) {
			t.Errorf("keptFields[%s] = %q; want a reason saying %q", field, kept[field], why)
		}
	}
	after := s.whole(t, name, seedTitle)
	lost := 0
	for field, was := range withoutVersions(before.pledge).(map[string]any) {
		if now := withoutVersions(after.pledge).(map[string]any)[field]; !reflect.DeepEqual(was, now) {
			lost++
			t.Errorf("pledge.%s was %v and is now %v", field, was, now)
		}
	}
	if !reflect.DeepEqual(withoutVersions(before.budget), withoutVersions(after.budget)) {
		lost++
		t.Errorf("the budget changed: %v → %v", before.budget, after.budget)
	}
	t.Logf("kept fields: %v", kept)
	t.Logf("SUMMARY (e) re-import of a card that lost its layout: answered %d; kept fields listed %d; stored pledge fields compared %d, lost %d; budget lines %d before, %d after",
		im.answer.status, len(kept), len(before.pledge), lost, len(before.budget), len(after.budget))
}
