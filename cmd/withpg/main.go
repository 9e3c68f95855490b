// Command withpg runs a command with a throwaway PostgreSQL server: it
// starts a private cluster from the machine's installed server binaries,
// runs the command with TEST_DATABASE_URL pointing at it, and removes the
// cluster afterwards, whatever the command did. `make test` runs the whole
// suite under it, so every test package shares one server. The URL is the
// superuser's with its password, made for the run: the cluster lets nobody
// in without one, and the services' roles (which pgtest creates, once per
// server) get passwords derived from it. When TEST_DATABASE_URL is already
// set, it just runs the command.
//
//	withpg -- go test ./...
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/gongyak/gongyak/pkg/pgcluster"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: withpg -- command [args...]")
		os.Exit(2)
	}
	os.Exit(run(args))
}

func run(args []string) int {
	if os.Getenv("TEST_DATABASE_URL") != "" {
		return command(args, os.Environ())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cluster, stop, err := pgcluster.StartTemp(ctx, "gongyak-withpg-")
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "withpg: tests need PostgreSQL and none could be started:", err)
		return 1
	}
	defer stop()
	fmt.Fprintf(os.Stderr, "withpg: PostgreSQL on 127.0.0.1:%d for this run\n", cluster.Port())
	return command(args, append(os.Environ(), "TEST_DATABASE_URL="+cluster.URL("postgres")))
}

// command runs args, passing on Ctrl-C and SIGTERM so the cluster is still
// removed when the run is interrupted.
func command(args, env []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "withpg:", err)
		return 1
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s) //nolint:errcheck // the child may have exited already
		}
	}()
	err := cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "withpg:", err)
		return 1
	}
	return 0
}
