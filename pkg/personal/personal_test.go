package personal

import (
	"bytes"
	"testing"
)

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{
		"정성정": "정*정", "정*정": "정*정", "김수": "김*", "남궁민수": "남**수", "이": "*", "": "", "Kim Minsu": "K*******u",
	} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"010-1234-5678": "010-****-5678", "01012345678": "010-****-5678", "062) 960-8891": "062-***-8891",
		"02-123-4567": "02-***-4567", "+82 10 1234 5678": "010-****-5678",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	if got := MaskEmail("citizen@example.kr"); got != "c******@example.kr" {
		t.Errorf("MaskEmail = %q", got)
	}
}

func TestValidation(t *testing.T) {
	for _, ok := range []string{"010-1234-5678", "062) 960-8891", "+82 10-1234-5678", "02.123.4567"} {
		if !ValidPhone(ok) {
			t.Errorf("ValidPhone(%q) = false", ok)
		}
	}
	for _, bad := range []string{"전화 주세요", "123", "010-1234-5678-9999", "phone"} {
		if ValidPhone(bad) {
			t.Errorf("ValidPhone(%q) = true", bad)
		}
	}
	if !ValidEmail("a@b.kr") || ValidEmail("a@b") || ValidEmail("no at.kr") {
		t.Error("ValidEmail")
	}
}

func TestHashIsKeyedAndFoldsFormatting(t *testing.T) {
	if _, err := NewHasher("short"); err == nil {
		t.Fatal("a short key was accepted")
	}
	h1, _ := NewHasher("0123456789abcdef0123456789abcdef")
	h2, _ := NewHasher("fedcba9876543210fedcba9876543210")
	if !bytes.Equal(h1.Hash("010-1234-5678"), h1.Hash("010 1234 5678")) {
		t.Error("one phone written two ways hashes differently")
	}
	if bytes.Equal(h1.Hash("010-1234-5678"), h2.Hash("010-1234-5678")) {
		t.Error("the hash does not depend on the key")
	}
	if bytes.Equal(h1.Hash("010-1234-5678"), h1.Hash("010-1234-5679")) {
		t.Error("two citizens share a hash")
	}
}
