// Package suite knows the binaries that make up Gongyak and runs them as
// processes: `gongyak run` starts the whole suite with it, and the
// end-to-end tests start the parts they exercise. Both see exactly what a
// deployment runs.
package suite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gongyak/gongyak/pkg/grpcclient"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Binary is one program of the suite.
type Binary struct {
	Name    string
	Package string
	// AddrEnv names the variable that sets where it listens.
	AddrEnv string
}

// Services are the gRPC services, in the order they start.
var Services = []Binary{
	{Name: "pledge", Package: "github.com/gongyak/gongyak/services/pledge/cmd/pledge", AddrEnv: "GONGYAK_PLEDGE_ADDR"},
	{Name: "budget", Package: "github.com/gongyak/gongyak/services/budget/cmd/budget", AddrEnv: "GONGYAK_BUDGET_ADDR"},
	{Name: "indicator", Package: "github.com/gongyak/gongyak/services/indicator/cmd/indicator", AddrEnv: "GONGYAK_INDICATOR_ADDR"},
	{Name: "participation", Package: "github.com/gongyak/gongyak/services/participation/cmd/participation", AddrEnv: "GONGYAK_PARTICIPATION_ADDR"},
	// The change feed, read off NATS (GONGYAK_NATS_URL).
	{Name: "events", Package: "github.com/gongyak/gongyak/services/events/cmd/events", AddrEnv: "GONGYAK_EVENTS_ADDR"},
}

// Gateway is the REST gateway, which starts after the services.
var Gateway = Binary{Name: "gateway", Package: "github.com/gongyak/gongyak/services/gateway/cmd/gateway", AddrEnv: "GONGYAK_HTTP_ADDR"}

// Command is the suite's own command line, gongyak (run, import).
var Command = Binary{Name: "gongyak", Package: "github.com/gongyak/gongyak/cmd/gongyak"}

// Build compiles binaries into dir with the go command, in the workspace
// of the current directory.
func Build(ctx context.Context, dir string, bins ...Binary) error {
	return BuildTagged(ctx, dir, nil, bins...)
}

// BuildTagged is Build with build tags, such as faultinject, which
// compiles in the hooks the fault tests crash a service with.
func BuildTagged(ctx context.Context, dir string, tags []string, bins ...Binary) error {
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	for _, b := range bins {
		args = append(args, b.Package)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	return nil
}

// Process is a running binary of the suite.
type Process struct {
	Name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start runs the program at path with env added to this process's
// environment. Every line it writes goes to out, prefixed with its name
// unless prefix is false.
func Start(name, path string, args, env []string, out io.Writer, prefix bool) (*Process, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	// Its own process group: a Ctrl-C in the terminal reaches the
	// supervisor, which stops the children in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, cmd: cmd, done: make(chan struct{})}
	var copied sync.WaitGroup
	copied.Add(1)
	go func() {
		defer copied.Done()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			if prefix {
				fmt.Fprintf(out, "%-13s | %s\n", name, sc.Text())
			} else {
				fmt.Fprintln(out, sc.Text())
			}
		}
	}()
	go func() {
		copied.Wait()
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is how the process ended, once Done is closed.
func (p *Process) Err() error { return p.err }

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Stop asks the process to stop (SIGTERM: it drains what it is doing) and
// kills it if it has not stopped within grace.
func (p *Process) Stop(grace time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have just exited
	select {
	case <-p.done:
	case <-time.After(grace):
		p.cmd.Process.Kill() //nolint:errcheck // it may have just exited
		<-p.done
		return fmt.Errorf("%s did not stop within %s and was killed", p.Name, grace)
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) && exit.ExitCode() != 0 {
		return fmt.Errorf("%s exited with status %d", p.Name, exit.ExitCode())
	}
	return nil
}

// WaitGRPC waits until the gRPC server at addr reports SERVING, or p exits,
// or ctx ends.
func WaitGRPC(ctx context.Context, p *Process, addr string) error {
	conn, err := grpcclient.Dial(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	return poll(ctx, p, func(ctx context.Context) error {
		resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
		if err == nil && resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			err = fmt.Errorf("%s is %s", addr, resp.GetStatus())
		}
		return err
	})
}

// WaitHTTP waits until url answers 200, or p exits, or ctx ends.
func WaitHTTP(ctx context.Context, p *Process, url string) error {
	return poll(ctx, p, func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answers %s", url, resp.Status)
		}
		return nil
	})
}

func poll(ctx context.Context, p *Process, check func(context.Context) error) error {
	var last error
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		last = check(cctx)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-p.Done():
			return fmt.Errorf("%s exited while starting: %v", p.Name, p.Err())
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w", p.Name, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
