package pledge

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBatchConflictsNameEachPledgeThereAlready(t *testing.T) {
	p := func(id string, term int, code, title string) Pledge {
		return Pledge{DistrictID: "g", ID: id, Term: term, Code: code, Title: title}
	}
	stored := []Pledge{p("old", 7, "1-1", "옛 공약"), p("plain", 7, "", "코드 없는 공약")}
	for _, tc := range []struct {
		name  string
		batch []Pledge
		taken map[string]bool
		want  []Conflict
	}{
		{"all free", []Pledge{p("a", 7, "1-2", "새 공약"), p("b", 7, "", "다른 공약"), p("c", 8, "1-1", "옛 공약")}, nil, nil},
		{"a stored code", []Pledge{p("a", 7, "1-1", "제목이 달라도")}, nil,
			[]Conflict{{0, "pledge.code", "pledge districts/g/pledges/old of term 7 already has this code"}}},
		{"a stored title without a code", []Pledge{p("a", 7, "", "코드 없는 공약")}, nil,
			[]Conflict{{0, "pledge.title", "pledge districts/g/pledges/plain of term 7 already has this title"}}},
		{"a title with a code is not that title's", []Pledge{p("a", 7, "2-1", "코드 없는 공약")}, nil, nil},
		{"an earlier pledge of the batch", []Pledge{p("a", 7, "3-1", "첫째"), p("b", 7, "3-1", "둘째"), p("c", 7, "3-1", "셋째")}, nil,
			[]Conflict{
				{1, "pledge.code", "requests[0] of term 7 already has this code"},
				{2, "pledge.code", "requests[0] of term 7 already has this code"},
			}},
		// A taken id is said once: the pledge of that id is not another
		// of the same identity.
		{"ids taken and repeated", []Pledge{p("old", 7, "1-1", "x"), p("a", 7, "", "y"), p("a", 7, "", "z")}, map[string]bool{"old": true},
			[]Conflict{
				{0, "pledge_id", "districts/g/pledges/old exists already, or comes earlier in the batch"},
				{2, "pledge_id", "districts/g/pledges/a exists already, or comes earlier in the batch"},
			}},
		{"a taken id and another's identity", []Pledge{p("plain", 7, "1-1", "x")}, map[string]bool{"plain": true},
			[]Conflict{
				{0, "pledge_id", "districts/g/pledges/plain exists already, or comes earlier in the batch"},
				{0, "pledge.code", "pledge districts/g/pledges/old of term 7 already has this code"},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, BatchConflicts(tc.batch, stored, tc.taken)); diff != "" {
				t.Errorf("conflicts (-want +got):\n%s", diff)
			}
		})
	}
}
