//go:build bench

// Package bench measures the suite at full synthetic scale (make
// bench-report): `gongyak run` on a data folder of its own, .data-bench,
// with 243 districts × 150 pledges loaded through the APIs the first time
// (later runs find them loaded), and the all-district implementation
// report timed against it. GONGYAK_BENCH_SCALE=5x20 runs it on less, in
// .data-bench-5x20, to try the harness.
package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongyak/gongyak/e2e/internal/harness"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/scalegen"
	"github.com/gongyak/gongyak/pkg/suite"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/metadata"
)

// root is the checkout, two folders up from this package.
var root, _ = filepath.Abs(filepath.Join("..", ".."))

// limit is what the median report may take (the bound).
const limit = 200 * time.Millisecond

// loaded is the suite with the full scale in it, started once for the
// benchmark's rounds, and stopped by TestMain.
var (
	once   sync.Once
	loaded *full
	err    error
)

type full struct {
	run        *suite.Process
	pledgeAddr string
	credential string
	plan       *scalegen.Plan
}

// binDir holds the suite's binaries, built once for the run.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(harness.WithBinaries("bench", nil, func(bin string) int {
		binDir = bin
		code := m.Run()
		if loaded != nil {
			if err := loaded.run.Stop(2 * time.Minute); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
			}
		}
		return code
	}))
}

// start starts `gongyak run --scale full` on .data-bench and ports of its
// own, and waits until it has loaded (or found loaded) every district.
func start() (*full, error) {
	bin := binDir
	var env []string
	addrs := map[string]string{}
	for _, name := range []string{"PLEDGE", "BUDGET", "INDICATOR", "PARTICIPATION", "HTTP", "IDP", "PG"} {
		port, err := pgcluster.FreePort()
		if err != nil {
			return nil, err
		}
		if name == "PG" {
			env = append(env, fmt.Sprintf("GONGYAK_PG_PORT=%d", port))
			continue
		}
		addrs[name] = fmt.Sprintf("127.0.0.1:%d", port)
		env = append(env, "GONGYAK_"+name+"_ADDR="+addrs[name])
	}
	data := filepath.Join(root, ".data-bench")
	districts, pledges := 243, 150
	if s := os.Getenv("GONGYAK_BENCH_SCALE"); s != "" {
		if _, err := fmt.Sscanf(s, "%dx%d", &districts, &pledges); err != nil {
			return nil, fmt.Errorf("GONGYAK_BENCH_SCALE=%q: write it as districts x pledges, such as 5x20", s)
		}
		data += "-" + s // another scale, another folder
	}
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	lines, err := suite.NewScaleLog(filepath.Join(data, "bench-run.log"))
	if err != nil {
		return nil, err
	}
	p, err := suite.Start("gongyak", filepath.Join(bin, "gongyak"), []string{"run", "--bin", bin, "--data", data,
		"--demo-card", filepath.Join(root, "services/pledge/testdata/cards/000_f92421f269c71dea.txt"),
		"--scale", fmt.Sprintf("%dx%d", districts, pledges)}, env, lines, false)
	if err != nil {
		return nil, err
	}
	fmt.Printf("bench: gongyak run --scale %dx%d on %s (its output in %s)\n", districts, pledges, data, lines.Name())
	loading, stopWaiting := context.WithTimeoutCause(context.Background(), 45*time.Minute, errors.New("not within 45 minutes"))
	defer stopWaiting()
	if err := lines.WaitLoaded(loading, p, func(line string) { fmt.Println("bench:", line) }); err != nil {
		p.Stop(time.Minute) //nolint:errcheck // the load's failure is the news
		return nil, err
	}
	key, err := os.ReadFile(filepath.Join(data, "admin.key"))
	if err != nil {
		return nil, err
	}
	plan, err := scalegen.New(scalegen.Config{Seed: 1, Districts: districts, Pledges: pledges})
	return &full{run: p, pledgeAddr: addrs["PLEDGE"], credential: strings.TrimSpace(string(key)), plan: plan}, err
}

// BenchmarkImplementationReport times GetImplementationReport of every
// district (`districts/-/implementationReport`, 민선 8기) at full
// synthetic scale, one client, after a warm-up call, and reports the
// median of the rounds (make bench-report runs 20). It fails when the
// median is over 200 ms, or when the report disagrees with the totals the
// generator counted.
func BenchmarkImplementationReport(b *testing.B) {
	once.Do(func() { loaded, err = start() })
	if err != nil {
		b.Fatal(err)
	}
	conn, err := grpcclient.Dial(loaded.pledgeAddr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	reports := pledgev1.NewReportServiceClient(conn)
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+loaded.credential)
	want := loaded.plan.Expect(8)
	day := func(t time.Time) *date.Date {
		return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}
	}
	req := &pledgev1.GetImplementationReportRequest{Name: "districts/-/implementationReport", Term: 8,
		StartDate: day(want.StartDate), AsOfDate: day(want.AsOfDate)}

	// The warm-up, which is also the check of the figures.
	first, err := reports.GetImplementationReport(ctx, req)
	if err != nil {
		b.Fatal(err)
	}
	// gongyak run seeds its development district, gwangsan, whose 민선
	// 8기 has no pledges: the report's row for it is checked empty and
	// set aside, and the rest are the generator's.
	first.Districts = slices.DeleteFunc(first.GetDistricts(), func(d *pledgev1.DistrictImplementation) bool {
		if d.GetDistrict() != "districts/gwangsan" {
			return false
		}
		if d.GetPledgeCount() != 0 || d.GetMoneyTotal().GetPledgeCount() != 0 || d.GetParticipation().GetPrograms() != 0 {
			b.Errorf("the development district gwangsan has figures in 민선 8기: %v", d)
		}
		return true
	})
	for _, d := range want.CheckReport(first) {
		b.Error(d)
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		began := time.Now()
		if _, err := reports.GetImplementationReport(ctx, req); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(began))
	}
	b.StopTimer()
	slices.Sort(times)
	median := times[len(times)/2]
	if len(times)%2 == 0 {
		median = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	b.ReportMetric(float64(median.Microseconds())/1000, "ms-median")
	b.Logf("%d rounds: median %s, fastest %s, slowest %s", len(times), median, times[0], times[len(times)-1])
	if b.N >= 20 && median > limit {
		b.Errorf("the median report took %s, over %s", median, limit)
	}
}
