package main

import (
	"strings"
	"testing"
)

// TestTheScaleIsDistrictsByPledges reads --scale and --size as make
// demo-scale and people write them, and refuses the rest naming the form.
func TestTheScaleIsDistrictsByPledges(t *testing.T) {
	for _, tt := range []struct {
		in                 string
		districts, pledges int
	}{{"full", 243, 150}, {"5x20", 5, 20}, {"243x150", 243, 150}} {
		got, err := parseScale(tt.in, 7)
		if err != nil || got.districts != tt.districts || got.pledges != tt.pledges || got.seed != 7 {
			t.Errorf("parseScale(%q) = %+v, %v", tt.in, got, err)
		}
	}
	for _, bad := range []string{"", "243", "x150", "243x", "243*150", "many"} {
		if _, err := parseScale(bad, 1); err == nil || !strings.Contains(err.Error(), "243x150") {
			t.Errorf("parseScale(%q): %v, want a refusal showing the form", bad, err)
		}
	}
}
