package summary_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/google/go-cmp/cmp"
)

// request is a Summarize* request as the generated messages carry one.
type request struct {
	parent, filter, token string
	groupBy               []string
	size                  int32
}

func (r request) GetParent() string    { return r.parent }
func (r request) GetGroupBy() []string { return r.groupBy }
func (r request) GetFilter() string    { return r.filter }
func (r request) GetPageSize() int32   { return r.size }
func (r request) GetPageToken() string { return r.token }

// message is a row as a response carries it.
func message(g group) string { return fmt.Sprintf("%s=%d", g.Key, g.Sum) }

// fixed reads the same page every time, counting its reads and keeping
// the query it was last asked.
type fixed struct {
	reads int
	asked summary.Query
}

func (f *fixed) read(_ context.Context, q summary.Query) ([]group, group, string, error) {
	f.reads++
	f.asked = q
	return []group{{"a", 1}, {"b", 2}}, group{Sum: 3}, "next", nil
}

func TestServeAnswersWithTheRowsAndTotalAsMessages(t *testing.T) {
	var f fixed
	req := request{parent: "districts/gwangsan", groupBy: []string{"term"}, filter: "term = 8", token: "t", size: 2}
	a, err := summary.Serve(t.Context(), req, nil, f.read, message)
	if err != nil {
		t.Fatal(err)
	}
	want := summary.Answer[string]{Rows: []string{"a=1", "b=2"}, Total: "=3", NextPageToken: "next"}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	wantQuery := summary.Query{District: "gwangsan", GroupBy: []string{"term"}, Filter: "term = 8", Token: "t", Size: 2}
	if diff := cmp.Diff(wantQuery, f.asked); diff != "" {
		t.Errorf("query read (-want +got):\n%s", diff)
	}
	if _, err := summary.Serve(t.Context(), request{parent: "districts/-"}, nil, f.read, message); err != nil || f.asked.District != "" {
		t.Errorf("districts/- read district %q (%v), want every district", f.asked.District, err)
	}
}

func TestServeRefusesABadRequestBeforeReading(t *testing.T) {
	var f fixed
	_, err := summary.Serve(t.Context(), request{parent: "pledges/1", size: -1}, nil, f.read, message)
	got := violations(t, err)
	if _, ok := got["parent"]; !ok {
		t.Errorf("violations %v name no parent", got)
	}
	if _, ok := got["page_size"]; !ok {
		t.Errorf("violations %v name no page_size", got)
	}
	if f.reads != 0 {
		t.Errorf("a bad request was read %d times", f.reads)
	}
	failing := func(context.Context, summary.Query) ([]group, group, string, error) {
		return nil, group{}, "", errors.New("down")
	}
	if _, err := summary.Serve(t.Context(), request{parent: "districts/-"}, nil, failing, message); err == nil {
		t.Error("a failed read answered")
	}
}

// TestACacheKeepsAnswersUntilAChangeOrANewYear: the same request is read
// once while nothing changes; a change, or the year turning for a summary
// that reads the calendar, reads it again, in the new year.
func TestACacheKeepsAnswersUntilAChangeOrANewYear(t *testing.T) {
	pool := pgtest.NewPool(t)
	w := pgchange.Watch(t.Context(), pool, "summary_test_changes", nil)
	year := 2026
	cache := summary.NewCache[string](w, func() int { return year })
	var f fixed
	req := request{parent: "districts/gwangsan"}
	serve := func() {
		t.Helper()
		if _, err := summary.Serve(t.Context(), req, cache, f.read, message); err != nil {
			t.Fatal(err)
		}
	}
	// The cache keeps nothing until the watcher listens.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		serve()
		before := f.reads
		serve()
		if f.reads == before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cache never kept an answer")
		}
	}
	if f.asked.Year != 2026 {
		t.Errorf("read in year %d, want 2026", f.asked.Year)
	}
	before := f.reads
	year = 2027
	serve()
	if f.reads != before+1 || f.asked.Year != 2027 {
		t.Errorf("a new year: %d reads, in year %d; want one, in 2027", f.reads-before, f.asked.Year)
	}
	serve()
	w.Changed()
	serve()
	if f.reads != before+2 {
		t.Errorf("%d reads for a new year, a kept answer and a change; want 2", f.reads-before)
	}
	other := req
	other.filter = "term = 8"
	if _, err := summary.Serve(t.Context(), other, cache, f.read, message); err != nil || f.reads != before+3 {
		t.Errorf("another filter was answered from the cache (%v)", err)
	}
}
