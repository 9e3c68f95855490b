package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gongyak/gongyak/pkg/dbrole"
	"github.com/gongyak/gongyak/pkg/pgcluster"
	"github.com/jackc/pgx/v5"
)

// databaseName is the name of the suite's database on its own cluster.
const databaseName = "gongyak"

// localDatabase is the suite's own PostgreSQL, ready for the services.
type localDatabase struct {
	cluster *pgcluster.Cluster
	// urls are each service's URL, connecting as its role.
	urls map[string]string
	// shown describes it for the banner, without passwords.
	shown string
}

// startPostgres starts the cluster in dataDir/postgres with password
// authentication and readies the database gongyak: one role per service
// (gongyak_<service>), each owning its service's schema and nothing else.
// The superuser's and the roles' passwords are made on the first start and
// kept in dataDir/passwords, readable only by the user running gongyak.
// A cluster an earlier version left trusting everyone is converted, its
// data kept.
func startPostgres(ctx context.Context, dataDir string, port int) (*localDatabase, error) {
	pgData := filepath.Join(dataDir, "postgres")
	if pid, running := postmasterPID(pgData); running {
		// Left running by a run that was killed; this run holds the lock,
		// so no other run uses it.
		fmt.Printf("stopping PostgreSQL left running by an earlier run (pid %d)\n", pid)
		syscall.Kill(pid, syscall.SIGINT) //nolint:errcheck // checked below
		for i := 0; i < 100; i++ {
			if _, running := postmasterPID(pgData); !running {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	passwords := filepath.Join(dataDir, "passwords")
	superFile := filepath.Join(passwords, pgcluster.Superuser)
	super, made, err := keptPassword(superFile)
	if err != nil {
		return nil, err
	}
	fmt.Printf("starting PostgreSQL in %s on 127.0.0.1:%d\n", pgData, port)
	// In the foreground, so that the supervisor sees it die.
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: pgData, Port: port, Password: super,
		LogFile: filepath.Join(dataDir, "logs", "postgres.log"), Foreground: true})
	if err != nil {
		if pgcluster.RefusedPassword(err) {
			if made {
				os.Remove(superFile) //nolint:errcheck // it is not the cluster's password anyway
			}
			return nil, fmt.Errorf("%w\nthe superuser's password is kept in %s: restore that file, or remove %s to start afresh (its data is lost)", err, superFile, pgData)
		}
		return nil, err
	}
	if cluster.ConvertedFromTrust() {
		fmt.Printf("PostgreSQL in %s let everyone in without a password: it now asks every connection for one (kept in %s)\n", pgData, passwords)
	}
	urls, err := prepareDatabase(ctx, cluster, passwords)
	if err != nil {
		cluster.Stop() //nolint:errcheck // reporting why
		return nil, err
	}
	return &localDatabase{
		cluster: cluster,
		urls:    urls,
		shown: fmt.Sprintf("postgres://127.0.0.1:%d/%s, each service as its role gongyak_<service>\n                passwords in %s",
			cluster.Port(), databaseName, passwords),
	}, nil
}

// prepareDatabase creates the database gongyak if needed and the services'
// roles and schemas in it, and returns each service's URL.
func prepareDatabase(ctx context.Context, cluster *pgcluster.Cluster, passwordDir string) (map[string]string, error) {
	if err := ensureDatabase(ctx, cluster.URL("postgres"), databaseName); err != nil {
		return nil, err
	}
	passwords := map[string]string{}
	for _, s := range dbrole.Schemas {
		pw, _, err := keptPassword(filepath.Join(passwordDir, dbrole.Name(s)))
		if err != nil {
			return nil, err
		}
		passwords[s] = pw
	}
	conn, err := pgx.Connect(ctx, cluster.URL(databaseName))
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	if err := dbrole.EnsureRoles(ctx, conn, passwords); err != nil {
		return nil, err
	}
	adopted, err := dbrole.PrepareDatabase(ctx, conn, dbrole.Schemas...)
	if err != nil {
		return nil, err
	}
	for _, s := range adopted {
		fmt.Printf("the schema %s, made by an earlier version as the superuser, now belongs to %s\n", s, dbrole.Name(s))
	}
	urls := map[string]string{}
	for s, pw := range passwords {
		if urls[s], err = dbrole.URL(cluster.URL(databaseName), dbrole.Name(s), pw); err != nil {
			return nil, err
		}
	}
	return urls, nil
}

// keptPassword returns the password kept in path, making one on first use
// (made reports it) in a file only its owner may read.
func keptPassword(path string) (password string, made bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, err
	}
	raw, err := os.ReadFile(path)
	if err == nil {
		if pw := strings.TrimSpace(string(raw)); pw != "" {
			return pw, false, os.Chmod(path, 0o600)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	pw := pgcluster.NewPassword()
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", false, err
	}
	return pw, true, nil
}

// serviceDatabaseEnv names the variable holding the service's own
// database URL.
func serviceDatabaseEnv(service string) string {
	return "GONGYAK_" + strings.ToUpper(service) + "_DATABASE_URL"
}

func postmasterPID(pgData string) (int, bool) {
	raw, err := os.ReadFile(filepath.Join(pgData, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(raw), "\n", 2)[0]))
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, syscall.Kill(pid, 0) == nil
}

func ensureDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}
