package server_test

import (
	"context"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/google/go-cmp/cmp"
)

// relateDepartments creates departments with names and makes them the
// related departments of the pledge pledgeName, in district.
func (st *suite) relateDepartments(t testing.TB, district, pledgeName string, names map[string]string) {
	t.Helper()
	ctx := context.Background()
	var related []string
	for id, name := range names {
		if _, err := st.districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{Parent: "districts/" + district,
			DepartmentId: id, Department: &pledgev1.Department{DisplayName: name}}); err != nil {
			t.Fatal(err)
		}
		related = append(related, "districts/"+district+"/departments/"+id)
	}
	p, err := st.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: pledgeName})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{
		Pledge:     &pledgev1.Pledge{Name: pledgeName, Etag: p.GetEtag(), RelatedDepartments: related},
		UpdateMask: mask("related_departments", "all_departments_related"),
	}); err != nil {
		t.Fatal(err)
	}
}

// TestTheCardNamesEveryDepartmentOfThePledge gives the seed card's pledge
// two related departments besides its owner: the card names all three.
func TestTheCardNamesEveryDepartmentOfThePledge(t *testing.T) {
	st := newSuite(t)
	resp := st.importCard(t, "gwangsan", seedCard(t))
	name := resp.GetPledge().GetName()
	st.relateDepartments(t, "gwangsan", name, map[string]string{"finance": "재무과", "planning": "기획예산과"})
	card, err := st.pledges.GetPledgeCard(context.Background(), &pledgev1.GetPledgeCardRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		resp.GetPledge().GetOwningDepartment():    "법무지원과",
		"districts/gwangsan/departments/finance":  "재무과",
		"districts/gwangsan/departments/planning": "기획예산과",
	}
	if diff := cmp.Diff(want, card.GetDepartmentNames()); diff != "" {
		t.Errorf("the card's department names (-want +got):\n%s", diff)
	}
}

// TestACardAsksForIndicatorsAndAchievementAtOnce slows the indicator
// service to 300 ms an answer: the card, which needs the indicators and
// the achievement, comes in well under the 600 ms the two one after the
// other would take.
func TestACardAsksForIndicatorsAndAchievementAtOnce(t *testing.T) {
	st := newSuite(t)
	name := st.importCard(t, "gwangsan", seedCard(t)).GetPledge().GetName()
	st.indicatorDelay.Store(int64(300 * time.Millisecond))
	start := time.Now()
	card, err := st.pledges.GetPledgeCard(context.Background(), &pledgev1.GetPledgeCardRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if !isAvailable(card.GetIndicatorSection()) || len(card.GetIndicators()) != 1 || card.GetAchievement() == nil {
		t.Fatalf("the indicator section is %v with %d indicators", card.GetIndicatorSection(), len(card.GetIndicators()))
	}
	if took >= 550*time.Millisecond {
		t.Errorf("the card took %v: the indicators and the achievement were asked for one after the other", took)
	}
}
