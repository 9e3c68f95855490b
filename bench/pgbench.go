package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// benchDB is the bench's own database on the suite's cluster: pgbench's
// tables and the bare path's rows, apart from the suite's.
const benchDB = "gongyak_bench"

// pgbenchScale is the issue's: at the default scale TPC-B serialises on
// one branch row and understates the ceiling.
const pgbenchScale = 32

// pg reaches the suite's cluster as its superuser.
type pg struct {
	port     int
	password string
	bin      string // folder of pgbench
}

func (p pg) url(db string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", p.password, p.port, db)
}

// ensureDB creates the bench's database when it is missing.
func (p pg) ensureDB(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, p.url("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", benchDB).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+benchDB)
	}
	return err
}

// pgbenchReady reports whether the bench database already holds pgbench's
// tables at pgbenchScale (an earlier run's -i), which then need not be
// made again.
func (p pg) pgbenchReady(ctx context.Context) bool {
	conn, err := pgx.Connect(ctx, p.url(benchDB))
	if err != nil {
		return false
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, "SELECT count(*) FROM pgbench_branches").Scan(&n)
	return err == nil && n == pgbenchScale
}

// pgbench runs pgbench against the bench database and returns its output.
func (p pg) pgbench(ctx context.Context, args ...string) (string, error) {
	args = append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", "postgres"}, append(args, benchDB)...)
	cmd := exec.CommandContext(ctx, filepath.Join(p.bin, "pgbench"), args...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+p.password)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("pgbench %v: %w\n%s", args[6:], err, out.String())
	}
	return out.String(), nil
}

// pgbenchResult is what a pgbench run reports.
type pgbenchResult struct {
	TPS     float64
	Latency float64 // average, ms
	Failed  int64
}

var (
	tpsLine     = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)
	latencyLine = regexp.MustCompile(`(?m)^latency average = ([0-9.]+) ms`)
	failedLine  = regexp.MustCompile(`(?m)^number of failed transactions: ([0-9]+)`)
)

// parsePgbench reads tps (PostgreSQL 14+ prints one line, without
// initial connection time; older versions two, the first of which
// includes connections and is taken), the average latency, and the failed
// transactions from pgbench's summary.
func parsePgbench(out string) (pgbenchResult, error) {
	var r pgbenchResult
	m := tpsLine.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no tps in pgbench's output:\n%s", out)
	}
	r.TPS, _ = strconv.ParseFloat(m[1], 64)
	if m := latencyLine.FindStringSubmatch(out); m != nil {
		r.Latency, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := failedLine.FindStringSubmatch(out); m != nil {
		r.Failed, _ = strconv.ParseInt(m[1], 10, 64)
	}
	return r, nil
}
