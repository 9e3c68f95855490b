// Package supervise keeps the processes of a suite running: a child that
// dies is started again after a pause that grows while it keeps dying
// (Backoff), and the others keep serving meanwhile. Each death and
// restart is said, with the child's name, how it ended and how many times
// it has been restarted. Only Stop ends the children, in the reverse of
// the order they were adopted, so that a suite stops from its front
// (the gateway) to its back (the database).
package supervise

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Process is a running child: a binary of the suite (suite.Process) or
// the PostgreSQL server (pgcluster.Server).
type Process interface {
	Pid() int
	// Done is closed when the process has exited; Err then says how.
	Done() <-chan struct{}
	Err() error
	// Stop asks the process to stop, and forces it after grace.
	Stop(grace time.Duration) error
}

// Child says how to keep one part of the suite running.
type Child struct {
	// Name names it in what the supervisor says and in its pid file.
	Name string
	// Restart starts it again after it died. A process it returns with an
	// error is stopped, and another start is tried later.
	Restart func(ctx context.Context) (Process, error)
	// Ready, when set, waits until a restarted child serves (or ctx ends,
	// as it does when the child dies again), so that the supervisor can
	// say it is back.
	Ready func(ctx context.Context, p Process) error
	// Grace is how long Stop lets it finish what it is doing before it is
	// forced; 15 s when zero.
	Grace time.Duration
	// Log is where its own log is, said when it dies.
	Log string
}

// Options say how a Supervisor works.
type Options struct {
	// Backoff paces the restarts; DefaultBackoff when zero.
	Backoff Backoff
	// Out receives a line for each death, restart and return to service,
	// each in one Write.
	Out io.Writer
	// PidDir, when set, holds a file per running child, named after it,
	// with its pid: tools and tests find what to signal there. A child's
	// file is gone while it is down.
	PidDir string
}

// Supervisor keeps its children running until Stop.
type Supervisor struct {
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	children []*child
	stopped  bool
}

// child is an adopted Child and its current process.
type child struct {
	Child
	proc     Process
	started  time.Time
	restarts int
}

// New returns a Supervisor with no children yet.
func New(opts Options) *Supervisor {
	if opts.Backoff == (Backoff{}) {
		opts.Backoff = DefaultBackoff
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Supervisor{opts: opts, ctx: ctx, cancel: cancel}
}

// Adopt supervises p, started already as c: from now on, when it dies it
// is started again with c.Restart.
func (s *Supervisor) Adopt(c Child, p Process) {
	if c.Grace == 0 {
		c.Grace = 15 * time.Second
	}
	ch := &child{Child: c, proc: p, started: time.Now()}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		p.Stop(c.Grace) //nolint:errcheck // adopted too late: the suite is stopping
		return
	}
	s.children = append(s.children, ch)
	s.writePid(ch.Name, p.Pid())
	s.wg.Add(1)
	go s.watch(ch)
}

// Restarts is how many times the named child has been started again.
func (s *Supervisor) Restarts(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.children {
		if ch.Name == name {
			return ch.restarts
		}
	}
	return 0
}

// Stop ends the supervision, then stops every child, the last adopted
// first, each within its grace.
func (s *Supervisor) Stop() error {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait() // no restart runs from here on
	var errs []error
	for i := len(s.children) - 1; i >= 0; i-- {
		ch := s.children[i]
		s.say("stopping %s", ch.Name)
		if err := ch.proc.Stop(ch.Grace); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.Name, err))
		}
		s.removePid(ch.Name)
	}
	return errors.Join(errs...)
}

// watch starts ch again each time it dies, until Stop.
func (s *Supervisor) watch(ch *child) {
	defer s.wg.Done()
	waits := delays{policy: s.opts.Backoff}
	for {
		s.mu.Lock()
		p, started := ch.proc, ch.started
		s.mu.Unlock()
		select {
		case <-p.Done():
		case <-s.ctx.Done():
			return
		}
		down := time.Now()
		ran := down.Sub(started)
		s.removePid(ch.Name)
		wait := waits.after(ran)
		where := ""
		if ch.Log != "" {
			where = "; its log: " + ch.Log
		}
		s.say("%s (pid %d) exited (%s) after %s; starting it again in %s%s", ch.Name, p.Pid(), exitStatus(p.Err()), round(ran), wait, where)
		for {
			select {
			case <-time.After(wait):
			case <-s.ctx.Done():
				return
			}
			np, err := ch.Restart(s.ctx)
			if err == nil {
				s.mu.Lock()
				ch.proc, ch.started = np, time.Now()
				ch.restarts++
				n := ch.restarts
				s.mu.Unlock()
				s.writePid(ch.Name, np.Pid())
				s.say("%s started again (pid %d, restart %d)", ch.Name, np.Pid(), n)
				s.whenReady(ch, np, down)
				break
			}
			if np != nil {
				np.Stop(ch.Grace) //nolint:errcheck // its start failed already
			}
			if s.ctx.Err() != nil {
				return
			}
			wait = waits.after(0)
			s.say("starting %s again failed: %v; trying again in %s", ch.Name, err, wait)
		}
	}
}

// whenReady says when the restarted p serves again, if ch can tell.
func (s *Supervisor) whenReady(ch *child, p Process, down time.Time) {
	if ch.Ready == nil {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		defer cancel()
		if err := ch.Ready(ctx, p); err == nil {
			s.say("%s serves again, %s after it went down", ch.Name, round(time.Since(down)))
		} else if ctx.Err() == nil {
			s.say("%s (pid %d) runs but does not serve: %v", ch.Name, p.Pid(), err)
		}
	}()
	go func() { // a child that dies again is not waited for
		defer s.wg.Done()
		select {
		case <-p.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
}

func (s *Supervisor) say(format string, args ...any) {
	fmt.Fprintf(s.opts.Out, format+"\n", args...)
}

func (s *Supervisor) writePid(name string, pid int) {
	if s.opts.PidDir == "" {
		return
	}
	// Written whole under another name and renamed, so that a reader never
	// sees half a pid.
	tmp := filepath.Join(s.opts.PidDir, "."+name)
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)+"\n"), 0o644); err == nil {
		os.Rename(tmp, filepath.Join(s.opts.PidDir, name)) //nolint:errcheck // the pid file is a convenience
	}
}

func (s *Supervisor) removePid(name string) {
	if s.opts.PidDir != "" {
		os.Remove(filepath.Join(s.opts.PidDir, name)) //nolint:errcheck // it may be gone already
	}
}

// exitStatus says how a process ended, from its Err.
func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
