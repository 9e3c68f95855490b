package money

import "testing"

func TestRateIsAPercentWithTwoDecimalsRoundedHalfUp(t *testing.T) {
	for _, tt := range []struct {
		num, den int64
		want     string
	}{
		{0, 0, ""},
		{3, 0, ""},
		{0, 7, "0.00"},
		{2, 5, "40.00"},
		{3, 7, "42.86"},    // 42.857…
		{1, 3, "33.33"},    // 33.333…
		{2, 3, "66.67"},    // 66.666…
		{1, 8, "12.50"},    // exactly 12.5
		{1, 16, "6.25"},    // exactly 6.25
		{1, 1600, "0.06"},  // 0.0625: the half rounds up
		{1, 80000, "0.00"}, // 0.00125
		{1, 19999, "0.01"},
		{7, 7, "100.00"},
		{12, 10, "120.00"},                 // more secured than planned
		{29_999_999, 30_000_000, "100.00"}, // 99.999996…
		{126_666_664, 340_000_000, "37.25"},
		{9_000_000_000_000_000, 9_000_000_000_000_000, "100.00"}, // no overflow
		{1_000_000_000_000_000, 1, "100000000000000000.00"},      // the most won a plan holds
	} {
		if got := Rate(tt.num, tt.den); got != tt.want {
			t.Errorf("Rate(%d, %d) = %q, want %q", tt.num, tt.den, got, tt.want)
		}
	}
}
