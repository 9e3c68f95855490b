//go:build faultinject

package importflow

import (
	"os"
	"strings"
	"syscall"

	"github.com/gongyak/gongyak/pkg/apierr"
)

// FaultFileEnv names the file of the faults an import meets, for the
// fault tests: one per line, taken in order, each once —
//
//	crash <point>    the service kills itself at the point, as a power
//	                 cut would (pledge, step-2-sent, done, undoing…)
//	refuse step-<n>  the n-th step is refused, as a service refusing its
//	                 write would (FAILED_PRECONDITION)
const FaultFileEnv = "GONGYAK_FAULT_FILE"

// next returns the first fault of the file when it is verb at point, and
// takes it off the file.
func next(verb, point string) bool {
	file := os.Getenv(FaultFileEnv)
	if file == "" {
		return false
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if strings.TrimSpace(lines[0]) != verb+" "+point {
		return false
	}
	rest := strings.Join(lines[1:], "\n")
	if rest == "" {
		err = os.Remove(file)
	} else {
		err = os.WriteFile(file, []byte(rest+"\n"), 0o644)
	}
	return err == nil
}

// crashpoint kills the process when the next fault is a crash at point.
func crashpoint(point string) {
	if next("crash", point) {
		syscall.Kill(os.Getpid(), syscall.SIGKILL) //nolint:errcheck // it does not return
		select {}
	}
}

// refusal is a refusal when the next fault is one at point.
func refusal(point string) error {
	if next("refuse", point) {
		return apierr.FailedPrecondition("injected: %s refused", point)
	}
	return nil
}
