package supervise

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/suite"
)

// The children in these tests are this test binary run again, told by
// childEnv what to be: "serve" runs until it is asked to stop (SIGTERM,
// after which it exits cleanly, as the suite's binaries do), "crash" exits
// with status 3 at once.
const childEnv = "SUPERVISE_TEST_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "serve":
		ctx, _ := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		fmt.Println("serving")
		<-ctx.Done()
		os.Exit(0)
	case "crash":
		os.Exit(3)
	}
	os.Exit(m.Run())
}

// startChild runs this binary as a child of the given kind; a serving one
// once it says so.
func startChild(t *testing.T, name, kind string) (Process, error) {
	t.Helper()
	out := &lines{}
	p, err := suite.Start(name, os.Args[0], nil, []string{childEnv + "=" + kind}, out, false)
	if err != nil {
		return nil, err
	}
	if kind == "serve" {
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "serving"); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				return p, errors.New(name + " did not start serving within 10s")
			}
		}
	}
	return p, nil
}

// lines is an Out that tests read while the supervisor writes.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// eventually waits up to 10 s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
	}
}

func readPid(dir, name string) int {
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	return pid
}

func alive(pid int) bool { return pid > 0 && syscall.Kill(pid, 0) == nil }

func TestAChildKilledIsStartedAgainWhileTheOthersKeepRunning(t *testing.T) {
	out, pids := &lines{}, t.TempDir()
	s := New(Options{Out: out, PidDir: pids})
	var ready sync.WaitGroup
	ready.Add(1)
	for _, name := range []string{"steady", "fragile"} {
		p, err := startChild(t, name, "serve")
		if err != nil {
			t.Fatal(err)
		}
		s.Adopt(Child{
			Name:    name,
			Restart: func(context.Context) (Process, error) { return startChild(t, name, "serve") },
			Ready:   func(context.Context, Process) error { ready.Done(); return nil },
			Log:     "/logs/" + name + ".log",
		}, p)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			s.Stop() //nolint:errcheck // the test failed already
		}
	})
	steady, fragile := readPid(pids, "steady"), readPid(pids, "fragile")
	if !alive(steady) || !alive(fragile) || steady == fragile {
		t.Fatalf("pid files: steady %d, fragile %d", steady, fragile)
	}

	if err := syscall.Kill(fragile, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "fragile restarted", func() bool { return s.Restarts("fragile") == 1 && readPid(pids, "fragile") != 0 })
	again := readPid(pids, "fragile")
	if again == fragile || !alive(again) {
		t.Errorf("fragile after its restart: pid %d (was %d)", again, fragile)
	}
	if readPid(pids, "steady") != steady || !alive(steady) || s.Restarts("steady") != 0 {
		t.Errorf("steady was disturbed: pid %d (was %d), %d restarts", readPid(pids, "steady"), steady, s.Restarts("steady"))
	}
	ready.Wait()
	eventually(t, "fragile said to serve again", func() bool { return strings.Contains(out.String(), "fragile serves again") })
	for _, want := range []string{
		fmt.Sprintf("fragile (pid %d) exited (signal: killed) after ", fragile),
		"starting it again in 200ms; its log: /logs/fragile.log",
		fmt.Sprintf("fragile started again (pid %d, restart 1)", again),
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the supervisor did not say %q:\n%s", want, out.String())
		}
	}

	stopped = true
	if err := s.Stop(); err != nil {
		t.Errorf("stopping: %v", err)
	}
	for _, pid := range []int{steady, again} {
		if alive(pid) {
			t.Errorf("pid %d runs after Stop", pid)
		}
	}
	if left, _ := os.ReadDir(pids); len(left) != 0 {
		t.Errorf("pid files left after Stop: %v", left)
	}
}

func TestAChildThatKeepsCrashingIsStartedAgainLessAndLessOften(t *testing.T) {
	out := &lines{}
	s := New(Options{Out: out, Backoff: Backoff{Initial: 20 * time.Millisecond, Max: 80 * time.Millisecond, ResetAfter: time.Hour}})
	var mu sync.Mutex
	var starts []time.Time
	first, err := startChild(t, "crasher", "crash")
	if err != nil {
		t.Fatal(err)
	}
	s.Adopt(Child{Name: "crasher", Restart: func(context.Context) (Process, error) {
		mu.Lock()
		starts = append(starts, time.Now())
		n := len(starts)
		mu.Unlock()
		if n == 2 {
			return nil, errors.New("no such binary")
		}
		return startChild(t, "crasher", "crash")
	}}, first)
	eventually(t, "six starts", func() bool { mu.Lock(); defer mu.Unlock(); return len(starts) >= 6 })
	s.Stop() //nolint:errcheck // the last crasher may exit with its status 3 as it is stopped
	mu.Lock()
	defer mu.Unlock()
	// Each wait is at least the backoff's, doubling to its cap; a failed
	// start counts as a death.
	for i, least := range []time.Duration{40, 80, 80, 80} {
		if gap := starts[i+1].Sub(starts[i]); gap < least*time.Millisecond {
			t.Errorf("start %d came %v after the one before, want at least %dms", i+2, gap, least)
		}
	}
	for _, want := range []string{"crasher (pid ", ") exited (exit status 3) after ", "starting crasher again failed: no such binary; trying again in 80ms"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the supervisor did not say %q:\n%s", want, out.String())
		}
	}
	if n := s.Restarts("crasher"); n < 4 {
		t.Errorf("%d restarts counted", n)
	}
}

func TestDelaysDoubleToTheCapAndStartOverAfterALongRun(t *testing.T) {
	policy := Backoff{Initial: 200 * time.Millisecond, Max: 5 * time.Second, ResetAfter: 30 * time.Second}
	tests := []struct {
		name string
		ran  []time.Duration
		want []time.Duration
	}{
		{"one death", []time.Duration{time.Hour}, []time.Duration{200 * time.Millisecond}},
		{"a crash loop doubles to the cap",
			[]time.Duration{time.Second, 0, 0, 0, 0, 0, 0, 0},
			[]time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond, 3200 * time.Millisecond, 5 * time.Second, 5 * time.Second, 5 * time.Second}},
		{"a long run starts over",
			[]time.Duration{0, 0, 0, 30 * time.Second, 0},
			[]time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := delays{policy: policy}
			var got []time.Duration
			for _, ran := range tt.ran {
				got = append(got, d.after(ran))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("waits %v, want %v", got, tt.want)
			}
		})
	}
}

// stopOrder records the order children are stopped in.
type stopOrder struct {
	Process
	name  string
	mu    *sync.Mutex
	order *[]string
}

func (p stopOrder) Stop(grace time.Duration) error {
	p.mu.Lock()
	*p.order = append(*p.order, p.name)
	p.mu.Unlock()
	return p.Process.Stop(grace)
}

func TestStopEndsTheChildrenLastAdoptedFirstAndStartsNoneAgain(t *testing.T) {
	s := New(Options{})
	var mu sync.Mutex
	var order []string
	names := []string{"postgres", "pledge", "gateway"}
	var procs []Process
	for _, name := range names {
		p, err := startChild(t, name, "serve")
		if err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
		s.Adopt(Child{Name: name, Restart: func(context.Context) (Process, error) {
			t.Errorf("%s started again while stopping", name)
			return startChild(t, name, "serve")
		}}, stopOrder{Process: p, name: name, mu: &mu, order: &order})
	}
	if err := s.Stop(); err != nil {
		t.Errorf("stopping: %v", err)
	}
	if want := []string{"gateway", "pledge", "postgres"}; !slices.Equal(order, want) {
		t.Errorf("stopped in the order %v, want %v", order, want)
	}
	for i, p := range procs {
		select {
		case <-p.Done():
		default:
			t.Errorf("%s runs after Stop", names[i])
		}
	}
	// Give a restart that Stop failed to prevent the time to happen.
	time.Sleep(300 * time.Millisecond)
}

func TestStopDuringABackoffReturnsAtOnce(t *testing.T) {
	out := &lines{}
	s := New(Options{Out: out, Backoff: Backoff{Initial: time.Hour, Max: time.Hour, ResetAfter: time.Hour}})
	p, err := startChild(t, "crasher", "crash")
	if err != nil {
		t.Fatal(err)
	}
	s.Adopt(Child{Name: "crasher", Restart: func(context.Context) (Process, error) {
		t.Error("started again during a one-hour backoff")
		return nil, errors.New("unexpected")
	}}, p)
	eventually(t, "the crash said", func() bool { return strings.Contains(out.String(), "starting it again in 1h0m0s") })
	start := time.Now()
	if err := s.Stop(); err != nil {
		t.Errorf("stopping: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Stop took %v during a backoff", took)
	}
}
