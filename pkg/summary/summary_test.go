package summary_test

import (
	"testing"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/google/go-cmp/cmp"
)

var dims = []summary.Dimension{
	{Name: "district", Column: "d", Zero: "''"},
	{Name: "term", Column: "t", Zero: "0"},
	{Name: "year", Column: "y", Zero: "0"},
}

// TestGroupSelectsEveryDimensionAndGroupsInTheOrderAsked: rows always carry
// every dimension (a zero where not grouped), and the groups sort in the
// order the caller listed them.
func TestGroupSelectsEveryDimensionAndGroupsInTheOrderAsked(t *testing.T) {
	var v apierr.Violations
	g := summary.Group([]string{"year", "district"}, dims, &v)
	want := summary.Grouping{Select: "d, 0, y", Clause: " GROUP BY y, d ORDER BY y, d"}
	if !v.Empty() || g != want {
		t.Errorf("Group = %+v (%v), want %+v", g, v.Err(), want)
	}
	if g := summary.Group(nil, dims, &v); g.Select != "'', 0, 0" || g.Clause != "" {
		t.Errorf("no grouping = %+v", g)
	}
}

func TestGroupNamesEachBadEntry(t *testing.T) {
	var v apierr.Violations
	summary.Group([]string{"term", "pledge", "term"}, dims, &v)
	e, _ := v.Err().(*apierr.Error)
	if e == nil {
		t.Fatal("no violations")
	}
	got := map[string]string{}
	for _, fv := range e.Violations {
		got[fv.Field] = fv.Description
	}
	want := map[string]string{
		"group_by[1]": `"pledge" cannot be grouped by; use district, term or year`,
		"group_by[2]": `"term" is listed twice`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}

// TestPagesFollowOnAndStayBound reads a next-page token back as the offset
// it promised, and refuses it for another request.
func TestPagesFollowOnAndStayBound(t *testing.T) {
	b := pagetoken.Bind("x:summarize", "gwangsan")
	rows, next := summary.Page([]int{1, 2, 3}, 2, 4, b)
	if len(rows) != 2 || next == "" {
		t.Fatalf("Page = %v, %q; want two rows and a next token", rows, next)
	}
	if off, err := summary.Offset(next, b); err != nil || off != 6 {
		t.Errorf("Offset(next) = %d, %v; want 6", off, err)
	}
	if _, err := summary.Offset(next, pagetoken.Bind("x:summarize", "other")); err == nil {
		t.Error("a token was accepted for another request")
	}
	if rows, next := summary.Page([]int{1, 2}, 2, 0, b); len(rows) != 2 || next != "" {
		t.Errorf("the last page = %v, %q", rows, next)
	}
	if off, err := summary.Offset("", b); err != nil || off != 0 {
		t.Errorf("no token = %d, %v", off, err)
	}
}
