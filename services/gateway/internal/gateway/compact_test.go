package gateway

import (
	"bytes"
	"encoding/json"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
)

// The gateway's answers are compact JSON whatever spacing protojson chose,
// and the text inside strings — spaces, escaped quotes and backslashes,
// Korean — comes out as it went in.
func TestAnswersAreCompactWithStringsUntouched(t *testing.T) {
	m := newJSONMarshaler()
	for _, title := range []string{
		"돌봄 센터 건립",
		`a "quoted" word, a back\slash\ and a \" pair`,
		"tabs\tand\nnewlines and  two spaces : , { } [ ]",
		`ends with a backslash \`,
	} {
		p := &pledgev1.Pledge{Name: "districts/gwangsan/pledges/p1", Title: title, Term: 8,
			Background: []*pledgev1.BackgroundPoint{{Label: "①", Text: "첫째 줄"}, {Text: "둘째 \"줄\""}}}
		got, err := m.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		raw, _ := m.JSONPb.Marshal(p)
		if err := json.Compact(&want, raw); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("compact:\n got %s\nwant %s", got, want.Bytes())
		}
		var back pledgev1.Pledge
		if err := m.Unmarshal(got, &back); err != nil || back.GetTitle() != title {
			t.Errorf("the title came back as %q (%v)", back.GetTitle(), err)
		}
	}
}

func BenchmarkMarshalPledge(b *testing.B) {
	m := newJSONMarshaler()
	p := &pledgev1.Pledge{Name: "districts/gwangsan/pledges/p1", Title: "돌봄 센터 건립", Term: 8,
		Background: []*pledgev1.BackgroundPoint{{Label: "①", Text: "첫째 줄"}, {Label: "②", Text: "둘째 줄"}}}
	for b.Loop() {
		if _, err := m.Marshal(p); err != nil {
			b.Fatal(err)
		}
	}
}
