package main

import (
	"fmt"
	"strings"
	"time"
)

// row is one line of the results: a figure beside its ceiling.
type row struct {
	Path    string
	F       figure
	TPS     float64 // for pgbench rows, which have no percentiles
	Ceiling string  // the row it is compared with; empty for a ceiling
	Note    string
}

func (r row) rps() float64 {
	if r.TPS > 0 {
		return r.TPS
	}
	return r.F.RPS()
}

// target is one of the targets and whether it holds.
type target struct {
	What  string
	Got   string
	Holds bool
}

// results is everything a run measured.
type results struct {
	Machine string
	Rows    []row
	Targets []target
	Idle    map[string]int64
	Peak    map[string]int64
}

func (r *results) find(path string) (row, bool) {
	for _, x := range r.Rows {
		if x.Path == path {
			return x, true
		}
	}
	return row{}, false
}

// ratio is a/b to two decimals, or "–" when b is zero.
func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func ms(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

func holds(ok bool) string {
	if ok {
		return "holds"
	}
	return "does not hold"
}

// Markdown is the table of figures, the targets, and the memory.
func (r *results) Markdown() string {
	var b strings.Builder
	if r.Machine != "" {
		fmt.Fprintf(&b, "%s\n\n", r.Machine)
	}
	b.WriteString("| path | req/s | p50 | p99 | ceiling | req/s ratio | p99 ratio | not 200 |\n")
	b.WriteString("| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |\n")
	for _, x := range r.Rows {
		var rr, pr string
		if c, ok := r.find(x.Ceiling); ok {
			rr = ratio(x.rps(), c.rps())
			if x.F.P99 > 0 && c.F.P99 > 0 {
				pr = ratio(float64(x.F.P99), float64(c.F.P99))
			}
		}
		ceiling := x.Ceiling
		if ceiling == "" {
			ceiling = "(ceiling)"
		}
		path := x.Path
		if x.Note != "" {
			path += " " + x.Note
		}
		fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %s | %s | %s | %s |\n", path, x.rps(), ms(x.F.P50), ms(x.F.P99), ceiling, rr, pr, x.F.failures())
	}
	b.WriteString("\n| target | measured | |\n| --- | --- | --- |\n")
	for _, t := range r.Targets {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.What, t.Got, holds(t.Holds))
	}
	if len(r.Idle) > 0 || len(r.Peak) > 0 {
		b.WriteString("\n| service | resident idle | peak under load |\n| --- | ---: | ---: |\n")
		for _, s := range services {
			if _, ok := r.Idle[s]; !ok {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", s, mb(r.Idle[s]), mb(r.Peak[s]))
		}
	}
	return b.String()
}

// The rows the targets name.
const (
	rowTPCB      = "pgbench TPC-B-like (-M prepared)"
	rowSelect    = "pgbench select-only (-S -M prepared)"
	rowBareTiny  = "bare REST, tiny row"
	rowBareLarge = "bare REST, pledge-size row"
	rowBareGTiny = "bare gRPC, tiny row"
	rowBareGLrg  = "bare gRPC, pledge-size row"
	rowGet       = "REST get-pledge"
	rowGetGRPC   = "gRPC get-pledge"
	rowList      = "REST list, filter + 돌봄"
	rowCard      = "REST card"
	rowBudget    = "REST budget update (etag)"
	rowBallots   = "REST ballots"
	rowReport    = "REST report districts/-"
)

// judge sets the targets from the rows, the ballot count and the
// memory.
func (r *results) judge(ballots ballotCount) {
	get, _ := r.find(rowGet)
	bare, _ := r.find(rowBareLarge)
	card, _ := r.find(rowCard)
	tpcb, _ := r.find(rowTPCB)
	bal, _ := r.find(rowBallots)
	frac := func(a, b float64) (string, bool, float64) {
		if a == 0 || b == 0 {
			return "not measured", false, 0
		}
		return fmt.Sprintf("%.0f%%", 100*a/b), true, a / b
	}
	add := func(what string, got string, ok bool) { r.Targets = append(r.Targets, target{what, got, ok}) }

	s, ok, x := frac(get.rps(), bare.rps())
	add("REST get-pledge ≥ 70% of the same-size bare path's req/s", s, ok && x >= 0.70)
	s, ok, x = frac(float64(get.F.P99), float64(bare.F.P99))
	add("REST get-pledge p99 ≤ 1.5 × the bare path's", fmt.Sprintf("%s / %s = %.2f×", ms(get.F.P99), ms(bare.F.P99), x), ok && x <= 1.5)
	s, ok, x = frac(card.rps(), get.rps())
	add("card ≥ 30% of get-pledge's req/s", s, ok && x >= 0.30)
	s, ok, x = frac(float64(card.F.P99), float64(get.F.P99))
	add("card p99 ≤ 3 × get-pledge's", fmt.Sprintf("%s / %s = %.2f×", ms(card.F.P99), ms(get.F.P99), x), ok && x <= 3)
	s, ok, x = frac(bal.rps(), tpcb.rps())
	add("ballots ≥ 50% of pgbench TPC-B tps", s, ok && x >= 0.50)
	add("ballots: none lost or doubled", fmt.Sprintf("%d accepted, %d unsure, %d counted", ballots.Accepted, ballots.Unsure, ballots.Counted), ballots.Holds())
	var idleOver, peakOver []string
	for _, name := range services {
		if r.Idle[name] > 50<<20 {
			idleOver = append(idleOver, name+" "+mb(r.Idle[name]))
		}
		if r.Peak[name] > 150<<20 {
			peakOver = append(peakOver, name+" "+mb(r.Peak[name]))
		}
	}
	over := func(names []string) string {
		if len(names) == 0 {
			return "every service within"
		}
		return "over: " + strings.Join(names, ", ")
	}
	add("each service ≤ 50 MB resident idle", over(idleOver), len(r.Idle) == len(services) && len(idleOver) == 0)
	add("each service ≤ 150 MB resident under load", over(peakOver), len(r.Peak) == len(services) && len(peakOver) == 0)
}
