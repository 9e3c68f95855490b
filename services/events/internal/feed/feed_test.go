package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/eventbus/eventbustest"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
)

// bus is an embedded NATS server with the changes stream, and a publisher
// that publishes as a service's relay does.
type bus struct {
	js     jetstream.JetStream
	reader *Reader
	n      int
}

func newBus(t *testing.T) *bus {
	t.Helper()
	_, js := eventbustest.Start(t)
	return &bus{js: js, reader: New(js, slog.New(slog.NewTextHandler(io.Discard, nil)))}
}

// publish publishes a change of resource name (districts/{d}/…) by
// service, made at when, and returns its event id.
func (b *bus) publish(t *testing.T, service, action, name string, when time.Time) string {
	t.Helper()
	b.n++
	district, _, _ := strings.Cut(strings.TrimPrefix(name, "districts/"), "/")
	typ, err := eventbus.Type(service, eventbus.ResourceType(name), action)
	if err != nil {
		t.Fatal(err)
	}
	subject, err := eventbus.Subject(district, typ)
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("e%d", b.n)
	data, _ := json.Marshal(eventbus.Event{SpecVersion: eventbus.SpecVersion, ID: id, Source: eventbus.Source(service), Type: typ,
		Subject: name, Time: when, DataContentType: "application/json", District: district,
		Data: json.RawMessage(`{"name":"` + name + `"}`)})
	if _, err := b.js.Publish(t.Context(), subject, data, jetstream.WithMsgID(id)); err != nil {
		t.Fatal(err)
	}
	return id
}

func ids(cs []Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Event.ID)
	}
	return out
}

func query(t *testing.T, district, token, filterText string) Query {
	t.Helper()
	f, err := ParseFilter("filter", filterText)
	if err != nil {
		t.Fatal(err)
	}
	q := Query{District: district, Filter: f}
	if token != "" {
		seq, err := ParseCursor(token)
		if err != nil {
			t.Fatal(err)
		}
		q.After, q.HasAfter = seq, true
	}
	return q
}

// readAll pages through district's feed from token, size at a time, and
// returns every change's id and the token to resume with.
func readAll(t *testing.T, r *Reader, district, token, filterText string, size int) ([]string, string) {
	t.Helper()
	var got []string
	for range 100 {
		page, err := r.List(t.Context(), query(t, district, token, filterText), size)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids(page.Changes)...)
		token = Cursor(page.Next)
		if len(page.Changes) < size {
			return got, token
		}
	}
	t.Fatal("the feed never ended")
	return nil, ""
}

func codeOf(err error) codes.Code { return apierr.ToStatus(err).Code() }

// A poller paging through its district's feed, then resuming from the
// token of its last (empty) page, sees each change once, in order, and
// none of another district's.
func TestAReaderResumingFromItsCursorSeesEachChangeOnceAndOnlyItsDistricts(t *testing.T) {
	b := newBus(t)
	now := time.Now()
	var want []string
	for i := range 5 {
		want = append(want, b.publish(t, "pledge", "update", fmt.Sprintf("districts/gwangsan/pledges/p%d", i), now))
		b.publish(t, "pledge", "update", fmt.Sprintf("districts/seogu/pledges/p%d", i), now)
	}
	got, token := readAll(t, b.reader, "gwangsan", "", "", 2)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pages of 2 from the start read %v, want %v", got, want)
	}
	// Nothing new: an empty page, and a token all the same.
	page, err := b.reader.List(t.Context(), query(t, "gwangsan", token, ""), 10)
	if err != nil || len(page.Changes) != 0 {
		t.Fatalf("a page after the end = %v, %v; want empty", ids(page.Changes), err)
	}
	token = Cursor(page.Next)
	b.publish(t, "budget", "create", "districts/seogu/pledges/p1/budget", now)
	later := []string{b.publish(t, "budget", "create", "districts/gwangsan/pledges/p1/budget", now),
		b.publish(t, "pledge", "delete", "districts/gwangsan/pledges/p2", now)}
	got, _ = readAll(t, b.reader, "gwangsan", token, "", 10)
	if fmt.Sprint(got) != fmt.Sprint(later) {
		t.Errorf("resuming read %v, want only the later changes %v", got, later)
	}
	seogu, _ := readAll(t, b.reader, "seogu", "", "", 100)
	if len(seogu) != 6 {
		t.Errorf("seogu's feed has %d changes, want its own 6: %v", len(seogu), seogu)
	}
}

// A cursor whose changes the stream no longer keeps is refused with
// FAILED_PRECONDITION, as is one from a stream since started over.
func TestACursorOlderThanTheStreamIsAFailedPrecondition(t *testing.T) {
	b := newBus(t)
	b.publish(t, "pledge", "create", "districts/gwangsan/pledges/a", time.Now())
	page, err := b.reader.List(t.Context(), query(t, "gwangsan", "", ""), 1)
	if err != nil || len(page.Changes) != 1 {
		t.Fatalf("first page: %v, %v", ids(page.Changes), err)
	}
	token := Cursor(page.Next)
	b.publish(t, "pledge", "create", "districts/gwangsan/pledges/b", time.Now())
	b.publish(t, "pledge", "create", "districts/gwangsan/pledges/c", time.Now())
	s, err := b.js.Stream(t.Context(), eventbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	// The stream drops what it kept, as MaxAge does after 30 days.
	if err := s.Purge(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, err = b.reader.List(t.Context(), query(t, "gwangsan", token, ""), 10)
	if codeOf(err) != codes.FailedPrecondition {
		t.Fatalf("an expired cursor got %v, want FAILED_PRECONDITION", err)
	}
	err = b.reader.Watch(t.Context(), query(t, "gwangsan", token, ""), func() error { return nil }, func(Change) error { return nil })
	if codeOf(err) != codes.FailedPrecondition {
		t.Errorf("watching from an expired cursor got %v, want FAILED_PRECONDITION", err)
	}
	_, err = b.reader.List(t.Context(), query(t, "gwangsan", Cursor(1000), ""), 10)
	if codeOf(err) != codes.FailedPrecondition {
		t.Errorf("a cursor past the stream's end got %v, want FAILED_PRECONDITION", err)
	}
	// Starting again from the beginning works, and reads what is new.
	d := b.publish(t, "pledge", "create", "districts/gwangsan/pledges/d", time.Now())
	if got, _ := readAll(t, b.reader, "gwangsan", "", "", 10); fmt.Sprint(got) != fmt.Sprint([]string{d}) {
		t.Errorf("from the beginning after the purge: %v, want [%s]", got, d)
	}
}

// An expired cursor on a stream configured to keep events a moment: what
// the stream keeps 30 days for is the same rule.
func TestACursorPastTheStreamsMaxAgeIsAFailedPrecondition(t *testing.T) {
	b := newBus(t)
	cfg := eventbus.StreamConfig()
	cfg.MaxAge = time.Second
	cfg.Duplicates = time.Second
	if _, err := b.js.UpdateStream(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	b.publish(t, "pledge", "create", "districts/gwangsan/pledges/a", time.Now())
	b.publish(t, "pledge", "create", "districts/gwangsan/pledges/b", time.Now())
	page, err := b.reader.List(t.Context(), query(t, "gwangsan", "", ""), 1)
	if err != nil || len(page.Changes) != 1 {
		t.Fatalf("first page: %v, %v", ids(page.Changes), err)
	}
	token := Cursor(page.Next)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err = b.reader.List(t.Context(), query(t, "gwangsan", token, ""), 10)
		if codeOf(err) == codes.FailedPrecondition || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if codeOf(err) != codes.FailedPrecondition {
		t.Errorf("a cursor whose next change aged out got %v, want FAILED_PRECONDITION", err)
	}
}

func TestFiltersPickResourceTypesEventTypesAndTimes(t *testing.T) {
	b := newBus(t)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	pledge := b.publish(t, "pledge", "update", "districts/gwangsan/pledges/p1", t0)
	budget := b.publish(t, "budget", "create", "districts/gwangsan/pledges/p1/budget", t0.Add(time.Hour))
	member := b.publish(t, "participation", "create", "districts/gwangsan/programs/x/members/1", t0.Add(2*time.Hour))
	deleted := b.publish(t, "pledge", "delete", "districts/gwangsan/pledges/p2", t0.Add(3*time.Hour))
	b.publish(t, "budget", "create", "districts/seogu/pledges/p1/budget", t0.Add(time.Hour))
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{`resource_type = "budget"`, []string{budget}},
		{`resource_type = budget OR resource_type = "member"`, []string{budget, member}},
		{`resource_type != "pledge"`, []string{budget, member}},
		{`type = "kr.gongyak.pledge.v1.pledge.deleted"`, []string{deleted}},
		{`NOT type = "kr.gongyak.pledge.v1.pledge.deleted" AND resource_type = "pledge"`, []string{pledge}},
		{`time >= "2026-03-01T10:00:00Z"`, []string{budget, member, deleted}},
		{`time > "2026-03-01T10:00:00Z" AND time < "2026-03-01T12:00:00+00:00"`, []string{member}},
		{`time >= "2026-03-01T19:00:00+09:00" AND resource_type = "pledge"`, []string{deleted}},
		{`resource_type = "apiKey"`, []string{}},
	} {
		got, _ := readAll(t, b.reader, "gwangsan", "", tc.filter, 2)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("filter %s read %v, want %v", tc.filter, got, tc.want)
		}
	}
}

func TestFiltersOtherThanTheFeedsAreRefusedNamingTheField(t *testing.T) {
	for _, f := range []string{
		`subject = "districts/gwangsan/pledges/p1"`,
		`district = "seogu"`,
		`time = "2026-03-01T00:00:00Z"`,
		`time >= "yesterday"`,
		`resource_type > "budget"`,
		`resource_type = "a.b"`,
		`resource_type = ">"`,
		`type = "kr.gongyak.pledge.v1.*"`,
		`resource_type =`,
	} {
		_, err := ParseFilter("filter", f)
		st := apierr.ToStatus(err)
		if st.Code() != codes.InvalidArgument {
			t.Errorf("filter %s: %v, want INVALID_ARGUMENT", f, err)
			continue
		}
		if v := apierr.FieldViolations(st); len(v) != 1 || v[0].Field != "filter" {
			t.Errorf("filter %s: violations %v, want one naming filter", f, v)
		}
	}
}

func TestCursorsRoundTripAndRefuseOtherText(t *testing.T) {
	for _, seq := range []uint64{0, 1, 1 << 40} {
		if got, err := ParseCursor(Cursor(seq)); err != nil || got != seq {
			t.Errorf("ParseCursor(Cursor(%d)) = %d, %v", seq, got, err)
		}
	}
	for _, bad := range []string{"", "12", "feed1.12", Cursor(3) + "x", "ZmVlZDEuMDEy" /* feed1.012 */} {
		if seq, err := ParseCursor(bad); err == nil {
			t.Errorf("ParseCursor(%q) = %d, want an error", bad, seq)
		}
	}
}

// A watcher from now sees the changes made after it started, and one from
// a cursor sees those after the cursor first; neither sees another
// district's.
func TestWatchFollowsTheDistrictFromNowOrFromACursor(t *testing.T) {
	b := newBus(t)
	old := b.publish(t, "pledge", "create", "districts/gwangsan/pledges/old", time.Now())
	page, err := b.reader.List(t.Context(), query(t, "gwangsan", "", ""), 10)
	if err != nil {
		t.Fatal(err)
	}
	before := Cursor(page.Next)
	missed := b.publish(t, "pledge", "update", "districts/gwangsan/pledges/old", time.Now())

	watch := func(token string, n int) (<-chan []string, <-chan struct{}) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		started := make(chan struct{})
		out := make(chan []string, 1)
		go func() {
			defer cancel()
			var got []string
			err := b.reader.Watch(ctx, query(t, "gwangsan", token, ""), func() error { close(started); return nil },
				func(c Change) error {
					got = append(got, c.Event.ID)
					if len(got) == n {
						cancel()
					}
					return nil
				})
			if err != nil && ctx.Err() == nil {
				t.Errorf("watch: %v", err)
			}
			out <- got
		}()
		return out, started
	}
	fromNow, started := watch("", 2)
	fromCursor, started2 := watch(before, 3)
	<-started
	<-started2
	b.publish(t, "pledge", "update", "districts/seogu/pledges/x", time.Now())
	n1 := b.publish(t, "budget", "create", "districts/gwangsan/pledges/old/budget", time.Now())
	n2 := b.publish(t, "pledge", "delete", "districts/gwangsan/pledges/old", time.Now())
	if got := <-fromNow; fmt.Sprint(got) != fmt.Sprint([]string{n1, n2}) {
		t.Errorf("watching from now saw %v, want %v", got, []string{n1, n2})
	}
	if got := <-fromCursor; fmt.Sprint(got) != fmt.Sprint([]string{missed, n1, n2}) {
		t.Errorf("watching from the cursor after %s saw %v, want %v", old, got, []string{missed, n1, n2})
	}
}
