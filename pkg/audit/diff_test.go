package audit

import (
	"fmt"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"google.golang.org/protobuf/proto"
)

// TestOnlyTheFieldsThatChangedAreKept compares before and after as the
// log keeps them: the top-level fields that differ, whatever their kind,
// each as the API writes it.
func TestOnlyTheFieldsThatChangedAreKept(t *testing.T) {
	base := &pledgev1.Pledge{Name: "districts/g/pledges/p", Title: "공약", Term: 8, Etag: "a",
		Status:             pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK,
		ImplementingLevels: []pledgev1.ImplementingLevel{pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_LOCAL},
		Contacts:           []*pledgev1.Contact{{Name: "김민수", Phone: "062-960-8891"}},
		Overview:           &pledgev1.Overview{Period: &pledgev1.Period{StartYear: 2023, EndYear: 2026}}}
	for _, tt := range []struct {
		what          string
		change        func(p *pledgev1.Pledge)
		before, after string
	}{
		{"nothing but the etag", func(p *pledgev1.Pledge) { p.Etag = "b" }, "map[]", "map[]"},
		{"an enum", func(p *pledgev1.Pledge) { p.Status = pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED },
			"map[status:PLEDGE_STATUS_ON_TRACK]", "map[status:PLEDGE_STATUS_COMPLETED]"},
		{"a list's element", func(p *pledgev1.Pledge) { p.Contacts[0].Phone = "062-960-8892" },
			"map[contacts:[map[name:김민수 phone:062-960-8891]]]", "map[contacts:[map[name:김민수 phone:062-960-8892]]]"},
		{"a list's length", func(p *pledgev1.Pledge) {
			p.ImplementingLevels = append(p.ImplementingLevels, pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_NATIONAL)
		}, "map[implementingLevels:[IMPLEMENTING_LEVEL_LOCAL]]", "map[implementingLevels:[IMPLEMENTING_LEVEL_LOCAL IMPLEMENTING_LEVEL_NATIONAL]]"},
		{"a nested field", func(p *pledgev1.Pledge) { p.Overview.Period.EndYear = 2028 },
			"map[overview:map[period:map[endYear:2026 startYear:2023]]]", "map[overview:map[period:map[endYear:2028 startYear:2023]]]"},
		{"a field taken away", func(p *pledgev1.Pledge) { p.Title = "" }, "map[title:공약]", "map[]"},
	} {
		after := proto.Clone(base).(*pledgev1.Pledge)
		tt.change(after)
		b, a, err := diff(base, after)
		if err != nil || fmt.Sprint(b) != tt.before || fmt.Sprint(a) != tt.after {
			t.Errorf("%s: before %v, after %v (%v); want %s, %s", tt.what, b, a, err, tt.before, tt.after)
		}
	}
	// A create keeps the whole resource, the etag aside.
	_, a, err := diff(nil, base)
	if err != nil || len(a) != 7 || a["title"] != "공약" || a["etag"] != nil {
		t.Errorf("a create: %v %v", a, err)
	}
}
