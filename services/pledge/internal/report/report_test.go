package report

import (
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/genproto/googleapis/type/date"
)

func TestCompletionRateCountsTheCompletedAndTheContinuing(t *testing.T) {
	c := &pledgev1.StatusCounts{}
	for _, s := range []pledgev1.PledgeStatus{1, 2, 2, 3, 4, 5, 6, 0, 99} {
		Count(c, s, 1)
	}
	if c.GetUnspecified() != 2 || c.GetCompletedContinuing() != 2 || c.GetAbandoned() != 1 {
		t.Errorf("counts %v", c)
	}
	if got := CompletionRate(c, 9); got != "33.33" {
		t.Errorf("completion rate %q, want 33.33 (3 of 9)", got)
	}
	total := &pledgev1.StatusCounts{Completed: 1}
	AddCounts(total, c)
	if total.GetCompleted() != 2 || total.GetUnspecified() != 2 {
		t.Errorf("added %v", total)
	}
}

func TestReadDateTakesWholeCalendarDays(t *testing.T) {
	for _, tt := range []struct {
		d     *date.Date
		want  string
		given bool
		bad   bool
	}{
		{nil, "", false, false},
		{&date.Date{}, "", false, false},
		{&date.Date{Year: 2022, Month: 6, Day: 30}, "2022-06-30", true, false},
		{&date.Date{Year: 2024, Month: 2, Day: 29}, "2024-02-29", true, false},
		{&date.Date{Year: 2023, Month: 2, Day: 29}, "", false, true},
		{&date.Date{Year: 2022, Month: 6}, "", false, true},
		{&date.Date{Year: 2022, Month: 13, Day: 1}, "", false, true},
		{&date.Date{Month: 6, Day: 30}, "", false, true},
	} {
		var v apierr.Violations
		got, given := ReadDate("as_of_date", tt.d, &v)
		if given != tt.given || v.Empty() == tt.bad || given && FormatDate(got) != tt.want {
			t.Errorf("ReadDate(%v) = %v, %v (violations: %v)", tt.d, got, given, v.Err())
		}
	}
}

func TestTodayIsTheDayInSeoul(t *testing.T) {
	// 15:30 UTC on New Year's Eve is already New Year's Day in Seoul.
	if got := Today(time.Date(2025, 12, 31, 15, 30, 0, 0, time.UTC)); FormatDate(got) != "2026-01-01" {
		t.Errorf("today %s", FormatDate(got))
	}
}
