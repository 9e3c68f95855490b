package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/gongyak/gongyak/pkg/suite"
	"github.com/gongyak/gongyak/pkg/supervise"
)

// How `gongyak run` keeps the suite running: each part (PostgreSQL, the
// development provider, the services, the gateway) is a child of a
// supervisor, which starts again the one that dies. What it does is
// printed behind "supervisor|" and kept in logs/supervisor.log; each
// running part's pid is in pids/<name> of the data folder.

// newSupervisor returns the suite's supervisor, with a fresh pids folder
// in dataDir.
func newSupervisor(dataDir, logDir string) (*supervise.Supervisor, error) {
	pids := filepath.Join(dataDir, "pids")
	// Pids of an earlier run are wrong now; this run holds the lock.
	if err := os.RemoveAll(pids); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(pids, 0o755); err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(filepath.Join(logDir, "supervisor.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	// The file stays open while gongyak runs: the supervisor writes to it
	// until its Stop returns, which is the end of the run.
	out := &teeLines{file: logFile, term: os.Stdout, prefix: "supervisor| "}
	return supervise.New(supervise.Options{Out: out, PidDir: pids}), nil
}

// supervisedPostgres is the suite's own PostgreSQL as a child of the
// supervisor: started again (after crash recovery, when it crashed) with
// the cluster's settings.
func supervisedPostgres(cluster *pgcluster.Cluster, log string) supervise.Child {
	return supervise.Child{
		Name: "postgres",
		Restart: func(ctx context.Context) (supervise.Process, error) {
			s, err := cluster.Serve(ctx)
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		// Serve returns once it accepts connections.
		Ready: func(context.Context, supervise.Process) error { return nil },
		Grace: time.Minute,
		Log:   log,
	}
}

// part is a binary of the suite as `gongyak run` starts it, again and
// again.
type part struct {
	suite.Binary
	// path is the program; args and env are added to its command line
	// and its environment.
	path   string
	args   []string
	env    []string
	logDir string
	// ready waits until it serves.
	ready func(ctx context.Context, p *suite.Process) error
}

// start runs the part, its output going to its log file and, behind its
// name, to the terminal.
func (pt part) start() (*suite.Process, error) {
	return startArgs(pt.Binary, pt.path, pt.args, pt.logDir, pt.env)
}

// startSupervised starts the part, hands it to sup, and waits until it
// serves. A part that does not start is an error, not a restart: its
// log says why.
func (pt part) startSupervised(ctx context.Context, sup *supervise.Supervisor) (*suite.Process, error) {
	log := filepath.Join(pt.logDir, pt.Name+".log")
	p, err := pt.start()
	if err != nil {
		return nil, err
	}
	sup.Adopt(supervise.Child{
		Name: pt.Name,
		Restart: func(context.Context) (supervise.Process, error) {
			p, err := pt.start()
			if err != nil {
				return nil, err
			}
			return p, nil
		},
		Ready: func(ctx context.Context, p supervise.Process) error { return pt.ready(ctx, p.(*suite.Process)) },
		Log:   log,
	}, p)
	if err := pt.ready(ctx, p); err != nil {
		return nil, fmt.Errorf("%w (log: %s)", err, log)
	}
	return p, nil
}
