package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A cluster started with Options.Foreground runs its server as a child of
// this process (postgres itself, not pg_ctl, which leaves it to run on its
// own), so that whoever started it learns at once when it exits and can
// start it again: `gongyak run` supervises it like the suite's other
// processes.

// Server is one run of a foreground cluster's server process.
type Server struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Pid is the server's process id (the postmaster's).
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Done is closed when the server has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// Err is how the server ended, once Done is closed.
func (s *Server) Err() error { return s.err }

// Stop shuts the server down as `pg_ctl stop -m fast` does (SIGINT: open
// transactions roll back, clients are disconnected, the data is written
// out) and waits up to grace; then it asks for an immediate shutdown
// (SIGQUIT, recovered from on the next start) and at last kills it.
func (s *Server) Stop(grace time.Duration) error {
	for _, step := range []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGINT, grace}, {syscall.SIGQUIT, 5 * time.Second}, {syscall.SIGKILL, time.Minute}} {
		select {
		case <-s.done:
			return nil
		default:
		}
		s.cmd.Process.Signal(step.sig) //nolint:errcheck // it may have just exited
		select {
		case <-s.done:
			if step.sig != syscall.SIGINT {
				return fmt.Errorf("PostgreSQL did not shut down within %s and was sent %v", grace, step.sig)
			}
			return nil
		case <-time.After(step.wait):
		}
	}
	return errors.New("PostgreSQL did not exit even when killed")
}

// Server is the server process running now, or the last one; nil unless
// the cluster was started with Options.Foreground.
func (c *Cluster) Server() *Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.server
}

// Serve starts the server of a foreground cluster again, once the last one
// has exited, and waits until it accepts connections. After a crash the
// server recovers from its write-ahead log first.
func (c *Cluster) Serve(ctx context.Context) (*Server, error) {
	if !c.opts.Foreground {
		return nil, errors.New("pgcluster: Serve needs a cluster started with Options.Foreground")
	}
	if s := c.Server(); s != nil {
		select {
		case <-s.Done():
		default:
			return nil, fmt.Errorf("PostgreSQL is still running (pid %d)", s.Pid())
		}
	}
	return c.serveForeground(ctx)
}

// serveForeground starts postgres as a child, its output appended to the
// log file, and waits until postmaster.pid says it is ready, as pg_ctl -w
// does.
func (c *Cluster) serveForeground(ctx context.Context) (*Server, error) {
	log, err := os.OpenFile(c.opts.LogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, err
	}
	args := append([]string{"-D", c.opts.DataDir}, c.settings()...)
	cmd := exec.Command(filepath.Join(c.bin, "postgres"), args...)
	// Its own process group: a Ctrl-C in the terminal reaches the
	// supervisor, which stops the server last.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Setpgid: true}
	cmd.Dir = os.TempDir()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	s := &Server{cmd: cmd, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		log.Close()
		close(s.done)
	}()
	c.mu.Lock()
	c.server = s
	c.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for !c.ready(s.Pid()) {
		select {
		case <-s.done:
			return nil, fmt.Errorf("postgres exited while starting (%v)\nserver log: %s", s.err, tail(c.opts.LogFile))
		case <-ctx.Done():
			s.Stop(10 * time.Second) //nolint:errcheck // reporting why
			return nil, fmt.Errorf("postgres not ready: %w\nserver log: %s", ctx.Err(), tail(c.opts.LogFile))
		case <-time.After(50 * time.Millisecond):
		}
	}
	return s, nil
}

// ready reports whether postmaster.pid is the server pid's and says it
// accepts connections (its eighth line, the status, reads "ready").
func (c *Cluster) ready(pid int) bool {
	raw, err := os.ReadFile(filepath.Join(c.opts.DataDir, "postmaster.pid"))
	if err != nil {
		return false
	}
	lines := strings.Split(string(raw), "\n")
	if len(lines) < 8 {
		return false
	}
	filePid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	return err == nil && filePid == pid && strings.TrimSpace(lines[7]) == "ready"
}
