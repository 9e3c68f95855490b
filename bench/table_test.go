package main

import (
	"strings"
	"testing"
	"time"
)

func TestBallotsHoldOnlyWhenEveryAcceptedOneIsCountedOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    ballotCount
		want bool
	}{
		{"all counted", ballotCount{Accepted: 100, Counted: 100}, true},
		{"one lost", ballotCount{Accepted: 100, Counted: 99}, false},
		{"one doubled", ballotCount{Accepted: 100, Counted: 101}, false},
		{"an unsure one kept", ballotCount{Accepted: 100, Unsure: 2, Counted: 101}, true},
		{"more than the unsure ones", ballotCount{Accepted: 100, Unsure: 2, Counted: 103}, false},
		{"none accepted shows nothing", ballotCount{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.Holds(); got != tc.want {
				t.Errorf("Holds() = %v, want %v", got, tc.want)
			}
		})
	}
}

// fig is a figure of n successes in one second with the given p99.
func fig(n int, p50, p99 time.Duration) figure {
	return figure{OK: n, Duration: time.Second, P50: p50, P99: p99}
}

func TestTheTargetsAreJudgedFromTheRows(t *testing.T) {
	const ms = time.Millisecond
	mem := func(n int64) map[string]int64 {
		m := map[string]int64{}
		for _, s := range services {
			m[s] = n << 20
		}
		return m
	}
	rows := func(get, card figure, ballots int) []row {
		return []row{
			{Path: rowTPCB, TPS: 1000},
			{Path: rowBareLarge, F: fig(1000, 10*ms, 40*ms)},
			{Path: rowGet, F: get, Ceiling: rowBareLarge},
			{Path: rowCard, F: card, Ceiling: rowGet},
			{Path: rowBallots, F: fig(ballots, ms, ms), Ceiling: rowTPCB},
		}
	}
	verdicts := func(r *results) string {
		var v []string
		for _, t := range r.Targets {
			v = append(v, holds(t.Holds))
		}
		return strings.Join(v, "; ")
	}
	for _, tc := range []struct {
		name string
		r    results
		b    ballotCount
		want string
	}{
		{name: "every target met, at the bounds",
			r:    results{Rows: rows(fig(700, 10*ms, 60*ms), fig(210, 30*ms, 180*ms), 500), Idle: mem(50), Peak: mem(150)},
			b:    ballotCount{Accepted: 500, Counted: 500},
			want: "holds; holds; holds; holds; holds; holds; holds; holds"},
		{name: "every target missed",
			r:    results{Rows: rows(fig(699, 10*ms, 61*ms), fig(209, 30*ms, 184*ms), 499), Idle: mem(51), Peak: mem(151)},
			b:    ballotCount{Accepted: 499, Counted: 498},
			want: "does not hold; does not hold; does not hold; does not hold; does not hold; does not hold; does not hold; does not hold"},
		{name: "nothing measured holds nothing",
			r:    results{Rows: rows(figure{}, figure{}, 0)},
			want: "does not hold; does not hold; does not hold; does not hold; does not hold; does not hold; does not hold; does not hold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.judge(tc.b)
			if got := verdicts(&tc.r); got != tc.want {
				t.Errorf("verdicts\n got %s\nwant %s\n%s", got, tc.want, tc.r.Markdown())
			}
		})
	}
}

func TestTheTablePutsEachFigureBesideItsCeiling(t *testing.T) {
	r := &results{Rows: []row{
		{Path: rowBareLarge, F: fig(1000, 10*time.Millisecond, 40*time.Millisecond)},
		{Path: rowGet, F: fig(500, 20*time.Millisecond, 100*time.Millisecond), Ceiling: rowBareLarge, Note: "(2.4 kB)"},
	}}
	r.Rows[1].F.Failed = map[string]int{"503": 2}
	want := "| REST get-pledge (2.4 kB) | 500 | 20.0 ms | 100.0 ms | bare REST, pledge-size row | 0.50 | 2.50 | 503×2 |"
	if got := r.Markdown(); !strings.Contains(got, want) {
		t.Errorf("no line\n%s\nin\n%s", want, got)
	}
}
