// Package report holds the rules of the implementation report (공약 이행
// 현황 보고서): the period it covers, how pledges are counted by status,
// how its rates are written and what its figures mean, in words. The
// server gathers the figures; this package says what they are.
package report

import (
	"fmt"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/money"
	"google.golang.org/genproto/googleapis/type/date"
)

// kst is Korea's time: a report's "today" is the day in Seoul.
var kst = time.FixedZone("KST", 9*60*60)

// Today is the date in Seoul at now, as a Date (midnight UTC).
func Today(now time.Time) time.Time {
	y, m, d := now.In(kst).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ReadDate reads an optional google.type.Date as a day (midnight UTC);
// ok is false when d is empty. A date that is partial or not on the
// calendar adds a violation naming field.
func ReadDate(field string, d *date.Date, v *apierr.Violations) (day time.Time, ok bool) {
	if d.GetYear() == 0 && d.GetMonth() == 0 && d.GetDay() == 0 {
		return time.Time{}, false
	}
	y, m, dd := int(d.GetYear()), time.Month(d.GetMonth()), int(d.GetDay())
	day = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	if y < 1 || y > 9999 || m < 1 || m > 12 || dd < 1 || day.Month() != m || day.Day() != dd {
		v.Add(field, "must be a whole date on the calendar, such as 2022-07-01")
		return time.Time{}, false
	}
	return day, true
}

// DateToProto writes a day as a google.type.Date.
func DateToProto(t time.Time) *date.Date {
	if t.IsZero() {
		return nil
	}
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}
}

// FormatDate writes a day as 2022-07-01.
func FormatDate(t time.Time) string { return t.Format(time.DateOnly) }

// Count adds n pledges of status to c; a status outside the Manifesto set
// counts as 미지정.
func Count(c *pledgev1.StatusCounts, status pledgev1.PledgeStatus, n int32) {
	switch status {
	case pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED:
		c.Completed += n
	case pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING:
		c.CompletedContinuing += n
	case pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK:
		c.OnTrack += n
	case pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL:
		c.Partial += n
	case pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD:
		c.OnHold += n
	case pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED:
		c.Abandoned += n
	default:
		c.Unspecified += n
	}
}

// AddCounts adds b's counts to a.
func AddCounts(a, b *pledgev1.StatusCounts) {
	a.Completed += b.GetCompleted()
	a.CompletedContinuing += b.GetCompletedContinuing()
	a.OnTrack += b.GetOnTrack()
	a.Partial += b.GetPartial()
	a.OnHold += b.GetOnHold()
	a.Abandoned += b.GetAbandoned()
	a.Unspecified += b.GetUnspecified()
}

// CompletionRate is 완료율: (완료 + 이행 후 계속추진) ÷ all, as Rate writes
// it; "" without pledges.
func CompletionRate(c *pledgev1.StatusCounts, all int32) string {
	return money.Rate(int64(c.GetCompleted())+int64(c.GetCompletedContinuing()), int64(all))
}

// The completion rates' formulas, as the report states them.
const (
	CompletionRateFormula = "완료율(%) = (완료 + 이행 후 계속추진) ÷ 공약 수 × 100. 공약 수는 그 기의 공약 중 삭제되지 않은 것 모두(추진상황이 없는 미지정 포함), " +
		"추진상황은 기준일(as_of_date) 현재; 소수점 둘째 자리까지, 셋째 자리에서 반올림. " +
		"(completed + completed and continuing) ÷ every pledge of the term that is not deleted, statuses as of as_of_date, a percent rounded half up to two decimals."
	CompletionRateWithinTermFormula = "임기내 완료율(%) = (완료 + 이행 후 계속추진) ÷ 공약 수 × 100, 완료시기가 임기후인 공약을 분자와 분모에서 모두 빼고 계산 " +
		"(완료시기를 정하지 않은 공약은 포함); 소수점 둘째 자리까지, 셋째 자리에서 반올림. " +
		"The same without the pledges due after the term (completion timing 임기후), in both the count and the completed."
)

// Notes says in words what a report's figures are: statuses as of asOf,
// changes from start, the other figures current; and, when termsDiffer,
// that each district is reported in its own current term, and when
// meanLeftOut, why the total has no mean indicator achievement.
func Notes(start, asOf time.Time, termsDiffer, meanLeftOut bool) []string {
	notes := []string{
		fmt.Sprintf("추진상황은 기준일 %s 현재의 상태로, 상태 변경 이력에서 그날까지 효력이 생긴 마지막 변경을 읽은 것입니다 "+
			"(statuses are as they stood on as_of_date, read from the status history: each pledge's last change effective on or before it).", FormatDate(asOf)),
		fmt.Sprintf("상태 변경은 %s부터 %s까지 효력이 생긴 변경입니다 (status changes are those effective from start_date to as_of_date).",
			FormatDate(start), FormatDate(asOf)),
		"예산(재원별 계획·확보·집행), 성과지표, 주민참여 수치는 기준일이 아니라 보고서를 만든 시각(compute_time)의 현재 값입니다 " +
			"(money, indicators and participation are current values, as of compute_time, not as of as_of_date).",
	}
	if termsDiffer {
		notes = append(notes, "지자체마다 현재 기수가 달라 각 지자체를 그 현재 기로 보고합니다 "+
			"(the districts' current terms differ: each district is reported in its own current term).")
	}
	if meanLeftOut {
		notes = append(notes, "합계의 성과지표 평균 달성률은 지자체별 평균에서 정확히 구할 수 없어 비워 둡니다 "+
			"(the total's mean indicator achievement is left empty: it cannot be computed exactly from the districts' means).")
	}
	return notes
}
