package harness

import (
	"encoding/json"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// A test reads an answer's fields by their dotted paths: what is missing,
// or under something that is not an object, reads as nothing.
func TestBodyReadsDottedPaths(t *testing.T) {
	var b Body
	if err := json.Unmarshal([]byte(`{"pledge": {"name": "districts/gwangsan/pledges/p1", "term": 7}, "etag": "W/1", "lines": [1]}`), &b); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, want string
	}{
		{"pledge.name", "districts/gwangsan/pledges/p1"},
		{"etag", "W/1"},
		{"pledge.term", ""},    // a number, not a string
		{"pledge.missing", ""}, // no such field
		{"etag.more", ""},      // under a string
		{"lines.0", ""},        // under an array
		{"nowhere.at.all", ""}, // nothing on the way
	} {
		if got := b.Str(c.path); got != c.want {
			t.Errorf("Str(%q) = %q, want %q", c.path, got, c.want)
		}
	}
	if got := b.Get("pledge.term"); got != float64(7) {
		t.Errorf("Get(pledge.term) = %v, want 7", got)
	}
}

func TestLastLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb\nc", 5, "a\nb\nc"},
		{"", 3, ""},
	} {
		if got := LastLines(c.in, c.n); got != c.want {
			t.Errorf("LastLines(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// Every part of a suite gets a port no other part was given.
func TestFreePortsDiffer(t *testing.T) {
	ports, err := FreePorts(12)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if seen[p] || p == 0 {
			t.Fatalf("ports %v: %d given twice or zero", ports, p)
		}
		seen[p] = true
	}
}

// TestStopReturnsOnceEveryThreadIsStopped stops a running process and
// reads it stopped, then running again after SIGCONT.
func TestStopReturnsOnceEveryThreadIsStopped(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck // ends with the test
	pid := cmd.Process.Pid
	if err := Stop(pid); err != nil {
		t.Fatal(err)
	}
	if n, err := runningThreads(pid); err != nil || n != 0 {
		t.Fatalf("after Stop: %d threads running (%v)", n, err)
	}
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := runningThreads(pid)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the process reads stopped 5s after SIGCONT")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
