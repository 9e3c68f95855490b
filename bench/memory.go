package main

import (
	"bufio"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// services are the parts whose memory the targets bound.
var services = []string{"pledge", "budget", "indicator", "participation", "gateway"}

// rss is a process's resident memory in bytes (VmRSS), read from
// /proc/<pid>/status; 0 when the process is gone.
func rss(pid int) int64 {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return parseKB(v)
		}
	}
	return 0
}

// parseKB reads "  12345 kB" as bytes.
func parseKB(s string) int64 {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(fields[0], 10, 64)
	return n * 1024
}

// pids reads the suite's pids folder: each part's name and process id.
func pids(data string) map[string]int {
	out := map[string]int{}
	for _, name := range services {
		b, err := os.ReadFile(filepath.Join(data, "pids", name))
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			out[name] = pid
		}
	}
	return out
}

// memWatch samples each service's resident memory until stopped and keeps
// the peak.
type memWatch struct {
	mu   sync.Mutex
	peak map[string]int64
	stop chan struct{}
	done chan struct{}
}

func watchMemory(data string, every time.Duration) *memWatch {
	w := &memWatch{peak: map[string]int64{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			w.sample(data)
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *memWatch) sample(data string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for name, pid := range pids(data) {
		w.peak[name] = max(w.peak[name], rss(pid))
	}
}

// Stop ends the sampling and returns the peaks.
func (w *memWatch) Stop() map[string]int64 {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.peak)
}

// idleMemory is each service's resident memory now.
func idleMemory(data string) map[string]int64 {
	out := map[string]int64{}
	for name, pid := range pids(data) {
		out[name] = rss(pid)
	}
	return out
}
