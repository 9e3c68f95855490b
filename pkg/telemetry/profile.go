package telemetry

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// ProfileDirEnv names a folder each binary writes its CPU profile to, for
// as long as it runs, when it is set: how a load run is taken apart
// (`go tool pprof bin/pledge <dir>/pledge-<pid>.cpu.pprof`) without a
// debug port on every process of a suite.
const ProfileDirEnv = "GONGYAK_CPU_PROFILE_DIR"

// Profile starts the CPU profile of the binary called service when
// GONGYAK_CPU_PROFILE_DIR is set; the returned function stops it and
// closes the file. Without the variable it does nothing.
func Profile(service string) (stop func() error, err error) {
	dir := os.Getenv(ProfileDirEnv)
	if dir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.cpu.pprof", service, os.Getpid())))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", ProfileDirEnv, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
