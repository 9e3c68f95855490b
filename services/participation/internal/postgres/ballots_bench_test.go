package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/gongyak/gongyak/services/participation/internal/postgres"
	"github.com/gongyak/gongyak/services/participation/internal/server"
	"github.com/gongyak/gongyak/services/participation/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openEvaluation makes a store on a fresh database holding one policy
// competition voting now, with six entries; it returns the store and the
// entries' ids.
func openEvaluation(tb testing.TB) (*postgres.Store, []string) {
	tb.Helper()
	ctx := context.Background()
	store := postgres.New(pgtest.NewPool(tb, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS}), server.View)
	now := time.Now()
	_, err := store.CreateProgram(ctx, participation.Program{DistrictID: "gwangsan", ID: "contest", Term: 8,
		Kind: participation.KindPolicyCompetition, Title: "광산구 행복혁신정책 경진대회", Pledges: []string{},
		Voting:         participation.Window{Open: now.Add(-time.Hour), Close: now.Add(time.Hour)},
		BallotScaleMax: 5, CitizenWeight: 50, PanelWeight: 50}, idempotency.Key{})
	if err != nil {
		tb.Fatal(err)
	}
	var entries []string
	for i := range 6 {
		e, err := store.Entries.Create(ctx, "gwangsan", "contest",
			participation.Entry{Record: participation.Record{ID: fmt.Sprintf("policy-%d", i+1)}, Title: fmt.Sprintf("정책 %d", i+1)}, idempotency.Key{}, nil)
		if err != nil {
			tb.Fatal(err)
		}
		entries = append(entries, e.ID)
	}
	return store, entries
}

// castOne casts citizen n's ballot of two scores under a request id of its
// own, checked as the server checks it.
func castOne(ctx context.Context, store *postgres.Store, entries []string, n int64) error {
	b := participation.Ballot{ID: fmt.Sprintf("ballot-%d", n), CitizenHash: []byte(fmt.Sprintf("citizen-%d", n)),
		Scores: []participation.BallotScore{{EntryID: entries[n%6], Score: int(1 + n%5)}, {EntryID: entries[(n+1)%6], Score: 5}}}
	key, err := idempotency.For("CreateBallot", fmt.Sprintf("req-%d", n), &participationv1.CreateBallotRequest{BallotId: b.ID})
	if err != nil {
		return err
	}
	_, err = store.CastBallot(ctx, "gwangsan", "contest", b, key, func(p participation.Program, known map[string]bool) (time.Time, error) {
		if err := participation.CheckBallot("ballot", "010-0000-0000", b.Scores, known, p.BallotScaleMax); err != nil {
			return time.Time{}, err
		}
		return time.Now(), nil
	})
	return err
}

// BenchmarkCastBallot casts ballots of distinct citizens into one open
// evaluation from parallel callers (GOMAXPROCS × -cpu, times
// SetParallelism's 16: about 32 on two cores, as make bench drives it).
func BenchmarkCastBallot(b *testing.B) {
	store, entries := openEvaluation(b)
	ctx := context.Background()
	var citizen atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := castOne(ctx, store, entries, citizen.Add(1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
