package summary_test

import (
	"fmt"
	"testing"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/filter"
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
	got := violations(t, v.Err())
	want := map[string]string{
		"group_by[1]": `"pledge" cannot be grouped by; use district, term or year`,
		"group_by[2]": `"term" is listed twice`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}

// violations are err's field violations, by field.
func violations(t *testing.T, err error) map[string]string {
	t.Helper()
	e, _ := err.(*apierr.Error)
	if e == nil {
		t.Fatalf("error %v has no violations", err)
	}
	got := map[string]string{}
	for _, fv := range e.Violations {
		got[fv.Field] = fv.Description
	}
	return got
}

// TestPrepareNamesABadGroupingAndABadFilterAtOnce: a caller fixes both in
// one go.
func TestPrepareNamesABadGroupingAndABadFilterAtOnce(t *testing.T) {
	fields := filter.Schema{"term": {Column: "t", Kind: filter.Int}}
	_, err := summary.Query{GroupBy: []string{"pledge"}, Filter: "colour = 1"}.Prepare("x:summarize", dims, fields, 1)
	got := violations(t, err)
	if _, ok := got["group_by[0]"]; !ok {
		t.Errorf("violations %v name no group_by[0]", got)
	}
	if _, ok := got["filter"]; !ok {
		t.Errorf("violations %v name no filter", got)
	}
	p, err := summary.Query{GroupBy: []string{"term"}, Filter: "term = 8", Size: 5}.Prepare("x:summarize", dims, fields, 2)
	if err != nil || p.Grouping.Clause != " GROUP BY t ORDER BY t" || p.Where != "(t = $2)" || fmt.Sprint(p.Args) != "[8]" ||
		p.Cursor.Offset != 0 || p.Cursor.Limit() != 6 {
		t.Errorf("Prepare = %+v, %v", p, err)
	}
	if _, err := (summary.Query{Token: "garbage"}).Prepare("x:summarize", dims, fields, 1); err == nil {
		t.Error("a token that is none was taken")
	}
}

// TestInDistrictNamesTheDistrictOnlyWhenThereIsOne: every district's
// summary passes no parameter for it.
func TestInDistrictNamesTheDistrictOnlyWhenThereIsOne(t *testing.T) {
	for _, tt := range []struct {
		district, wantCond string
		wantArgs           []any
	}{
		{"", "true", []any{2026}},
		{"gwangsan", "r.district_id = $2", []any{2026, "gwangsan"}},
	} {
		cond, args := summary.Query{District: tt.district}.InDistrict("r.district_id", []any{2026})
		if cond != tt.wantCond || !cmp.Equal(args, tt.wantArgs) {
			t.Errorf("district %q: InDistrict = %q, %v; want %q, %v", tt.district, cond, args, tt.wantCond, tt.wantArgs)
		}
	}
}
