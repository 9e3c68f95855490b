package fieldmask

import (
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/protobuf/proto"
)

func stored() *pledgev1.Pledge {
	return &pledgev1.Pledge{
		Title:          "구정혁신 TF 운영",
		FinalGoal:      "행복정책 연계",
		RequiredBudget: &pledgev1.RequiredBudget{Label: "8.5백만원(구 100)", AmountWon: 8_500_000},
		Contacts:       []*pledgev1.Contact{{Name: "윤송미"}, {Name: "윤다슬"}},
		Overview:       &pledgev1.Overview{Period: &pledgev1.Period{StartYear: 2018, OpenEnded: true}},
	}
}

func TestApplyCopiesExactlyThePathsNamed(t *testing.T) {
	dst := stored()
	src := &pledgev1.Pledge{
		Title:          "바뀐 제목",
		RequiredBudget: &pledgev1.RequiredBudget{AmountWon: 9_000_000},
		Contacts:       []*pledgev1.Contact{{Name: "새 담당자"}},
		Overview:       &pledgev1.Overview{Period: &pledgev1.Period{EndYear: 2022}},
	}
	if err := Apply(dst, src, []string{"required_budget.amount_won", "contacts", "overview.period.end_year", "overview.period.open_ended"}); err != nil {
		t.Fatal(err)
	}
	want := stored()
	want.RequiredBudget.AmountWon = 9_000_000
	want.Contacts = []*pledgev1.Contact{{Name: "새 담당자"}}
	want.Overview.Period.EndYear, want.Overview.Period.OpenEnded = 2022, false
	if !proto.Equal(dst, want) {
		t.Errorf("got %v\nwant %v", dst, want)
	}
	// dst does not share src's messages.
	src.Contacts[0].Name = "changed later"
	if dst.Contacts[0].Name != "새 담당자" {
		t.Error("dst shares src's contacts")
	}
	// A message path whose source is unset clears it.
	if err := Apply(dst, &pledgev1.Pledge{}, []string{"required_budget"}); err != nil || dst.RequiredBudget != nil {
		t.Errorf("clearing: %v, %v", err, dst.RequiredBudget)
	}
}

func TestApplyRefusesPathsThatNameNoField(t *testing.T) {
	dst := stored()
	for _, paths := range [][]string{{"titel"}, {"required_budget.amount"}, {"contacts.name"}, {"title.x"}, {"*", "title"}} {
		err := Apply(dst, &pledgev1.Pledge{}, paths)
		e, ok := err.(*apierr.Error)
		if !ok || e.Violations[0].Field != "update_mask" {
			t.Errorf("Apply(%v) = %v, want a violation of update_mask", paths, err)
		}
	}
	if !proto.Equal(dst, stored()) {
		t.Error("a refused mask changed the resource")
	}
	if err := Apply(dst, &pledgev1.Pledge{Title: "전부"}, []string{"*"}); err != nil || dst.GetTitle() != "전부" || dst.GetFinalGoal() != "" {
		t.Errorf("* did not replace everything: %v %v", err, dst)
	}
}

func TestWithoutDropsOutputOnlyPaths(t *testing.T) {
	got := Without([]string{"etag", "title", "valid_years.first_year", "etagx"}, "etag", "valid_years")
	if len(got) != 2 || got[0] != "title" || got[1] != "etagx" {
		t.Errorf("Without = %v", got)
	}
}
