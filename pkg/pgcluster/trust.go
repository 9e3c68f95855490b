package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/scram"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// scramMethod is the authentication method every connection goes through.
const scramMethod = "scram-sha-256"

// hbaFile is the cluster's client authentication file.
func (c *Cluster) hbaFile() string { return filepath.Join(c.opts.DataDir, "pg_hba.conf") }

// trusts reports whether pg_hba.conf lets anyone in without a password, as
// it did in the clusters earlier versions of Gongyak made.
func (c *Cluster) trusts() (bool, error) {
	raw, err := os.ReadFile(c.hbaFile())
	if err != nil {
		return false, err
	}
	_, changed := requirePasswords(string(raw))
	return changed, nil
}

// requirePasswords returns pg_hba.conf's text with the method of every
// trust line made scram-sha-256, and whether any was. Fields after the
// type, database and user hold the address and the method; "trust" is
// never an address.
func requirePasswords(hba string) (string, bool) {
	lines := strings.Split(hba, "\n")
	changed := false
	for i, line := range lines {
		code, comment, commented := strings.Cut(line, "#")
		fields := strings.Fields(code)
		hit := false
		for j := 3; j < len(fields); j++ {
			if fields[j] == "trust" {
				fields[j], hit = scramMethod, true
			}
		}
		if !hit {
			continue
		}
		lines[i] = strings.Join(fields, " ")
		if commented {
			lines[i] += " #" + comment
		}
		changed = true
	}
	return strings.Join(lines, "\n"), changed
}

// convert gives the superuser of a running cluster that trusts everyone
// its password, then makes pg_hba.conf require passwords, reloads it, and
// waits until a connection without one is refused. The data is untouched.
func (c *Cluster) convert(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// The server is given the password's verifier, never the password,
	// which its log would show were the statement to fail.
	verifier, err := scram.Verifier(c.opts.Password)
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "ALTER ROLE "+Superuser+" PASSWORD '"+verifier+"'"); err != nil {
		return fmt.Errorf("set the superuser's password: %w", err)
	}
	raw, err := os.ReadFile(c.hbaFile())
	if err != nil {
		return err
	}
	hba, _ := requirePasswords(string(raw))
	// Written in place, keeping the file's owner (the server's user) and
	// mode.
	if err := os.WriteFile(c.hbaFile(), []byte(hba), 0o600); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := c.connectWithoutPassword(ctx)
		if RefusedPassword(err) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server still lets the superuser in without a password after reloading %s (%v)", c.hbaFile(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// connectWithoutPassword connects as the superuser giving no password,
// ignoring PGPASSWORD and ~/.pgpass.
func (c *Cluster) connectWithoutPassword(ctx context.Context) error {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", Superuser, c.opts.Port))
	if err != nil {
		return err
	}
	cfg.Password = ""
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// RefusedPassword reports whether err is the server refusing to
// authenticate a connection (SQLSTATE class 28).
func RefusedPassword(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "28")
}
