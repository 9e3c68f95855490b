package pgdb_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/tcpproxy"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// outcome is what a caller sees of a database error.
type outcome struct {
	code   codes.Code
	reason string
	retry  bool // carries a RetryInfo
}

var (
	databaseAway     = outcome{codes.Unavailable, apierr.ReasonUnavailable, true}
	lostARace        = outcome{codes.Unavailable, apierr.ReasonConcurrentChange, true}
	ranOutOfTime     = outcome{codes.DeadlineExceeded, apierr.ReasonDeadlineExceeded, false}
	sameIdentity     = outcome{codes.AlreadyExists, apierr.ReasonAlreadyExists, false}
	danglingRef      = outcome{codes.FailedPrecondition, apierr.ReasonFailedPrecondition, false}
	aBugOrMisconfig  = outcome{codes.Internal, apierr.ReasonInternal, false}
	secretInTheInput = "윤송미-010-1234-5678"
)

func seen(err error) outcome {
	st := apierr.ToStatus(pgdb.Classify(err))
	return outcome{st.Code(), apierr.Reason(st), apierr.RetryDelay(st) > 0}
}

// TestClassifyRealErrors provokes each error on a real PostgreSQL and
// checks what a caller would be told.
func TestClassifyRealErrors(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	mustExec(t, pool, `CREATE TABLE districts (id text PRIMARY KEY);
		CREATE TABLE pledges (id text PRIMARY KEY, district_id text REFERENCES districts, title text);
		INSERT INTO districts VALUES ('gwangsan');
		INSERT INTO pledges VALUES ('a', 'gwangsan', ''), ('b', 'gwangsan', '')`)

	tests := []struct {
		name    string
		provoke func(t *testing.T) error
		want    outcome
	}{
		{"unique violation", func(t *testing.T) error {
			_, err := pool.Exec(ctx, `INSERT INTO pledges VALUES ('a', 'gwangsan', $1)`, secretInTheInput)
			return err
		}, sameIdentity},
		{"foreign-key violation", func(t *testing.T) error {
			_, err := pool.Exec(ctx, `INSERT INTO pledges VALUES ('c', 'nowhere', $1)`, secretInTheInput)
			return err
		}, danglingRef},
		{"serialization failure (two serializable transactions)", func(t *testing.T) error {
			return writeSkew(t, pool)
		}, lostARace},
		{"deadlock", func(t *testing.T) error {
			return deadlock(t, pool)
		}, lostARace},
		{"statement timeout", func(t *testing.T) error {
			return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = '50ms'`); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `SELECT pg_sleep(2)`)
				return err
			})
		}, ranOutOfTime},
		{"a write on a read-only server (a failover)", func(t *testing.T) error {
			return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE pledges SET title = $1`, secretInTheInput)
				return err
			})
		}, databaseAway},
		{"the server terminated the connection (admin shutdown)", func(t *testing.T) error {
			return terminated(t, pool)
		}, databaseAway},
		{"too many connections", func(t *testing.T) error {
			return tooManyConnections(t, pool)
		}, databaseAway},
		{"connection refused", func(t *testing.T) error {
			_, err := pgx.Connect(ctx, withHost(pgtest.AdminURL(), closedPort(t)))
			return err
		}, databaseAway},
		{"the connection broke during a query", func(t *testing.T) error {
			return cutDuringQuery(t)
		}, databaseAway},
		{"the request's own deadline", func(t *testing.T) error {
			ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			_, err := pool.Exec(ctx, `SELECT pg_sleep(2)`)
			return err
		}, ranOutOfTime},
		{"a syntax error", func(t *testing.T) error {
			_, err := pool.Exec(ctx, `SELEC 1`)
			return err
		}, aBugOrMisconfig},
		{"a missing table", func(t *testing.T) error {
			_, err := pool.Exec(ctx, `SELECT * FROM nowhere`)
			return err
		}, aBugOrMisconfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.provoke(t)
			if err == nil {
				t.Fatal("no error was provoked")
			}
			t.Logf("provoked: %v", err)
			if got := seen(err); got != tt.want {
				t.Errorf("%v\nis seen as %+v, want %+v", err, got, tt.want)
			}
			if msg := apierr.ToStatus(pgdb.Classify(err)).Message(); strings.Contains(msg, "윤송미") || strings.Contains(msg, "127.0.0.1") {
				t.Errorf("the message %q reveals the input or the server", msg)
			}
		})
	}
}

// TestClassifyCodesNoTestCanProvoke covers the server states a test cannot
// bring about on a shared server: starting up, crashing, a connection
// exception reported by the server.
func TestClassifyCodesNoTestCanProvoke(t *testing.T) {
	for _, code := range []string{pgdb.CannotConnectNow, pgdb.CrashShutdown, "08006", "08001"} {
		err := fmt.Errorf("wrapped: %w", &pgconn.PgError{Severity: "FATAL", Code: code})
		if got := seen(err); got != databaseAway {
			t.Errorf("SQLSTATE %s is seen as %+v, want %+v", code, got, databaseAway)
		}
	}
	if got := seen(apierr.NotFound("pledge", "districts/x/pledges/y")); got.code != codes.NotFound {
		t.Errorf("an error of the service's own became %+v", got)
	}
}

// TestAPoolReconnectsByItself takes the database away from a pool and
// brings it back: meanwhile every use is UNAVAILABLE, and afterwards the
// same pool serves again, within seconds, without being reopened.
func TestAPoolReconnectsByItself(t *testing.T) {
	ctx := context.Background()
	u := pgtest.NewDatabase(t)
	proxy := tcpproxy.Start(t, hostOf(t, u))
	pool, err := pgdb.Open(ctx, withHost(u, proxy.Addr()), "public", "test")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	mustExec(t, pool, `SELECT 1`)

	proxy.Down()
	for _, sql := range []string{`SELECT 1`, `CREATE TABLE t (id int)`} {
		_, err := pool.Exec(ctx, sql)
		if got := seen(err); got != databaseAway {
			t.Errorf("%s with the database away: %v, seen as %+v", sql, err, got)
		}
	}
	if got := seen(pool.Ping(ctx)); got != databaseAway {
		t.Errorf("ping with the database away is seen as %+v", got)
	}

	proxy.Up()
	back := time.Now()
	for {
		_, err := pool.Exec(ctx, `SELECT 1`)
		if err == nil {
			break
		}
		if time.Since(back) > 3*time.Second {
			t.Fatalf("the pool did not reconnect within 3s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the pool served again %v after the database came back", time.Since(back).Round(time.Millisecond))
}

// writeSkew runs two serializable transactions that each read what the
// other writes; the second to commit fails.
func writeSkew(t *testing.T, pool *pgxpool.Pool) error {
	ctx := context.Background()
	opts := pgx.TxOptions{IsoLevel: pgx.Serializable}
	first, err := pool.BeginTx(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx) //nolint:errcheck // done with either way
	second, err := pool.BeginTx(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Rollback(ctx) //nolint:errcheck // done with either way
	var n int
	for i, tx := range []pgx.Tx{first, second} {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM pledges WHERE title = $1`, fmt.Sprint(1-i)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO pledges VALUES ($1, 'gwangsan', $2)`, fmt.Sprint("skew", i), fmt.Sprint(i)); err != nil {
			return err
		}
	}
	if err := first.Commit(ctx); err != nil {
		return err
	}
	return second.Commit(ctx)
}

// deadlock makes two transactions lock two rows in opposite orders; the
// server breaks the cycle by failing one of them.
func deadlock(t *testing.T, pool *pgxpool.Pool) error {
	ctx := context.Background()
	first, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx) //nolint:errcheck // done with either way
	second, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Rollback(ctx) //nolint:errcheck // done with either way
	lock := func(tx pgx.Tx, id string) error {
		_, err := tx.Exec(ctx, `UPDATE pledges SET title = title WHERE id = $1`, id)
		return err
	}
	if err := lock(first, "a"); err != nil {
		t.Fatal(err)
	}
	if err := lock(second, "b"); err != nil {
		t.Fatal(err)
	}
	// The one the server fails rolls back, which lets the other go on.
	errs := make(chan error, 2)
	for _, step := range []struct {
		tx pgx.Tx
		id string
	}{{first, "b"}, {second, "a"}} {
		go func() {
			err := lock(step.tx, step.id)
			if err != nil {
				step.tx.Rollback(ctx) //nolint:errcheck // the server ended it already
			}
			errs <- err
		}()
	}
	return errors.Join(<-errs, <-errs)
}

// terminated has a session's backend terminated by another, as a server
// shutting down does to every session, and uses the session again.
func terminated(t *testing.T, pool *pgxpool.Pool) error {
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var pid int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	var done bool
	if err := pool.QueryRow(ctx, `SELECT pg_terminate_backend($1, 5000)`, pid).Scan(&done); err != nil || !done {
		t.Fatalf("terminate: %v %v", done, err)
	}
	_, err = conn.Exec(ctx, `SELECT 1`)
	return err
}

// tooManyConnections connects as a role allowed no connection at all.
func tooManyConnections(t *testing.T, pool *pgxpool.Pool) error {
	ctx := context.Background()
	role := fmt.Sprintf("pgdb_test_%d", time.Now().UnixNano())
	mustExec(t, pool, fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD 'secret' CONNECTION LIMIT 0`, role))
	t.Cleanup(func() { pool.Exec(context.Background(), `DROP ROLE `+role) }) //nolint:errcheck // the server goes with the run
	u, err := url.Parse(pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "secret")
	_, err = pgx.Connect(ctx, u.String())
	return err
}

// cutDuringQuery runs a query through a proxy and cuts the connection
// while the server works on it.
func cutDuringQuery(t *testing.T) error {
	ctx := context.Background()
	proxy := tcpproxy.Start(t, hostOf(t, pgtest.AdminURL()))
	conn, err := pgx.Connect(ctx, withHost(pgtest.AdminURL(), proxy.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	time.AfterFunc(200*time.Millisecond, proxy.Down)
	_, err = conn.Exec(ctx, `SELECT pg_sleep(5)`)
	return err
}

func mustExec(t *testing.T, pool *pgxpool.Pool, sql string) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	return addr
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func withHost(raw, host string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Host = host
	return u.String()
}
