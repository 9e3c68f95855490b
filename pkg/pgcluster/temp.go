package pgcluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StartTemp starts a throwaway cluster in a new folder of the system's
// temporary directory named prefix followed by random characters, and
// returns it with the function that stops it and removes the folder. The
// folder records this process: a later StartTemp with the same prefix stops
// and removes the clusters of processes that are gone, killed before they
// could clean up.
func StartTemp(ctx context.Context, prefix string) (*Cluster, func(), error) {
	reapOrphans(prefix)
	base, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, nil, err
	}
	os.WriteFile(filepath.Join(base, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644) //nolint:errcheck // best effort
	// The server's user must be able to enter the folder.
	if err := os.Chmod(base, 0o755); err != nil {
		os.RemoveAll(base)
		return nil, nil, err
	}
	c, err := Start(ctx, Options{DataDir: filepath.Join(base, "data"), Throwaway: true, Password: NewPassword()})
	if err != nil {
		os.RemoveAll(base)
		return nil, nil, err
	}
	return c, func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping PostgreSQL:", err)
		}
		os.RemoveAll(base)
	}, nil
}

// NewPassword returns a random password: 32 hexadecimal digits, which
// need no quoting in a URL or a file.
func NewPassword() string {
	b := make([]byte, 16)
	rand.Read(b) //nolint:errcheck // never fails
	return hex.EncodeToString(b)
}

// reapOrphans stops and removes the clusters in prefix folders whose owner
// process is gone.
func reapOrphans(prefix string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil || syscall.Kill(pid, 0) == nil {
			continue // still running
		}
		if raw, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
			if pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(raw), "\n", 2)[0])); err == nil {
				syscall.Kill(pm, syscall.SIGQUIT) //nolint:errcheck // it may be gone already
				time.Sleep(200 * time.Millisecond)
			}
		}
		os.RemoveAll(dir)
	}
}
