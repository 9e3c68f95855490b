//go:build faultinject

package importflow

import (
	"os"
	"strings"
	"syscall"
)

// CrashFileEnv names the file that says where an import crashes the
// service: the fault tests write a point's name (pledge, step-2-sent,
// done…) into it, and the service, reaching that point, removes the file
// and kills itself at once, as a power cut would — once.
const CrashFileEnv = "GONGYAK_FAULT_CRASH_FILE"

// crashpoint kills the process when the crash file names point.
func crashpoint(point string) {
	file := os.Getenv(CrashFileEnv)
	if file == "" {
		return
	}
	want, err := os.ReadFile(file)
	if err != nil || strings.TrimSpace(string(want)) != point {
		return
	}
	if os.Remove(file) != nil {
		return
	}
	syscall.Kill(os.Getpid(), syscall.SIGKILL) //nolint:errcheck // it does not return
	select {}
}
