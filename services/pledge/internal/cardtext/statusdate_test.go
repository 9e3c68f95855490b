package cardtext

import (
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
