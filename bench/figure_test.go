package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p50 of 1..100", ms(hundred...), 50, 50 * time.Millisecond},
		{"p99 of ten is the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 100), 99, 100 * time.Millisecond},
		{"p0 is the smallest", ms(3, 4), 0, 3 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("percentile(%v) = %s, want %s", tc.p, got, tc.want)
			}
		})
	}
}

func TestFigureCountsOnlySuccessesPerSecond(t *testing.T) {
	f := newFigure([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}, map[string]int{"409": 2, "503": 1}, 2*time.Second)
	if f.RPS() != 1.5 {
		t.Errorf("rps %v, want 1.5", f.RPS())
	}
	if f.P50 != 2*time.Millisecond || f.P99 != 3*time.Millisecond {
		t.Errorf("p50 %s p99 %s", f.P50, f.P99)
	}
	if got := f.failures(); got != "409×2, 503×1" {
		t.Errorf("failures %q", got)
	}
}

func TestErrorKindDropsTheURLAndPorts(t *testing.T) {
	for in, want := range map[string]string{
		`Get "http://127.0.0.1:39817/v1/x": read tcp 127.0.0.1:32789->127.0.0.1:39817: read: connection reset by peer`: "connection reset by peer",
		`Get "http://127.0.0.1:39817/v1/x": EOF`: "EOF",
		"context deadline exceeded":              "context deadline exceeded",
	} {
		if got := errorKind(in); got != want {
			t.Errorf("errorKind(%q) = %q, want %q", in, got, want)
		}
	}
}
