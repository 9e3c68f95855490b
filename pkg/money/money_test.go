package money

import (
	"math"
	"testing"
)

func TestParseMillionWonReadsCardAmountsExactly(t *testing.T) {
	tests := []struct {
		in  string
		won int64
		ok  bool
	}{
		{"8.5", 8_500_000, true},
		{"2.5", 2_500_000, true},
		{"3", 3_000_000, true},
		{"124,667.42", 124_667_420_000, true},
		{"0.01", 10_000, true},
		{"0", 0, true},
		{"1,000", 1_000_000_000, true},
		{" 12.30 ", 12_300_000, true},
		{"８．５", 8_500_000, true},
		{"-", 0, false},
		{"", 0, false},
		{"  ", 0, false},
	}
	for _, tt := range tests {
		won, ok, err := ParseMillionWon(tt.in)
		if err != nil || won != tt.won || ok != tt.ok {
			t.Errorf("ParseMillionWon(%q) = %d, %v, %v; want %d, %v", tt.in, won, ok, err, tt.won, tt.ok)
		}
	}
	for _, bad := range []string{"8.555", "1,00", "12,3456", ",100", "-5", "8.5백만원", "abc", "1.", ".5", "99999999999999"} {
		if won, ok, err := ParseMillionWon(bad); err == nil {
			t.Errorf("ParseMillionWon(%q) = %d, %v; want an error", bad, won, ok)
		}
	}
}

func TestFormatMillionWonRoundTrips(t *testing.T) {
	for won, want := range map[int64]string{
		8_500_000: "8.5", 124_667_420_000: "124,667.42", 0: "0", 3_000_000: "3",
		10_000: "0.01", 1_234_567: "1.234567", 1_000_000_000_000: "1,000,000",
	} {
		if got := FormatMillionWon(won); got != want {
			t.Errorf("FormatMillionWon(%d) = %q, want %q", won, got, want)
		}
	}
	if got := FormatWon(8_500_000); got != "8,500,000" {
		t.Errorf("FormatWon = %q", got)
	}
	if got := FormatWon(math.MinInt64); got != "-9,223,372,036,854,775,808" {
		t.Errorf("FormatWon(MinInt64) = %q", got)
	}
}

func FuzzMillionWon(f *testing.F) {
	for _, s := range []string{"8.5", "124,667.42", "-", "1,000,000.01", "９９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		won, ok, err := ParseMillionWon(s)
		if err != nil || !ok {
			return
		}
		if won < 0 {
			t.Fatalf("ParseMillionWon(%q) = %d: negative", s, won)
		}
		back, ok, err := ParseMillionWon(FormatMillionWon(won))
		if err != nil || !ok || back != won {
			t.Fatalf("%q → %d → %q → %d, %v", s, won, FormatMillionWon(won), back, err)
		}
	})
}
