package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gongyak/gongyak/pkg/suite"
)

// DemoCard is the card `gongyak run` imports on its first start, from the
// top of the repository.
const DemoCard = "services/pledge/testdata/cards/000_f92421f269c71dea.txt"

// Banner is what `gongyak run` prints once every part is up.
const Banner = "Gongyak is running."

// Options say how to start `gongyak run`.
type Options struct {
	// Bin is the folder of the binaries (WithBinaries).
	Bin string
	// Data is the data folder: a prepared one (a restored suite's keys,
	// an earlier run's), or a new one when empty.
	Data string
	// Keep leaves the data folder at Stop, for a start again on it; Stop
	// removes it otherwise.
	Keep bool
	// Addrs are where the parts listen (Run.Addrs of an earlier start,
	// to start again where it listened); new free ports when nil.
	Addrs map[string]string
	// Env is added to gongyak run's environment after the harness's own
	// (a later value wins), and its children inherit it: a test's
	// settings, a fault hook's trigger, an outside DATABASE_URL.
	Env []string
}

// Run is `gongyak run` started by a test.
type Run struct {
	// Base is the gateway's URL, Issuer the development OpenID
	// provider's.
	Base, Issuer string
	// Key is the development admin's API key, kept in the data folder.
	Key string
	// Data is the data folder: pids/, logs/, passwords/, postgres/ and
	// the keys.
	Data string
	// Addrs are where each part listens (host:port), by name: gateway,
	// idp, nats, postgres and each service's (suite.Services).
	Addrs map[string]string
	// PGPort is the port of the suite's own PostgreSQL cluster.
	PGPort int
	// Proc is gongyak run itself; Out is what it printed, its children's
	// lines prefixed with their names.
	Proc *suite.Process
	Out  *Output

	keep bool
	once sync.Once
}

// Start starts `gongyak run` as `make run` does — its own PostgreSQL
// cluster and NATS, the development OpenID provider, every service and
// the gateway, the demo card imported on the first start — on a data
// folder and ports of its own, and waits for its banner. Nothing of the
// caller's environment says where the database, NATS, the traces or the
// metrics go: Options.Env does. When the suite does not come up, the
// error holds the end of what it said, and a Run to Stop is returned
// when anything was started.
func Start(opts Options) (*Run, error) {
	card, err := fromTop(DemoCard)
	if err != nil {
		return nil, err
	}
	data := opts.Data
	if data == "" {
		if data, err = os.MkdirTemp("", "gongyak-run-data-"); err != nil {
			return nil, err
		}
	}
	// PostgreSQL runs as the postgres user when the tests run as root: it
	// must be let into the folder.
	if err := os.Chmod(data, 0o755); err != nil {
		return nil, err
	}
	addrs := opts.Addrs
	if addrs == nil {
		if addrs, err = freeAddrs(); err != nil {
			return nil, err
		}
	}
	r := &Run{Data: data, Addrs: addrs, Out: &Output{}, keep: opts.Keep,
		Base: "http://" + addrs["gateway"], Issuer: "http://" + addrs["idp"]}
	_, port, _ := strings.Cut(addrs["postgres"], ":")
	if r.PGPort, err = strconv.Atoi(port); err != nil {
		return nil, fmt.Errorf("no port for postgres in %v", addrs)
	}
	env := []string{"DATABASE_URL=", "GONGYAK_NATS_URL=", "OTEL_EXPORTER_OTLP_ENDPOINT=", "GONGYAK_LOG_LEVEL=info",
		"GONGYAK_RUN_METRICS_PORT=0", "GONGYAK_PG_PORT=" + port}
	for _, name := range partNames() {
		env = append(env, addrEnv(name)+"="+addrs[name])
	}
	for _, b := range suite.Services {
		env = append(env, "GONGYAK_"+strings.ToUpper(b.Name)+"_DATABASE_URL=")
	}
	env = append(env, opts.Env...)
	r.Proc, err = suite.Start("gongyak", filepath.Join(opts.Bin, "gongyak"),
		[]string{"run", "--bin", opts.Bin, "--data", data, "--demo-card", card}, env, r.Out, false)
	if err != nil {
		if opts.Data == "" {
			os.RemoveAll(data)
		}
		return nil, err
	}
	if err := r.waitBanner(3 * time.Minute); err != nil {
		return r, err
	}
	raw, err := os.ReadFile(filepath.Join(data, "admin.key"))
	if err != nil {
		return r, fmt.Errorf("no admin key: %w", err)
	}
	r.Key = strings.TrimSpace(string(raw))
	return r, nil
}

func (r *Run) waitBanner(within time.Duration) error {
	deadline := time.Now().Add(within)
	for !strings.Contains(r.Out.String(), Banner) {
		select {
		case <-r.Proc.Done():
			return fmt.Errorf("gongyak run exited while starting (%v):\n%s", r.Proc.Err(), r.Out.Tail(60))
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gongyak run did not start within %s:\n%s", within, r.Out.Tail(60))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// Stop sends what Ctrl-C sends and waits for the whole suite to end,
// killing it after grace, then removes the data folder unless
// Options.Keep. Only the first call does anything; later ones return
// nil. A test that reads the logs in the data folder once the
// suite has ended stops Proc first: Stop then only removes the folder.
func (r *Run) Stop(grace time.Duration) error {
	var err error
	r.once.Do(func() {
		err = r.Proc.Stop(grace)
		if !r.keep {
			os.RemoveAll(r.Data)
		}
	})
	return err
}

// partNames are the parts gongyak run starts that listen on an address
// of their own.
func partNames() []string {
	names := []string{"gateway", "idp", "nats"}
	for _, b := range suite.Services {
		names = append(names, b.Name)
	}
	return names
}

// addrEnv is the variable that says where the named part listens.
func addrEnv(name string) string {
	if name == "gateway" {
		return suite.Gateway.AddrEnv
	}
	return "GONGYAK_" + strings.ToUpper(name) + "_ADDR"
}

// freeAddrs gives each part, PostgreSQL too, a loopback port of its own.
func freeAddrs() (map[string]string, error) {
	names := append(partNames(), "postgres")
	ports, err := FreePorts(len(names))
	if err != nil {
		return nil, err
	}
	addrs := map[string]string{}
	for i, name := range names {
		addrs[name] = "127.0.0.1:" + strconv.Itoa(ports[i])
	}
	return addrs, nil
}

// fromTop is the absolute path of path given from the top of the
// repository, found as the folder of go.work above this one: each suite
// runs in its own package's folder.
func fromTop(path string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return filepath.Join(dir, path), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the test's folder: run the suites from the repository")
		}
		dir = parent
	}
}
