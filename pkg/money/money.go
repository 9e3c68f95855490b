// Package money reads and writes amounts of money as pledge cards write
// them. Money is always an integer number of won (int64), never a float:
// cards write 백만원 (millions of won) with up to two decimals, so 8.5 is
// 8,500,000 won and 124,667.42 is 124,667,420,000 won, exactly.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// WonPerMillion is how many won one 백만원 is.
const WonPerMillion = 1_000_000

// ErrNotAmount is returned for text that is not an amount.
var ErrNotAmount = errors.New("not an amount in 백만원: write it like 8.5, 2,500 or 124,667.42 (at most two decimals), or - for none")

// ParseMillionWon reads an amount in 백만원: digits with optional
// thousands separators and at most two decimals. A blank cell or "-" means
// no amount: ok is false and err nil. Full-width digits and separators are
// read as their ASCII forms.
func ParseMillionWon(s string) (won int64, ok bool, err error) {
	s = strings.TrimSpace(fold(s))
	if s == "" || s == "-" || s == "–" || s == "—" {
		return 0, false, nil
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if hasDot && (len(frac) == 0 || len(frac) > 2 || strings.Trim(frac, "0123456789") != "") {
		return 0, false, ErrNotAmount
	}
	digits, err := stripSeparators(intPart)
	if err != nil {
		return 0, false, err
	}
	millions, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || millions > math.MaxInt64/WonPerMillion-1 {
		if err == nil || errors.Is(err, strconv.ErrRange) {
			return 0, false, fmt.Errorf("%s 백만원 is too large", s)
		}
		return 0, false, ErrNotAmount
	}
	won = millions * WonPerMillion
	if frac != "" {
		for len(frac) < 2 {
			frac += "0"
		}
		hundredths, _ := strconv.ParseInt(frac, 10, 64)
		won += hundredths * (WonPerMillion / 100)
	}
	return won, true, nil
}

// stripSeparators removes thousands separators, which must stand every
// three digits from the right.
func stripSeparators(s string) (string, error) {
	if s == "" || strings.Trim(s, "0123456789,") != "" {
		return "", ErrNotAmount
	}
	if !strings.Contains(s, ",") {
		return s, nil
	}
	groups := strings.Split(s, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return "", ErrNotAmount
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", ErrNotAmount
		}
	}
	return strings.Join(groups, ""), nil
}

// FormatMillionWon writes won in 백만원 with thousands separators and as
// few decimals as it needs (8500000 is "8.5", 124667420000 is
// "124,667.42"), so that ParseMillionWon reads it back exactly when it is a
// multiple of 10,000 won; finer amounts get up to six decimals.
func FormatMillionWon(won int64) string {
	sign := ""
	u := uint64(won)
	if won < 0 {
		sign, u = "-", uint64(-(won+1))+1
	}
	whole, frac := u/WonPerMillion, u%WonPerMillion
	out := sign + group(strconv.FormatUint(whole, 10))
	if frac != 0 {
		out += "." + strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	}
	return out
}

// FormatWon writes won with thousands separators: 8,500,000.
func FormatWon(won int64) string {
	if won < 0 {
		return "-" + group(strconv.FormatUint(uint64(-(won+1))+1, 10))
	}
	return group(strconv.FormatInt(won, 10))
}

func group(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// fold turns full-width digits, commas and dots into ASCII.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			return r - 0xFEE0
		}
		return r
	}, s)
}
