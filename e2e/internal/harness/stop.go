package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Stop stops process pid (SIGSTOP) as a hung process would be, and returns
// once every one of its threads is stopped. kill returns when the signal is
// sent, and on a busy machine a thread already running may still answer a
// request or two before it stops: a test that then asks must not get one
// of those answers.
func Stop(pid int) error {
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		running, err := runningThreads(pid)
		if err != nil {
			return err
		}
		if running == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("process %d: %d threads still running 5s after SIGSTOP", pid, running)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runningThreads counts pid's threads that are not stopped, from their
// state in /proc (T: stopped by a signal, t: by a tracer).
func runningThreads(pid int) (int, error) {
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if err != nil {
		return 0, err
	}
	if len(stats) == 0 {
		return 0, fmt.Errorf("process %d: no threads in /proc", pid)
	}
	running := 0
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		// The state follows the command, which is in parentheses and may
		// hold spaces: read after its last ")".
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		if state := strings.Fields(rest); len(state) == 0 || (state[0] != "T" && state[0] != "t") {
			running++
		}
	}
	return running, nil
}
