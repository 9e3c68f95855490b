package pgdb_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
)

// TestThePoolIsSizedAsAskedElseByTheURLElseByTheCores opens pools on a
// real database and reads the size each was given.
func TestThePoolIsSizedAsAskedElseByTheURLElseByTheCores(t *testing.T) {
	ctx := context.Background()
	u := pgtest.NewDatabase(t)
	if want := max(8, 4*int32(runtime.GOMAXPROCS(0))); pgdb.DefaultPoolSize() != want {
		t.Errorf("DefaultPoolSize = %d on %d cores, want %d", pgdb.DefaultPoolSize(), runtime.GOMAXPROCS(0), want)
	}
	for _, tc := range []struct {
		name  string
		query string
		asked int
		want  int32
	}{
		{name: "nothing said: the default", want: pgdb.DefaultPoolSize()},
		{name: "the URL", query: "pool_max_conns=3", want: 3},
		{name: "asked, over the URL", query: "pool_max_conns=3", asked: 24, want: 24},
		{name: "asked", asked: 5, want: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := u
			if tc.query != "" && strings.Contains(u, "?") {
				url += "&" + tc.query
			} else if tc.query != "" {
				url += "?" + tc.query
			}
			pool, err := pgdb.Open(ctx, url, "public", "test", pgdb.MaxConns(tc.asked))
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			if got := pool.Config().MaxConns; got != tc.want {
				t.Errorf("MaxConns = %d, want %d", got, tc.want)
			}
		})
	}
	if pool, err := pgdb.Open(ctx, u, "public", "test", pgdb.MaxConns(-1)); err == nil {
		pool.Close()
		t.Error("a pool of -1 connections was opened")
	}
}
