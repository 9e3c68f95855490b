package pgcluster

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestAForegroundServerThatDiesIsSeenAndStartsAgainWithItsData kills the
// server of a foreground cluster with SIGKILL, as a crash would: its exit
// is seen at once, Serve starts it again after crash recovery, and a
// committed row is still there. Stop then ends it, and nothing is left
// running.
func TestAForegroundServerThatDiesIsSeenAndStartsAgainWithItsData(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	base, err := os.MkdirTemp("", "gongyak-pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil { // the server's user enters it
		t.Fatal(err)
	}
	c, err := Start(ctx, Options{DataDir: filepath.Join(base, "data"), Password: NewPassword(), Foreground: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() }) //nolint:errcheck // checked at the end
	first := c.Server()
	if first == nil {
		t.Fatal("a foreground cluster has no server process")
	}
	exec := func(sql string) error {
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Serve(ctx); err == nil {
		t.Error("Serve started a second server beside a running one")
	}

	if err := syscall.Kill(first.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-first.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the killed server's exit was not seen within 10s")
	}
	if first.Err() == nil {
		t.Error("a server killed with SIGKILL reports a clean exit")
	}
	// Its orphaned backends notice the postmaster is gone and leave; until
	// they have, a new server refuses to start beside their shared memory.
	var second *Server
	for i := 0; ; i++ {
		if second, err = c.Serve(ctx); err == nil {
			break
		}
		if i == 20 {
			t.Fatalf("the server did not start again: %v", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if second.Pid() == first.Pid() || c.Server() != second {
		t.Errorf("after Serve: pid %d (was %d), current server %p, want %p", second.Pid(), first.Pid(), c.Server(), second)
	}
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	err = conn.QueryRow(ctx, "SELECT n FROM kept").Scan(&n)
	conn.Close(ctx)
	if err != nil || n != 42 {
		t.Errorf("the committed row after the crash: %d, %v", n, err)
	}

	if err := c.Stop(); err != nil {
		t.Errorf("stopping: %v", err)
	}
	select {
	case <-second.Done():
	default:
		t.Error("Stop returned with the server still running")
	}
	if second.Err() != nil {
		t.Errorf("a fast shutdown ended with %v", second.Err())
	}
}
