package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// figure is what one load run measured: the requests that succeeded per
// second over the run, and exact percentiles of their latencies.
type figure struct {
	OK       int            // successful requests
	Failed   map[string]int // the others, by status or error
	Duration time.Duration
	P50, P99 time.Duration
}

// newFigure makes a figure from the latencies of the successful requests.
func newFigure(latencies []time.Duration, failed map[string]int, d time.Duration) figure {
	f := figure{OK: len(latencies), Failed: failed, Duration: d}
	slices.Sort(latencies)
	f.P50, f.P99 = percentile(latencies, 50), percentile(latencies, 99)
	return f
}

// RPS is the successful requests per second.
func (f figure) RPS() float64 {
	if f.Duration <= 0 {
		return 0
	}
	return float64(f.OK) / f.Duration.Seconds()
}

// failures says what failed, such as "409×3, 503×1"; empty when nothing did.
func (f figure) failures() string {
	var parts []string
	for k, n := range f.Failed {
		parts = append(parts, fmt.Sprintf("%s×%d", k, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// percentile is the nearest-rank p-th percentile of sorted: the smallest
// value at least p% of the values are at or below. Zero when empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}
