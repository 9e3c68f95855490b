package pledge

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/resourceid"
)

func TestSameIdentityIsTheCodeOrTheTitleWithoutOne(t *testing.T) {
	card := Pledge{DistrictID: "gwangsan", ID: "new", Term: 8, Code: "1-1", Title: "청년 일자리"}
	untitled := card
	untitled.Code = ""
	tests := []struct {
		name  string
		p     Pledge
		other Pledge
		want  bool
	}{
		{"the same code, another title", card, Pledge{DistrictID: "gwangsan", ID: "a", Term: 8, Code: "1-1", Title: "다른 공약"}, true},
		{"another code, the same title", card, Pledge{DistrictID: "gwangsan", ID: "a", Term: 8, Code: "1-2", Title: "청년 일자리"}, false},
		{"the same code, another term", card, Pledge{DistrictID: "gwangsan", ID: "a", Term: 7, Code: "1-1"}, false},
		{"the same code, another district", card, Pledge{DistrictID: "jangseong", ID: "a", Term: 8, Code: "1-1"}, false},
		{"the same code, deleted", card, Pledge{DistrictID: "gwangsan", ID: "a", Term: 8, Code: "1-1", DeleteTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, false},
		{"itself", card, card, false},
		{"no code: the same title, no code", untitled, Pledge{DistrictID: "gwangsan", ID: "a", Term: 8, Title: "청년 일자리"}, true},
		{"no code: the same title with a code", untitled, Pledge{DistrictID: "gwangsan", ID: "a", Term: 8, Code: "3-1", Title: "청년 일자리"}, false},
		{"no code: another title", untitled, Pledge{DistrictID: "gwangsan", ID: "a", Term: 8, Title: "청년 주거"}, false},
	}
	for _, tt := range tests {
		if got := tt.p.SameIdentity(tt.other); got != tt.want {
			t.Errorf("%s: SameIdentity = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReimportKeepsWhatTheCardDoesNotCarry(t *testing.T) {
	prev := Pledge{DistrictID: "gwangsan", ID: "stored", Term: 8, Title: "청년 일자리", Status: StatusOnHold, Code: "1-1",
		Photos: []Photo{{Caption: "착공식", URI: "files/a.jpg"}, {Caption: "준공", URI: "files/b.jpg"}}}
	tests := []struct {
		name       string
		card       Pledge
		keep       func(prev Pledge, next *Pledge)
		wantStatus Status
		wantURIs   []string
		wantCode   string
	}{
		{"a card with a status moves to it", Pledge{Status: StatusCompleted}, nil, StatusCompleted, nil, ""},
		{"a card without one keeps the stored one", Pledge{}, nil, StatusOnHold, nil, ""},
		{"photos keep their files by position", Pledge{Photos: []Photo{{Caption: "새 사진"}, {Caption: "둘", URI: "files/c.jpg"}, {Caption: "셋"}}}, nil,
			StatusOnHold, []string{"files/a.jpg", "files/c.jpg", ""}, ""},
		{"keep puts back what the card lacks", Pledge{Code: "9-9"}, func(prev Pledge, next *Pledge) { next.Code = prev.Code }, StatusOnHold, nil, "1-1"},
	}
	for _, tt := range tests {
		next, status := Reimport(prev, tt.card, tt.keep)
		if status != tt.wantStatus {
			t.Errorf("%s: status %v, want %v", tt.name, status, tt.wantStatus)
		}
		if next.ID != "stored" || next.Status != StatusOnHold {
			t.Errorf("%s: written as %s with status %v, want the stored id and status (the change is recorded apart)", tt.name, next.ID, next.Status)
		}
		var uris []string
		for _, ph := range next.Photos {
			uris = append(uris, ph.URI)
		}
		if !slices.Equal(uris, tt.wantURIs) {
			t.Errorf("%s: photo files %q, want %q", tt.name, uris, tt.wantURIs)
		}
		if tt.wantCode != "" && next.Code != tt.wantCode {
			t.Errorf("%s: code %q, want %q", tt.name, next.Code, tt.wantCode)
		}
	}
	if prev.Photos[0].URI != "files/a.jpg" {
		t.Errorf("the stored pledge's photos were changed: %+v", prev.Photos)
	}
}

func TestPlanImport(t *testing.T) {
	term := Term{Number: 8, DisplayName: "민선 8기", Start: Date{2022, 7, 1}, End: Date{2026, 6, 30}}
	welfare := Department{DistrictID: "gwangsan", ID: "welfare", DisplayName: "복지정책과"}
	stored := Pledge{DistrictID: "gwangsan", ID: "stored", Term: 8, Title: "청년 일자리", Status: StatusOnTrack,
		OwningDepartment: "welfare"}
	card := Pledge{DistrictID: "gwangsan", ID: "fresh", Term: 8, Title: "청년 일자리", OwningTeam: "청년팀", Status: StatusCompleted}

	t.Run("a new pledge and its new department", func(t *testing.T) {
		c := card
		c.Title = "청년 주거"
		plan, err := PlanImport(CardImport{Pledge: c, Term: term, Existing: []Department{welfare}, Candidates: []Pledge{stored},
			Departments: CardDepartments{Owning: "일자리정책과", Team: "청년팀", Related: []string{"복지정책과", "일자리정책과"}}})
		if err != nil {
			t.Fatal(err)
		}
		if !plan.Created() || plan.Pledge.ID != "fresh" {
			t.Errorf("plan writes %s, created %v; want the card's new pledge", plan.Pledge.ID, plan.Created())
		}
		if len(plan.NewDepartments) != 1 || plan.NewDepartments[0].DisplayName != "일자리정책과" || !slices.Equal(plan.NewDepartments[0].Teams, []string{"청년팀"}) {
			t.Fatalf("new departments %+v, want 일자리정책과 with the card's team", plan.NewDepartments)
		}
		created := plan.NewDepartments[0].ID
		if plan.Pledge.OwningDepartment != created || !slices.Equal(plan.Pledge.RelatedDepartments, []string{"welfare", created}) {
			t.Errorf("departments %s %v, want %s [welfare %s]", plan.Pledge.OwningDepartment, plan.Pledge.RelatedDepartments, created, created)
		}
		if plan.Status == nil || *plan.Status != (Transition{From: StatusUnspecified, To: StatusCompleted, Reason: ImportReason}) {
			t.Errorf("history records %+v, want the start of the history at the card's status", plan.Status)
		}
	})
	t.Run("a card without a status or an id starts on track, with a new id", func(t *testing.T) {
		c := card
		c.Title, c.Status, c.ID = "청년 주거", StatusUnspecified, ""
		plan, err := PlanImport(CardImport{Pledge: c, Term: term, Departments: CardDepartments{Owning: "복지정책과"}, Existing: []Department{welfare}})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.NewDepartments) != 0 || plan.Pledge.OwningDepartment != "welfare" {
			t.Errorf("departments: new %+v, owning %q; want the district's 복지정책과", plan.NewDepartments, plan.Pledge.OwningDepartment)
		}
		if plan.Status == nil || plan.Status.To != StatusOnTrack || plan.Pledge.Status != StatusOnTrack {
			t.Errorf("status %v, history %+v; want on track", plan.Pledge.Status, plan.Status)
		}
		if !resourceid.Valid(plan.Pledge.ID) {
			t.Errorf("new pledge's id %q, want a fresh id", plan.Pledge.ID)
		}
	})
	t.Run("the stored pledge of the identity is written over", func(t *testing.T) {
		plan, err := PlanImport(CardImport{Pledge: card, Term: term, Existing: []Department{welfare}, Candidates: []Pledge{stored},
			Departments: CardDepartments{Owning: "복지정책과"}})
		if err != nil {
			t.Fatal(err)
		}
		if plan.Created() || plan.Previous.ID != "stored" || plan.Pledge.ID != "stored" || plan.Pledge.Status != StatusOnTrack {
			t.Errorf("plan writes %s (status %v) over %v; want the stored pledge, its status kept", plan.Pledge.ID, plan.Pledge.Status, plan.Previous)
		}
		if plan.Status == nil || *plan.Status != (Transition{From: StatusOnTrack, To: StatusCompleted, Reason: ImportReason}) {
			t.Errorf("history records %+v, want on track → completed", plan.Status)
		}
	})
	t.Run("the same status records nothing", func(t *testing.T) {
		c := card
		c.Status = StatusOnTrack
		plan, err := PlanImport(CardImport{Pledge: c, Term: term, Existing: []Department{welfare}, Candidates: []Pledge{stored}})
		if err != nil {
			t.Fatal(err)
		}
		if plan.Status != nil {
			t.Errorf("history records %+v, want nothing", plan.Status)
		}
	})
	t.Run("a department kept from the stored pledge is known", func(t *testing.T) {
		keep := func(prev Pledge, next *Pledge) { next.OwningDepartment = prev.OwningDepartment }
		if _, err := PlanImport(CardImport{Pledge: card, Term: term, Candidates: []Pledge{stored}, Keep: keep}); err != nil {
			t.Errorf("refused: %v", err)
		}
	})
	t.Run("every fault of the pledge is named", func(t *testing.T) {
		c := card
		c.Title, c.YearlyGoals = "청년 주거", []YearlyGoal{{Year: 2019, Goal: "착공"}}
		_, err := PlanImport(CardImport{Pledge: c, Term: term})
		if err == nil || !strings.Contains(err.Error(), "pledge.yearly_goals[0].year") {
			t.Errorf("%v, want pledge.yearly_goals[0].year refused", err)
		}
	})
	t.Run("a new department's name is checked", func(t *testing.T) {
		_, err := PlanImport(CardImport{Pledge: card, Term: term, Departments: CardDepartments{Owning: strings.Repeat("과", 101)}})
		if err == nil || !strings.Contains(err.Error(), "department.display_name") {
			t.Errorf("%v, want department.display_name refused", err)
		}
	})
}
