package pledge

import (
	"reflect"
	"testing"
)

func TestParseDateLabelReadsTheCardsForms(t *testing.T) {
	d := func(y, m, day int) Date { return Date{Year: y, Month: m, Day: day} }
	tests := []struct {
		label string
		want  DateLabel
	}{
		// Every form on the seed card.
		{"'18.12.31.", DateLabel{Date: d(2018, 12, 31), Precision: PrecisionDay}},
		{"'19. 3.", DateLabel{Date: d(2019, 3, 0), Precision: PrecisionMonth}},
		{"'19.10.", DateLabel{Date: d(2019, 10, 0), Precision: PrecisionMonth}},
		{"'19.12.12.", DateLabel{Date: d(2019, 12, 12), Precision: PrecisionDay}},
		{"'20. 1. / 8.", DateLabel{Date: d(2020, 1, 0), Precision: PrecisionMonth, More: []Date{d(2020, 8, 0)}}},
		{"'20. 7.~12.", DateLabel{Date: d(2020, 7, 0), Precision: PrecisionMonth, End: d(2020, 12, 0)}},
		{"'20. 12.", DateLabel{Date: d(2020, 12, 0), Precision: PrecisionMonth}},
		{"'21. 3. ~", DateLabel{Date: d(2021, 3, 0), Precision: PrecisionMonth, OpenEnded: true}},
		// Other forms exports use.
		{"2020. 1. 20.(월)", DateLabel{Date: d(2020, 1, 20), Precision: PrecisionDay}},
		{"2020. 1. 20.(월) ~ 2. 14.(금)", DateLabel{Date: d(2020, 1, 20), Precision: PrecisionDay, End: d(2020, 2, 14)}},
		{"2020-07-15", DateLabel{Date: d(2020, 7, 15), Precision: PrecisionDay}},
		{"2020년 7월 15일", DateLabel{Date: d(2020, 7, 15), Precision: PrecisionDay}},
		{"2018.", DateLabel{Date: d(2018, 0, 0), Precision: PrecisionYear}},
		{"2018. ~ 지속", DateLabel{Date: d(2018, 0, 0), Precision: PrecisionYear, OpenEnded: true}},
		{"2019 ~ 2022", DateLabel{Date: d(2019, 0, 0), Precision: PrecisionYear, End: d(2022, 0, 0)}},
		{"'20. 하반기", DateLabel{Date: d(2020, 7, 0), Precision: PrecisionHalfYear}},
		{"2021. 상반기", DateLabel{Date: d(2021, 1, 0), Precision: PrecisionHalfYear}},
		{"'21. 3/4분기", DateLabel{Date: d(2021, 7, 0), Precision: PrecisionQuarter}},
		{"2021. 2분기", DateLabel{Date: d(2021, 4, 0), Precision: PrecisionQuarter}},
		{"'20. 11. ~ '21. 2.", DateLabel{Date: d(2020, 11, 0), Precision: PrecisionMonth, End: d(2021, 2, 0)}},
		{"’20．７．", DateLabel{Date: d(2020, 7, 0), Precision: PrecisionMonth}},
		{"'20. 7. 1.～15.", DateLabel{Date: d(2020, 7, 1), Precision: PrecisionDay, End: d(2020, 7, 15)}},
	}
	for _, tt := range tests {
		got, err := ParseDateLabel(tt.label)
		if err != nil {
			t.Errorf("ParseDateLabel(%q): %v", tt.label, err)
			continue
		}
		tt.want.Label = tt.label
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseDateLabel(%q)\n got %+v\nwant %+v", tt.label, got, tt.want)
		}
	}
}

func TestParseDateLabelRefusesWhatIsNotADate(t *testing.T) {
	for _, label := range []string{
		"", "   ", "추진 예정", "'20. 13.", "'20. 2. 30.", "2020. 7.~5.", "'20. 7. ~ ~",
		"12345", "'20. 1. 2. 3.", "'20. 7.~'19. 1.", "abc 2020",
	} {
		if got, err := ParseDateLabel(label); err == nil {
			t.Errorf("ParseDateLabel(%q) = %+v, want an error", label, got)
		}
	}
}

func FuzzParseDateLabel(f *testing.F) {
	for _, s := range []string{"'18.12.31.", "'20. 1. / 8.", "'20. 7.~12.", "'21. 3. ~", "2020. 하반기", "'21. 3/4분기"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, label string) {
		got, err := ParseDateLabel(label)
		if err != nil {
			return
		}
		if !validDate(got.Date) || got.Precision == PrecisionUnspecified {
			t.Fatalf("ParseDateLabel(%q) = %+v: an invalid reading", label, got)
		}
		if !got.End.IsZero() && !before(got.Date, got.End) {
			t.Fatalf("ParseDateLabel(%q) = %+v: the range ends before it starts", label, got)
		}
	})
}
