// Command bench is `make bench`: it starts the real suite (`gongyak run
// --scale 20x150`, real PostgreSQL, the synthetic data loaded through the
// APIs once and kept in .data-bench-20x150), measures this machine's own
// ceilings in the same run — pgbench on the suite's PostgreSQL, and a bare
// gRPC service with a grpc-gateway reading one row by primary key — and
// then the suite's paths under 32 connections, and prints each figure
// beside its ceiling, the targets, and each service's resident
// memory. The load tools (vegeta for REST, ghz for gRPC) live in this
// module, outside go.work, so the services never depend on them.
//
// Run it from the bench folder with GOWORK=off (make bench does).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/scalegen"
	"github.com/gongyak/gongyak/pkg/suite"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func main() {
	var (
		scale    = flag.String("scale", "20x150", "districts x pledges to load (a data folder of its own each)")
		conns    = flag.Int("c", 32, "connections (concurrent callers) of each load")
		duration = flag.Duration("d", 8*time.Second, "how long each load is measured")
		warmUp   = flag.Duration("warmup", 2*time.Second, "how long each load runs, unmeasured, before")
		bareGRPC = flag.String("bare-grpc", "", "(internal) serve the bare gRPC service on this address, reading GONGYAK_BENCH_DB")
		bareGW   = flag.String("bare-gateway", "", "(internal) serve the bare gateway on this address, in front of -bare-upstream")
		upstream = flag.String("bare-upstream", "", "(internal) the bare gRPC service the bare gateway calls")
	)
	flag.Parse()
	var err error
	switch {
	case *bareGRPC != "":
		err = serveBareGRPC(*bareGRPC, os.Getenv("GONGYAK_BENCH_DB"))
	case *bareGW != "":
		err = serveBareGateway(*bareGW, *upstream)
	default:
		err = bench(*scale, shape{Conns: *conns, WarmUp: *warmUp, Duration: *duration})
	}
	if err != nil {
		say("%v", err)
		os.Exit(1)
	}
}

// cleanup runs what stops the processes the bench started, once, whether
// the bench ends, fails, or is interrupted.
type cleanup struct {
	mu    sync.Mutex
	steps []func()
	once  sync.Once
}

func (c *cleanup) add(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.steps = append(c.steps, f)
}

func (c *cleanup) run() {
	c.once.Do(func() {
		c.mu.Lock()
		steps := c.steps
		c.mu.Unlock()
		for i := len(steps) - 1; i >= 0; i-- {
			steps[i]()
		}
	})
}

func bench(scale string, s shape) (err error) {
	began := time.Now()
	var clean cleanup
	defer clean.run()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		say("interrupted: stopping what the bench started")
		clean.run()
		os.Exit(130)
	}()

	here, err := os.Getwd()
	if err != nil {
		return err
	}
	root := filepath.Dir(here)
	data := filepath.Join(root, ".data-bench-"+scale)
	bin, err := os.MkdirTemp("", "gongyak-bench-bin-")
	if err != nil {
		return err
	}
	clean.add(func() { os.RemoveAll(bin) })
	exe, err := os.Executable()
	if err != nil {
		return err
	}

	// 1. The suite, loaded.
	ctx := context.Background()
	run, err := startSuite(ctx, root, bin, data, scale)
	clean.add(run.stop)
	if err != nil {
		return err
	}
	var districts, pledges int
	fmt.Sscanf(scale, "%dx%d", &districts, &pledges)
	plan, err := scalegen.New(scalegen.Config{Seed: 1, Districts: districts, Pledges: pledges})
	if err != nil {
		return err
	}
	var ids []string
	for i := range plan.Districts() {
		ids = append(ids, plan.District(i).ID)
	}
	time.Sleep(3 * time.Second) // let the load's garbage go before reading memory
	res := &results{Machine: machine(), Idle: idleMemory(data)}

	// 2. pgbench on the suite's PostgreSQL, in a database of its own.
	pw, err := run.superPassword()
	if err != nil {
		return err
	}
	pgBin, err := pgcluster.FindBin()
	if err != nil {
		return err
	}
	db := pg{port: run.pgPort, password: pw, bin: pgBin}
	if err := db.ensureDB(ctx); err != nil {
		return fmt.Errorf("the bench database: %w", err)
	}
	if !db.pgbenchReady(ctx) {
		say("pgbench -i -s %d (once; later runs reuse it)", pgbenchScale)
		if _, err := db.pgbench(ctx, "-i", "-q", "-s", fmt.Sprint(pgbenchScale)); err != nil {
			return err
		}
	}
	for _, mode := range []struct {
		row  string
		args []string
	}{{rowTPCB, nil}, {rowSelect, []string{"-S"}}} {
		say("%s", mode.row)
		out, err := db.pgbench(ctx, append([]string{"-c", fmt.Sprint(s.Conns), "-j", "2", "-T", "10", "-M", "prepared"}, mode.args...)...)
		if err != nil {
			return err
		}
		r, err := parsePgbench(out)
		if err != nil {
			return err
		}
		note := ""
		if r.Failed > 0 {
			note = fmt.Sprintf("(%d failed)", r.Failed)
		}
		res.Rows = append(res.Rows, row{Path: mode.row, TPS: r.TPS, Note: note})
	}

	// 3. The bare path, with a row the size of the pledge's REST answer.
	api := newREST(run.http, run.key)
	pledge := fmt.Sprintf("districts/%s/pledges/p8-001", ids[0])
	pledgeJSON, err := api.call(http.MethodGet, "/v1/"+pledge, nil)
	if err != nil {
		return fmt.Errorf("reading the pledge the bench reads: %w", err)
	}
	if err := prepareBare(ctx, db.url(benchDB), pledgeJSON); err != nil {
		return fmt.Errorf("the bare table: %w", err)
	}
	bareFigures, err := runBare(exe, data, db.url(benchDB), s, &clean)
	if err != nil {
		return err
	}
	res.Rows = append(res.Rows, bareFigures...)
	res.Rows[len(res.Rows)-3].Note = fmt.Sprintf("(%.1f kB)", float64(len(pledgeJSON))/1000)

	// 4. The suite, its memory watched.
	loads := &suiteLoads{api: api, grpcAddr: run.pledge, shape: s, districts: ids, pledge: pledge}
	watch := watchMemory(data, 200*time.Millisecond)
	say("%s", rowGet)
	res.Rows = append(res.Rows, row{Path: rowGet, F: loads.restGetPledge(), Ceiling: rowBareLarge, Note: fmt.Sprintf("(%.1f kB)", float64(len(pledgeJSON))/1000)})
	say("%s", rowGetGRPC)
	g, err := loads.grpcGetPledge()
	if err != nil {
		return err
	}
	res.Rows = append(res.Rows, row{Path: rowGetGRPC, F: g, Ceiling: rowBareGLrg})
	say("%s", rowList)
	res.Rows = append(res.Rows, row{Path: rowList, F: loads.list(), Ceiling: rowBareLarge})
	say("%s", rowCard)
	res.Rows = append(res.Rows, row{Path: rowCard, F: loads.card(), Ceiling: rowGet})
	say("%s", rowBudget)
	b, budgetErr := loads.budgetUpdates()
	res.Rows = append(res.Rows, row{Path: rowBudget, F: b, Ceiling: rowTPCB})
	say("%s", rowBallots)
	bf, count, ballotErr := loads.ballots()
	res.Rows = append(res.Rows, row{Path: rowBallots, F: bf, Ceiling: rowTPCB})
	say("%s", rowReport)
	res.Rows = append(res.Rows, row{Path: rowReport, F: loads.report(), Ceiling: rowBareLarge})
	res.Peak = watch.Stop()
	res.judge(count)

	table := res.Markdown()
	fmt.Print(table)
	took := time.Since(began).Round(time.Second)
	fmt.Printf("\n%d connections, %s measured after %s of warm-up each; the whole run took %s.\n", s.Conns, s.Duration, s.WarmUp, took)
	if err := os.WriteFile(filepath.Join(data, "bench.md"), []byte(table+fmt.Sprintf("\nWhole run: %s.\n", took)), 0o644); err != nil {
		return err
	}
	say("written to %s", filepath.Join(data, "bench.md"))
	return errors.Join(budgetErr, ballotErr)
}

// runBare starts the bare gRPC service and its gateway as processes of
// their own, measures REST (vegeta) and gRPC (ghz) with the tiny and the
// pledge-size row, and stops them.
func runBare(exe, data, dbURL string, s shape, clean *cleanup) ([]row, error) {
	grpcPort, err := pgcluster.FreePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := pgcluster.FreePort()
	if err != nil {
		return nil, err
	}
	grpcAddr, httpAddr := fmt.Sprintf("127.0.0.1:%d", grpcPort), fmt.Sprintf("127.0.0.1:%d", httpPort)
	logFile, err := os.Create(filepath.Join(data, "bench-bare.log"))
	if err != nil {
		return nil, err
	}
	var procs []*suite.Process
	stop := func() {
		for _, p := range procs {
			p.Stop(10 * time.Second) //nolint:errcheck // the bench's figures are taken
		}
		procs = nil
	}
	clean.add(stop)
	p, err := suite.Start("bare-grpc", exe, []string{"-bare-grpc", grpcAddr}, []string{"GONGYAK_BENCH_DB=" + dbURL}, logFile, true)
	if err != nil {
		return nil, err
	}
	procs = append(procs, p)
	p, err = suite.Start("bare-gateway", exe, []string{"-bare-gateway", httpAddr, "-bare-upstream", grpcAddr}, nil, logFile, true)
	if err != nil {
		return nil, err
	}
	procs = append(procs, p)
	ctx, cancel := withTimeout(30 * time.Second)
	defer cancel()
	if err := suite.WaitHTTP(ctx, p, fmt.Sprintf("http://%s/v1/rows/%d", httpAddr, tinyRow)); err != nil {
		return nil, fmt.Errorf("the bare path (see %s): %w", logFile.Name(), err)
	}
	file, err := bareFile()
	if err != nil {
		return nil, err
	}
	var rows []row
	for _, r := range []struct {
		path string
		id   int64
	}{{rowBareTiny, tinyRow}, {rowBareLarge, largeRow}} {
		say("%s", r.path)
		rows = append(rows, row{Path: r.path, F: httpLoad(r.path, s, staticTarget(http.MethodGet, fmt.Sprintf("http://%s/v1/rows/%d", httpAddr, r.id), nil), nil, nil)})
	}
	for _, r := range []struct {
		path string
		id   int64
	}{{rowBareGTiny, tinyRow}, {rowBareGLrg, largeRow}} {
		say("%s", r.path)
		f, err := grpcLoad(s, grpcAddr, bareService+".GetRow", []protoreflect.FileDescriptor{file}, wrapperspb.Int64(r.id), nil)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row{Path: r.path, F: f})
	}
	stop()
	return rows, nil
}

// machine describes what the bench ran on.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	var mem int64
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				mem = parseKB(v)
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return fmt.Sprintf("%s UTC · %s, %d cores, %.1f GB · Linux %s · %s", time.Now().UTC().Format("2006-01-02 15:04"), model,
		runtime.NumCPU(), float64(mem)/(1<<30), strings.TrimSpace(string(kernel)), runtime.Version())
}
