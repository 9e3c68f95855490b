package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/scalegen"
	"github.com/gongyak/gongyak/pkg/scaleload"
)

// scaleSpec is how much synthetic data to make: districts × pledges each,
// from a seed.
type scaleSpec struct {
	districts, pledges int
	seed               uint64
}

// parseScale reads `243x150` (districts × pledges), or `full`.
func parseScale(s string, seed uint64) (scaleSpec, error) {
	if s == "full" {
		s = "243x150"
	}
	d, p, ok := strings.Cut(s, "x")
	districts, err1 := strconv.Atoi(d)
	pledges, err2 := strconv.Atoi(p)
	if !ok || err1 != nil || err2 != nil {
		return scaleSpec{}, fmt.Errorf("scale %q: write it as districts x pledges, such as 243x150 (or full)", s)
	}
	return scaleSpec{districts: districts, pledges: pledges, seed: seed}, nil
}

// loadScale generates spec's data and writes it into the suite at addrs
// as the bearer of credential, printing its progress and, at the end, how
// long it took.
func loadScale(ctx context.Context, spec scaleSpec, addrs map[string]string, credential string, out io.Writer) (scaleload.Stats, error) {
	plan, err := scalegen.New(scalegen.Config{Seed: spec.seed, Districts: spec.districts, Pledges: spec.pledges})
	if err != nil {
		return scaleload.Stats{}, err
	}
	fmt.Fprintf(out, "scale: loading %d districts × %d pledges (seed %d) through the services' gRPC APIs\n", spec.districts, spec.pledges, spec.seed)
	return scaleload.Load(ctx, scaleload.Addrs{Pledge: addrs["pledge"], Budget: addrs["budget"], Indicator: addrs["indicator"],
		Participation: addrs["participation"]}, credential, plan, scaleload.Options{Progress: out})
}

// scaleCommand loads synthetic data into a running suite, or prints what
// its report must say:
//
//	gongyak scale [--size 243x150] [--seed 1] [--credential KEY]
//	gongyak scale --expect [--size 5x20]
func scaleCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	size := fs.String("size", "full", "districts x pledges each, such as 5x20; full is 243x150")
	seed := fs.Uint64("seed", 1, "the seed: the same seed makes the same data")
	expect := fs.Bool("expect", false, "print the totals the implementation report must show for 민선 8기, counted by the generator, and load nothing")
	dataDir := fs.String("data", ".data", "the data folder of the running suite, whose admin.key is sent unless --credential is given")
	var credential string
	config.String(fs, &credential, "credential", "GONGYAK_CREDENTIAL", "", "the token or API key of a system admin")
	services := []string{"pledge", "budget", "indicator", "participation"}
	given := make([]string, len(services))
	for i, s := range services {
		config.Addr(fs, &given[i], s)
	}
	if err := config.Parse(fs, args); err != nil {
		return err
	}
	spec, err := parseScale(*size, *seed)
	if err != nil {
		return err
	}
	if *expect {
		return printExpected(os.Stdout, spec)
	}
	if credential == "" {
		raw, err := os.ReadFile(adminKeyFile(*dataDir))
		if err != nil {
			return errors.New("no credential: pass --credential (or GONGYAK_CREDENTIAL) with a system admin's token or API key; make run writes one to .data/admin.key")
		}
		credential = strings.TrimSpace(string(raw))
	}
	addrs := map[string]string{}
	for i, s := range services {
		addrs[s] = given[i]
	}
	_, err = loadScale(ctx, spec, addrs, credential, os.Stdout)
	return err
}

// printExpected writes the generator's own totals for 민선 8기.
func printExpected(w io.Writer, spec scaleSpec) error {
	plan, err := scalegen.New(scalegen.Config{Seed: spec.seed, Districts: spec.districts, Pledges: spec.pledges})
	if err != nil {
		return err
	}
	e := plan.Expect(8)
	t := e.Total
	fmt.Fprintf(w, "민선 8기, %d districts, statuses as of %s, changes from %s:\n", len(e.Districts), e.AsOfDate.Format("2006-01-02"), e.StartDate.Format("2006-01-02"))
	fmt.Fprintf(w, "  pledges %d, by status %v, completion rate %s%% (within the term: %d pledges, %s%%), changed in the period %d\n",
		t.Pledges, t.Statuses, t.CompletionRate, t.PledgesWithinTerm, t.CompletionRateWithinTerm, t.StatusChanges)
	fmt.Fprintf(w, "  money planned %d, secured %d (%s%%), executed %d (%s%%) won\n", t.MoneyTotal.Planned, t.MoneyTotal.Secured,
		t.MoneyTotal.SecuringRate, t.MoneyTotal.Executed, t.MoneyTotal.ExecutionRate)
	for s, m := range t.Money {
		fmt.Fprintf(w, "    %v: %d pledges, planned %d, secured %d, executed %d won\n", s, m.Pledges, m.Planned, m.Secured, m.Executed)
	}
	fmt.Fprintf(w, "  indicator entries measured %d (mean %s%%), no data %d, not yet due %d; overdue indicators %d\n",
		t.Indicators.Measured, t.Indicators.MeanAchievement, t.Indicators.NoData, t.Indicators.NotYetDue, t.Indicators.Overdue)
	p := t.Participation
	fmt.Fprintf(w, "  programs %d: members %d, submissions %d (selected %d, %s%%), ballots %d\n", p.Programs, p.Members, p.Submissions, p.Selected, p.SelectionRate, p.Ballots)
	return nil
}
