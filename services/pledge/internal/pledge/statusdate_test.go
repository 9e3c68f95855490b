package pledge

import (
	"strings"
	"testing"
)

func TestCheckStatusDateKeepsTheHistoryInOrder(t *testing.T) {
	term := Term{Number: 7, DisplayName: "민선 7기", Start: Date{2018, 7, 1}, End: Date{2022, 6, 30}}
	today := Date{2026, 11, 29}
	tests := []struct {
		name      string
		d, last   Date
		wantError string // a part of the message; "" when accepted
	}{
		{"a day within the term", Date{2020, 12, 1}, Date{}, ""},
		{"the term's first day", Date{2018, 7, 1}, Date{}, ""},
		{"today", today, Date{}, ""},
		{"the same day as the last change", Date{2020, 12, 1}, Date{2020, 12, 1}, ""},
		{"after the last change", Date{2021, 1, 4}, Date{2020, 12, 1}, ""},
		{"after the term ended, before today", Date{2023, 3, 2}, Date{}, ""},
		{"tomorrow", Date{2026, 11, 30}, Date{}, "after today (2026-11-29 in Korea)"},
		{"the day before the term", Date{2018, 6, 30}, Date{}, "before 민선 7기 began (2018-07-01)"},
		{"before the last change", Date{2020, 11, 30}, Date{2020, 12, 1}, "before the pledge's last status change took effect (2020-12-01)"},
		{"a month, not a day", Date{2020, 12, 0}, Date{}, "must be a whole date"},
		{"a day that does not exist", Date{2021, 2, 29}, Date{}, "must be a whole date"},
	}
	for _, tt := range tests {
		err := CheckStatusDate("effective_date", tt.d, today, term, tt.last)
		switch {
		case tt.wantError == "" && err != nil:
			t.Errorf("%s: refused: %v", tt.name, err)
		case tt.wantError != "" && (err == nil || !strings.Contains(err.Error(), tt.wantError) || !strings.Contains(err.Error(), "effective_date")):
			t.Errorf("%s: %v, want an error naming effective_date saying %q", tt.name, err, tt.wantError)
		}
	}
}
