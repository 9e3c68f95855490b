package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// jetStreamOf is a JetStream client of the NATS at url (a suite's), whose
// stream of change events the suite made.
func jetStreamOf(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// publishChange publishes an update of the pledge called name as the
// pledge service's relay does, and returns the event's id.
func publishChange(t *testing.T, js jetstream.JetStream, name string) string {
	t.Helper()
	district := strings.Split(name, "/")[1]
	typ, _ := eventbus.Type("pledge", "pledge", "update")
	subject, err := eventbus.Subject(district, typ)
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("%s@%d", name, time.Now().UnixNano())
	data, _ := json.Marshal(eventbus.Event{SpecVersion: eventbus.SpecVersion, ID: id, Source: eventbus.Source("pledge"), Type: typ,
		Subject: name, Time: time.Now(), DataContentType: "application/json", District: district,
		Data: json.RawMessage(`{"name":"` + name + `"}`)})
	if _, err := js.Publish(t.Context(), subject, data, jetstream.WithMsgID(id)); err != nil {
		t.Fatal(err)
	}
	return id
}

// changeIDs are the ids of a page of changes.
func changeIDs(resp response) []string {
	out := []string{}
	list, _ := resp.get("changes").([]any)
	for _, c := range list {
		out = append(out, c.(map[string]any)["id"].(string))
	}
	return out
}

// A district's system pages through its changes through the gateway and
// resumes from its token; it reads none of another district's, and only
// the district's readers read them at all.
func TestTheChangeFeedPagesAndResumesThroughTheGateway(t *testing.T) {
	r := startSuiteWith(t, suiteOptions{services: []string{"pledge", "events"}})
	js := jetStreamOf(t, r.nats.URL())
	p1 := publishChange(t, js, "districts/gwangsan/pledges/p1")
	publishChange(t, js, "districts/seogu/pledges/p1")
	p2 := publishChange(t, js, "districts/gwangsan/pledges/p2")

	viewer := r.as(t, "gwangsan-viewer")
	var got []string
	token := ""
	for range 5 {
		page := viewer.call(t, "GET", "/v1/districts/gwangsan/changes?pageSize=1&pageToken="+url.QueryEscape(token), nil).must(t, http.StatusOK)
		got = append(got, changeIDs(page)...)
		if token = page.str("nextPageToken"); token == "" {
			t.Fatalf("a page without a next_page_token: %s", page.raw)
		}
		if len(changeIDs(page)) == 0 {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint([]string{p1, p2}) {
		t.Fatalf("paging gwangsan's feed read %v, want %v", got, []string{p1, p2})
	}
	p3 := publishChange(t, js, "districts/gwangsan/pledges/p3")
	page := viewer.call(t, "GET", "/v1/districts/gwangsan/changes?pageToken="+url.QueryEscape(token), nil).must(t, http.StatusOK)
	if ids := changeIDs(page); fmt.Sprint(ids) != fmt.Sprint([]string{p3}) {
		t.Errorf("resuming from the last empty page's token read %v, want [%s]", ids, p3)
	}

	r.as(t, "").call(t, "GET", "/v1/districts/gwangsan/changes", nil).must(t, http.StatusUnauthorized)
	r.as(t, "seogu-admin").call(t, "GET", "/v1/districts/gwangsan/changes", nil).must(t, http.StatusForbidden)
	if v := viewer.call(t, "GET", "/v1/districts/gwangsan/changes?filter="+url.QueryEscape(`subject = "x"`), nil).must(t, http.StatusBadRequest).violations(); len(v) != 1 || v[0] != "filter" {
		t.Errorf("a filter on subject: violations %v, want filter", v)
	}
	budget := viewer.call(t, "GET", "/v1/districts/gwangsan/changes?filter="+url.QueryEscape(`resource_type = "budget"`), nil).must(t, http.StatusOK)
	if ids := changeIDs(budget); len(ids) != 0 {
		t.Errorf("filtering on budgets read %v, want none", ids)
	}
}

// sse reads a Server-Sent Events stream's events (comments skipped).
type sse struct {
	resp   *http.Response
	events chan [2]string // id, data
}

func openWatch(t *testing.T, r *running, who, lastEventID string) (*sse, int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", r.base+"/v1/districts/gwangsan/changes:watch", nil)
	if who != "" {
		req.Header.Set("Authorization", bearer(r.idp.token(t, who)))
	}
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode
	}
	s := &sse{resp: resp, events: make(chan [2]string, 16)}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var id, data string
		for sc.Scan() {
			switch line := sc.Text(); {
			case line == "" && data != "":
				s.events <- [2]string{id, data}
				id, data = "", ""
			case strings.HasPrefix(line, "id: "):
				id = line[4:]
			case strings.HasPrefix(line, "data: "):
				data += line[6:]
			}
		}
	}()
	return s, http.StatusOK
}

func (s *sse) next(t *testing.T) (string, map[string]any) {
	t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			t.Fatal("the event stream ended")
		}
		var c map[string]any
		if err := json.Unmarshal([]byte(e[1]), &c); err != nil {
			t.Fatalf("event data %q: %v", e[1], err)
		}
		return e[0], c
	case <-time.After(15 * time.Second):
		t.Fatal("no event within 15s")
	}
	return "", nil
}

// A district's system follows its changes as Server-Sent Events through
// the gateway, and reconnecting with Last-Event-ID picks up after the last
// one it got, missing none.
func TestWatchingChangesThroughTheGatewayResumesWithLastEventID(t *testing.T) {
	r := startSuiteWith(t, suiteOptions{services: []string{"events"}})
	js := jetStreamOf(t, r.nats.URL())
	if _, code := openWatch(t, r, "", ""); code != http.StatusUnauthorized {
		t.Errorf("an anonymous watch: %d, want 401", code)
	}
	if _, code := openWatch(t, r, "seogu-admin", ""); code != http.StatusForbidden {
		t.Errorf("seogu's admin watching gwangsan: %d, want 403", code)
	}
	w, code := openWatch(t, r, "gwangsan-viewer", "")
	if code != http.StatusOK {
		t.Fatalf("gwangsan's viewer watching: %d", code)
	}
	publishChange(t, js, "districts/seogu/pledges/x")
	first := publishChange(t, js, "districts/gwangsan/pledges/p1")
	lastID, c := w.next(t)
	if c["id"] != first || c["subject"] != "districts/gwangsan/pledges/p1" || lastID == "" || c["cursor"] != lastID {
		t.Fatalf("the first event: id %q, %v", lastID, c)
	}
	w.resp.Body.Close()
	// Changes made while the client is away.
	missed := []string{publishChange(t, js, "districts/gwangsan/pledges/p2"), publishChange(t, js, "districts/gwangsan/pledges/p3")}
	w, code = openWatch(t, r, "gwangsan-viewer", lastID)
	if code != http.StatusOK {
		t.Fatalf("reconnecting with Last-Event-ID: %d", code)
	}
	for _, want := range missed {
		if _, c := w.next(t); c["id"] != want {
			t.Errorf("after reconnecting got %v, want %s", c["id"], want)
		}
	}
	live := publishChange(t, js, "districts/gwangsan/pledges/p4")
	if _, c := w.next(t); c["id"] != live {
		t.Errorf("then got %v, want %s", c["id"], live)
	}
}
