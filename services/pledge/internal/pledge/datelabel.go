package pledge

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date that may be partial: Month or Day is 0 when not
// known, as in google.type.Date.
type Date struct {
	Year  int `json:"y"`
	Month int `json:"m,omitempty"`
	Day   int `json:"d,omitempty"`
}

// IsZero reports whether d holds no date.
func (d Date) IsZero() bool { return d.Year == 0 && d.Month == 0 && d.Day == 0 }

// String writes d as 2020-07-15, 2020-07 or 2020.
func (d Date) String() string {
	switch {
	case d.Day != 0:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	case d.Month != 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d", d.Year)
}

// Precision says which parts of a read date are known.
type Precision int16

// Precisions, numbered as gongyak.pledge.v1.DatePrecision.
const (
	PrecisionUnspecified Precision = iota
	PrecisionDay
	PrecisionMonth
	PrecisionQuarter
	PrecisionHalfYear
	PrecisionYear
)

// DateLabel is a date as a card writes it and what the server reads from
// it.
type DateLabel struct {
	Label     string    `json:"label"`
	Date      Date      `json:"date"`
	Precision Precision `json:"precision"`
	// End closes a range; zero for a single date or an open range.
	End       Date   `json:"end,omitzero"`
	OpenEnded bool   `json:"open_ended,omitempty"`
	More      []Date `json:"more,omitempty"`
}

// DateLabelForms is how the accepted forms are described in errors.
const DateLabelForms = `'20. 7., 2020. 7. 15., '20. 7.~12., '20. 1. / 8., '21. 3. ~, 2020. 하반기 or 2020. 3분기`

var (
	isoDate    = regexp.MustCompile(`(\d{4})-(\d{1,2})-(\d{1,2})`)
	quarterRe  = regexp.MustCompile(`([1-4])\s*/\s*4\s*분기|([1-4])\s*분기`)
	halfRe     = regexp.MustCompile(`상반기|하반기`)
	segmentTok = regexp.MustCompile(`'\s*(\d{2})|(\d+)|Q([1-4])|H([12])|(\S)`)
)

// ParseDateLabel reads a card's date label: a single date of year, month or
// day precision, a half-year or quarter, a range with `~` (open when
// nothing follows it), or dates listed with `/`. Two-digit years with an
// apostrophe are 20xx. Later parts of a range or list may leave out what
// they share with the first (`'20. 7.~12.` is July to December 2020).
func ParseDateLabel(label string) (DateLabel, error) {
	out := DateLabel{Label: label}
	s := normalizeDateText(label)
	if s == "" {
		return out, fmt.Errorf("is empty; write it like %s", DateLabelForms)
	}
	fail := func() (DateLabel, error) {
		return DateLabel{Label: label}, fmt.Errorf("cannot be read as a date; write it like %s", DateLabelForms)
	}
	s = isoDate.ReplaceAllString(s, "$1.$2.$3.")
	s = quarterRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := quarterRe.FindStringSubmatch(m)
		return " Q" + sub[1] + sub[2] + " "
	})
	s = halfRe.ReplaceAllStringFunc(s, func(m string) string {
		if m == "상반기" {
			return " H1 "
		}
		return " H2 "
	})
	s = strings.NewReplacer("년", ".", "월", ".", "일", ".").Replace(s)

	var startText, endText string
	hasRange := false
	if i := strings.Index(s, "~"); i >= 0 {
		hasRange = true
		startText, endText = s[:i], strings.TrimSpace(s[i+1:])
		if strings.Contains(endText, "~") {
			return fail()
		}
	} else {
		startText = s
	}
	listed := strings.Split(startText, "/")
	first, ok := parseSegment(listed[0], nil)
	if !ok {
		return fail()
	}
	out.Date, out.Precision = first.date, first.precision
	for _, more := range listed[1:] {
		d, ok := parseSegment(more, &first)
		if !ok {
			return fail()
		}
		out.More = append(out.More, d.date)
	}
	if hasRange {
		if endText == "" || endText == "지속" || endText == "계속" || endText == "현재" {
			out.OpenEnded = true
		} else {
			end, ok := parseSegment(endText, &first)
			if !ok || !before(first.date, end.date) {
				return fail()
			}
			out.End = end.date
		}
	}
	return out, nil
}

// normalizeDateText folds full-width forms and the apostrophes and tildes
// word processors substitute into ASCII, and trims.
func normalizeDateText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == '\u3000':
			r = ' '
		case r == '\u2018' || r == '\u2019' || r == '`' || r == '\u00B4':
			r = '\''
		case r == '\u223C' || r == '\u301C' || r == '\u02DC':
			r = '~'
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

type segment struct {
	date      Date
	precision Precision
	// parts is how many numbers after the year the segment wrote.
	parts int
}

// parseSegment reads one date. With base, a segment without a year shares
// the base's leading parts: its numbers fill the base's last ones.
func parseSegment(s string, base *segment) (segment, bool) {
	var year int
	var nums []int
	marker := ""
	for _, m := range segmentTok.FindAllStringSubmatch(s, -1) {
		switch {
		case m[1] != "":
			if year != 0 || len(nums) > 0 {
				return segment{}, false
			}
			y, _ := strconv.Atoi(m[1])
			year = 2000 + y
			if y >= 70 {
				year = 1900 + y
			}
		case m[2] != "":
			n, err := strconv.Atoi(m[2])
			if err != nil {
				return segment{}, false
			}
			if len(m[2]) == 4 && year == 0 && len(nums) == 0 {
				year = n
				continue
			}
			if len(m[2]) > 2 {
				return segment{}, false
			}
			nums = append(nums, n)
		case m[3] != "":
			marker = "Q" + m[3]
		case m[4] != "":
			marker = "H" + m[4]
		case m[5] != "":
			// Separators, and weekday marks such as (금), carry no date.
			if !strings.Contains(".,()", m[5]) && !strings.Contains("월화수목금토일", m[5]) {
				return segment{}, false
			}
		}
	}
	var seg segment
	switch {
	case year != 0:
		seg.date.Year = year
		if marker != "" {
			if len(nums) > 0 {
				return segment{}, false
			}
			return markerSegment(year, marker)
		}
		if len(nums) > 2 {
			return segment{}, false
		}
		if len(nums) > 0 {
			seg.date.Month = nums[0]
		}
		if len(nums) > 1 {
			seg.date.Day = nums[1]
		}
		seg.parts = len(nums)
		seg.precision = [...]Precision{PrecisionYear, PrecisionMonth, PrecisionDay}[len(nums)]
	case base != nil:
		if marker != "" {
			if len(nums) > 0 || base.precision != PrecisionQuarter && base.precision != PrecisionHalfYear {
				return segment{}, false
			}
			return markerSegment(base.date.Year, marker)
		}
		if len(nums) == 0 || len(nums) > base.parts {
			return segment{}, false
		}
		seg = *base
		parts := []*int{&seg.date.Month, &seg.date.Day}[:base.parts]
		for i, n := range nums {
			*parts[len(parts)-len(nums)+i] = n
		}
	default:
		return segment{}, false
	}
	if !validDate(seg.date) {
		return segment{}, false
	}
	return seg, true
}

func markerSegment(year int, marker string) (segment, bool) {
	n := int(marker[1] - '0')
	seg := segment{date: Date{Year: year, Month: 6*(n-1) + 1}, precision: PrecisionHalfYear}
	if marker[0] == 'Q' {
		seg = segment{date: Date{Year: year, Month: 3*(n-1) + 1}, precision: PrecisionQuarter}
	}
	return seg, validDate(seg.date)
}

func validDate(d Date) bool {
	if d.Year < 1900 || d.Year > 2200 || d.Month < 0 || d.Month > 12 || d.Day < 0 || d.Day > 31 {
		return false
	}
	if d.Day != 0 {
		if d.Month == 0 {
			return false
		}
		t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		return t.Day() == d.Day
	}
	return true
}

// before reports whether a comes before b, comparing the parts both give.
func before(a, b Date) bool {
	if a.Year != b.Year {
		return a.Year < b.Year
	}
	if a.Month == 0 || b.Month == 0 || a.Month != b.Month {
		return a.Month <= b.Month
	}
	return a.Day == 0 || b.Day == 0 || a.Day <= b.Day
}
