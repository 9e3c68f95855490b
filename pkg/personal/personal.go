// Package personal handles citizens' personal data (개인정보보호법): it
// checks phones and e-mails without ever repeating them, masks names,
// phones and e-mails for those who may not see them, and turns a citizen's
// verified identifier into a keyed hash, so a service can tell the same
// citizen again without keeping who they are.
package personal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ValidPhone reports whether s reads as a Korean phone number as people
// write them: digits with spaces, hyphens, dots or an area code in
// parentheses, 7 to 12 digits, optionally +82.
func ValidPhone(s string) bool {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "+82"); ok {
		s = "0" + strings.TrimLeft(rest, " -")
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" -.()", r):
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 12
}

var email = regexp.MustCompile(`^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@.]{2,}$`)

// ValidEmail reports whether s looks like an e-mail address.
func ValidEmail(s string) bool { return email.MatchString(strings.TrimSpace(s)) }

// MaskName hides a name but its first and last characters, as Korean
// public notices do: 정성정 → 정*정, 김수 → 김*, 남궁민수 → 남**수. A name
// already masked stays as it is.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// MaskPhone keeps the first group and the last four digits:
// 010-1234-5678 → 010-****-5678.
func MaskPhone(phone string) string {
	var digits []rune
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		}
	}
	if strings.HasPrefix(strings.TrimSpace(phone), "+82") && len(digits) > 2 {
		digits = append([]rune{'0'}, digits[2:]...)
	}
	if len(digits) < 7 {
		return strings.Repeat("*", len(digits))
	}
	head := 3
	if len(digits) == 9 || strings.HasPrefix(string(digits), "02") {
		head = 2
	}
	last := string(digits[len(digits)-4:])
	return string(digits[:head]) + "-" + strings.Repeat("*", len(digits)-head-4) + "-" + last
}

// MaskEmail keeps the first character of the local part and the domain:
// citizen@example.kr → c******@example.kr.
func MaskEmail(addr string) string {
	local, domain, ok := strings.Cut(strings.TrimSpace(addr), "@")
	if !ok || local == "" {
		return strings.Repeat("*", utf8.RuneCountInString(addr))
	}
	first, size := utf8.DecodeRuneInString(local)
	return string(first) + strings.Repeat("*", utf8.RuneCountInString(local[size:])) + "@" + domain
}

// Hasher turns citizens' identifiers into keyed hashes (HMAC-SHA256): the
// same citizen gives the same hash, and without the key no one can tell
// whose it is or test a guess.
type Hasher struct {
	key []byte
}

// ErrShortKey is returned for a key too short to protect identifiers.
var ErrShortKey = errors.New("the citizen key must be at least 32 characters of random text; generate one with: head -c 32 /dev/urandom | base64")

// NewHasher returns a hasher with key.
func NewHasher(key string) (*Hasher, error) {
	if len(key) < 32 {
		return nil, ErrShortKey
	}
	return &Hasher{key: []byte(key)}, nil
}

// Hash returns the keyed hash of a citizen identifier, after folding the
// ways one identifier is written (spaces, hyphens, case).
func (h *Hasher) Hash(id string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(normalizeID(id)))
	return m.Sum(nil)
}

func normalizeID(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		if r != ' ' && r != '-' && r != '.' && r != '(' && r != ')' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Fingerprint identifies the key without revealing it: two suites whose
// fingerprints match hash a citizen's identifier alike, so a bulk export's
// ballots and responses mean the same citizens in both.
func (h *Hasher) Fingerprint() string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("gongyak citizen key fingerprint"))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
