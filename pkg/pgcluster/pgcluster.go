// Package pgcluster starts a private PostgreSQL cluster from the server
// binaries installed on the machine: for a test run (throwaway, on a free
// loopback port) or for `make run` (its data kept in a folder between
// runs). PostgreSQL refuses to run as root, so under root the cluster runs
// as the postgres user, in folders that user owns. Every connection gives
// its password (SCRAM): the superuser's is the caller's to keep.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options say how to run a cluster.
type Options struct {
	// DataDir holds the cluster; initdb creates it when it holds none yet.
	DataDir string
	// Port to listen on, on 127.0.0.1; a free one when 0.
	Port int
	// LogFile receives the server's log; DataDir/../postgres.log when empty.
	LogFile string
	// Throwaway trades durability for speed (no fsync), for tests.
	Throwaway bool
	// Password is the superuser's. Every connection must give its
	// password (SCRAM): initdb sets this one on a new cluster, and a
	// cluster an earlier version left trusting every connection gets it
	// when it starts.
	Password string
	// Foreground runs the server as a child of this process instead of
	// through pg_ctl, so that its exit is seen at once (Server) and it can
	// be started again (Serve).
	Foreground bool
}

// Cluster is a running PostgreSQL server.
type Cluster struct {
	opts      Options
	bin       string
	cred      *syscall.Credential
	converted bool

	mu sync.Mutex
	// server is the server process of a foreground cluster.
	server *Server
}

// Superuser is the role initdb creates.
const Superuser = "postgres"

// Start initialises the cluster if needed and starts it, waiting until it
// accepts connections. A cluster that trusts connections without a
// password, as earlier versions made them, is converted: the superuser
// gets opts.Password and pg_hba.conf asks everyone for theirs. Start fails
// when the server refuses opts.Password.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Password == "" {
		return nil, errors.New("pgcluster: no password for the superuser")
	}
	c, err := newCluster(opts)
	if err != nil {
		return nil, err
	}
	if err := c.prepare(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(c.opts.DataDir, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	}
	trusting, err := c.trusts()
	if err != nil {
		return nil, err
	}
	if err := c.serve(ctx); err != nil {
		return nil, err
	}
	if trusting {
		if err := c.convert(ctx); err != nil {
			c.Stop() //nolint:errcheck // reporting the conversion's error
			return nil, fmt.Errorf("requiring passwords in %s: %w", c.opts.DataDir, err)
		}
		c.converted = true
	}
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		c.Stop() //nolint:errcheck // reporting the refusal
		return nil, fmt.Errorf("the cluster in %s refuses the superuser's password: %w", c.opts.DataDir, err)
	}
	conn.Close(ctx)
	return c, nil
}

// newCluster finds the server binaries, the user to run them as, the log
// file and the port.
func newCluster(opts Options) (*Cluster, error) {
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	c := &Cluster{opts: opts, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New("PostgreSQL refuses to run as root and there is no postgres user to run it as: install the server package (apt-get install postgresql), which creates one, or set DATABASE_URL / TEST_DATABASE_URL to a running server")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	if c.opts.LogFile == "" {
		c.opts.LogFile = filepath.Join(filepath.Dir(c.opts.DataDir), "postgres.log")
	}
	if c.opts.Port == 0 {
		if c.opts.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// initdb creates the cluster with the superuser's password, handed over in
// a file only the server's user can read, removed afterwards.
func (c *Cluster) initdb(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "gongyak-pwfile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(c.opts.Password+"\n"), 0o600); err != nil {
		return err
	}
	if c.cred != nil {
		for _, p := range []string{dir, pwfile} {
			if err := os.Chown(p, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
				return err
			}
		}
	}
	return c.run(ctx, "initdb", "-D", c.opts.DataDir, "-U", Superuser, "--auth=scram-sha-256", "--pwfile="+pwfile,
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")
}

// serve starts the server and waits until it accepts connections.
func (c *Cluster) serve(ctx context.Context) error {
	if c.opts.Foreground {
		_, err := c.serveForeground(ctx)
		return err
	}
	if err := c.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", c.opts.DataDir, "-l", c.opts.LogFile,
		"-o", strings.Join(c.settings(), " ")); err != nil {
		return fmt.Errorf("%w\nserver log: %s", err, tail(c.opts.LogFile))
	}
	return nil
}

// settings are the server's command-line settings.
func (c *Cluster) settings() []string {
	settings := []string{
		"-p", strconv.Itoa(c.opts.Port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		"-c", "max_connections=300",
		"-c", "password_encryption=scram-sha-256",
	}
	if c.opts.Throwaway {
		settings = append(settings, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	return settings
}

// prepare creates the data folder and the log file for the server's user.
// Every folder above them must let that user through.
func (c *Cluster) prepare() error {
	if err := os.MkdirAll(c.opts.DataDir, 0o700); err != nil {
		return err
	}
	if f, err := os.OpenFile(c.opts.LogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640); err == nil {
		f.Close()
	} else {
		return err
	}
	if c.cred == nil {
		return nil
	}
	for _, p := range []string{c.opts.DataDir, c.opts.LogFile} {
		if err := os.Chown(p, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return err
		}
	}
	for dir := filepath.Dir(c.opts.DataDir); ; dir = filepath.Dir(dir) {
		info, err := os.Stat(dir)
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o001 == 0 {
			if st, ok := info.Sys().(*syscall.Stat_t); !ok || st.Uid != c.cred.Uid {
				return fmt.Errorf("PostgreSQL runs as the postgres user, which cannot enter %s: allow it (chmod o+x %s), put the checkout elsewhere, or set DATABASE_URL to a running server", dir, dir)
			}
		}
		if dir == "/" || dir == "." {
			return nil
		}
	}
}

// Stop shuts the server down, letting it finish what it was doing.
func (c *Cluster) Stop() error {
	if c.opts.Foreground {
		if s := c.Server(); s != nil {
			return s.Stop(60 * time.Second)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return c.run(ctx, "pg_ctl", "stop", "-w", "-m", "fast", "-D", c.opts.DataDir)
}

// Port is the port the server listens on.
func (c *Cluster) Port() int { return c.opts.Port }

// URL returns the superuser's connection URL, with its password, for
// database on the cluster.
func (c *Cluster) URL(database string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(Superuser, c.opts.Password),
		Host: "127.0.0.1:" + strconv.Itoa(c.opts.Port), Path: "/" + database, RawQuery: "sslmode=disable"}
	return u.String()
}

// ConvertedFromTrust reports whether Start found the cluster trusting
// connections without a password and made it require them.
func (c *Cluster) ConvertedFromTrust() bool { return c.converted }

func (c *Cluster) run(ctx context.Context, tool string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, tool), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Setpgid: true}
	cmd.Dir = os.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", tool, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// FindBin returns the folder holding initdb and pg_ctl: $PG_BIN, else the
// newest /usr/lib/postgresql/*/bin, else the one pg_config names, else
// $PATH.
func FindBin() (string, error) {
	has := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "pg_ctl"))
		return err == nil
	}
	if dir := os.Getenv("PG_BIN"); dir != "" {
		if has(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("PG_BIN=%s holds no pg_ctl", dir)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, dir := range dirs {
		if has(dir) {
			return dir, nil
		}
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); has(dir) {
			return dir, nil
		}
	}
	if path, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(path), nil
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: install them (Debian: apt-get install postgresql; they land in /usr/lib/postgresql/<version>/bin), point PG_BIN at their folder, or set DATABASE_URL / TEST_DATABASE_URL to a running server")
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
