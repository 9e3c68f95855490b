package cardtext

import (
	"slices"
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// TestACardDatesItsStatus reads the date cards write next to 추진상황 in
// the forms exports use; the reference card writes none. A date that is
// not one day or month leaves the status read and undated, with a warning.
func TestACardDatesItsStatus(t *testing.T) {
	tests := []struct {
		cell     string
		status   pledgev1.PledgeStatus
		want     pledge.Date
		warnings int
	}{
		{"완료", pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED, pledge.Date{}, 0},
		{"완료('20.12.)", pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED, pledge.Date{Year: 2020, Month: 12, Day: 1}, 0},
		{"완료 (2020. 12.)", pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED, pledge.Date{Year: 2020, Month: 12, Day: 1}, 0},
		{"완료 ('20. 12. 28.)", pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED, pledge.Date{Year: 2020, Month: 12, Day: 28}, 0},
		{"이행 후 계속추진（2021. 3.）", pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING, pledge.Date{Year: 2021, Month: 3, Day: 1}, 0},
		{"정상추진 (2021-05-17)", pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK, pledge.Date{Year: 2021, Month: 5, Day: 17}, 0},
		{"완료('20.)", pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED, pledge.Date{}, 1},
		{"완료('20. 7.~12.)", pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED, pledge.Date{}, 1},
		{"보류(예산 미확보)", pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, pledge.Date{}, 1},
	}
	for _, tt := range tests {
		text := strings.Replace(seed(t), "추진상황\t완료", "추진상황\t"+tt.cell, 1)
		card, warnings := mustParse(t, text, gwangsan)
		if card.Pledge.GetStatus() != tt.status || card.StatusDate != tt.want || len(warnings) != tt.warnings {
			t.Errorf("%q: status %v dated %v, warnings %v; want %v dated %v, %d warnings",
				tt.cell, card.Pledge.GetStatus(), card.StatusDate, warnings, tt.status, tt.want, tt.warnings)
		}
		if _, unread := card.Unread["status"]; unread {
			t.Errorf("%q: the status is listed as unread", tt.cell)
		}
	}
}

// TestTheStatusDateSurvivesARender reads a card's dated status, renders
// the card with it as text and as HTML, and reads the text back to the
// same date: a month as the month, a day as the day.
func TestTheStatusDateSurvivesARender(t *testing.T) {
	tests := []struct {
		cell, rendered string
		want           pledge.Date
	}{
		{"완료('20.12.)", "완료('20. 12.)", pledge.Date{Year: 2020, Month: 12, Day: 1}},
		{"완료 ('20. 12. 28.)", "완료('20. 12. 28.)", pledge.Date{Year: 2020, Month: 12, Day: 28}},
		{"이행 후 계속추진 (2021-05-17)", "이행 후 계속추진('21. 5. 17.)", pledge.Date{Year: 2021, Month: 5, Day: 17}},
		{"완료", "완료", pledge.Date{}},
	}
	for _, tt := range tests {
		card, _ := mustParse(t, strings.Replace(seed(t), "추진상황\t완료", "추진상황\t"+tt.cell, 1), gwangsan)
		if card.StatusDate != tt.want {
			t.Fatalf("%q read dated %v", tt.cell, card.StatusDate)
		}
		page := Page{Card: pledgeCardOf(card, nil, nil), StatusDate: card.StatusDate}
		text := page.Text()
		if !strings.Contains(text, "\t추진상황\t"+tt.rendered+"\n") {
			t.Errorf("%q: the render's 추진상황 is not %q:\n%s", tt.cell, tt.rendered, text)
		}
		html, err := page.HTML()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(htmlRows(html), "소요예산\t8.5백만원(구 100)\t추진상황\t"+tt.rendered) {
			t.Errorf("%q: the HTML render's 추진상황 is not %q: %q", tt.cell, tt.rendered, htmlRows(html))
		}
		again, warnings := mustParse(t, text, gwangsan)
		if again.StatusDate != tt.want || again.Pledge.GetStatus() != card.Pledge.GetStatus() || len(warnings) != 0 {
			t.Errorf("%q: the render reads back as %v dated %v, warnings %v", tt.cell, again.Pledge.GetStatus(), again.StatusDate, warnings)
		}
	}
}
