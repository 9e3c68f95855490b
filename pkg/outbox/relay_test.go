package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// thingsSQL is a table of resources whose version each change counts, so
// that a reader of the stream can tell each resource's events in order.
const thingsSQL = `CREATE TABLE things (name text PRIMARY KEY, version int NOT NULL DEFAULT 0);`

// newPool is a database with the outbox and the things table in the
// budget schema, as the budget service's migrations make them.
func newPool(t *testing.T) *pgxpool.Pool {
	sql := "-- +goose Up\n-- +goose StatementBegin\n" + TableSQL + "\n" + thingsSQL + "\n-- +goose StatementEnd\n"
	return pgtest.NewPool(t, pgtest.Schema{Name: "budget", Migrations: fstest.MapFS{"0001_outbox.sql": {Data: []byte(sql)}}})
}

// natsAt is an embedded NATS with the stream, and a connection to it
// that keeps trying to reconnect while the server is away.
func natsAt(t *testing.T, addr, dir string) (*eventbus.Server, *nats.Conn, jetstream.Stream) {
	t.Helper()
	srv, err := eventbus.StartServer(addr, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := nats.Connect(srv.URL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond), nats.RetryOnFailedConnect(true))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := eventbus.EnsureStream(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	return srv, nc, stream
}

// change bumps a thing's version and writes its event in one
// transaction; hold runs before the commit.
func change(ctx context.Context, pool *pgxpool.Pool, name string, hold func()) error {
	return pgdb.InTx(ctx, pool, func(tx pgx.Tx) error {
		var version int
		err := tx.QueryRow(ctx, `INSERT INTO things (name, version) VALUES ($1, 1)
			ON CONFLICT (name) DO UPDATE SET version = things.version + 1 RETURNING version`, name).Scan(&version)
		if err != nil {
			return err
		}
		action := "update"
		if version == 1 {
			action = "create"
		}
		data, _ := structpb.NewStruct(map[string]any{"name": name, "version": version})
		if err := Write(ctx, tx, Change{Action: action, Resource: name, After: data}); err != nil {
			return err
		}
		hold()
		return nil
	})
}

// waitUnsent waits up to 15 s for the outbox to hold want unsent rows,
// and returns how many it holds.
func waitUnsent(t *testing.T, pool *pgxpool.Pool, want int) int {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var unsent int
		if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM outbox WHERE sent_time IS NULL`).Scan(&unsent); err != nil {
			t.Fatal(err)
		}
		if unsent == want || time.Now().After(deadline) {
			return unsent
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// received is every event on the stream, in the stream's order.
func received(t *testing.T, stream jetstream.Stream, want int) []eventbus.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var events []eventbus.Event
	for ctx.Err() == nil {
		info, err := stream.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs >= uint64(want) {
			// A little longer: more than want would be duplicates.
			time.Sleep(300 * time.Millisecond)
			if info, err = stream.Info(ctx); err != nil {
				t.Fatal(err)
			}
			for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
				msg, err := stream.GetMsg(ctx, seq)
				if err != nil {
					t.Fatal(err)
				}
				var e eventbus.Event
				if err := json.Unmarshal(msg.Data, &e); err != nil {
					t.Fatal(err)
				}
				if msg.Header.Get(jetstream.MsgIDHeader) != e.ID {
					t.Errorf("event %s published with Nats-Msg-Id %q", e.ID, msg.Header.Get(jetstream.MsgIDHeader))
				}
				events = append(events, e)
			}
			return events
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the stream did not get %d events in 30s", want)
	return nil
}

// checkEachOnceInOrder fails unless events hold each thing's versions
// 1…perThing once each, in order.
func checkEachOnceInOrder(t *testing.T, events []eventbus.Event, things []string, perThing int) {
	t.Helper()
	next := map[string]int{}
	ids := map[string]bool{}
	for _, e := range events {
		if ids[e.ID] {
			t.Errorf("event %s is on the stream twice", e.ID)
		}
		ids[e.ID] = true
		var data struct {
			Version int `json:"version"`
		}
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Fatal(err)
		}
		if data.Version != next[e.Subject]+1 {
			t.Errorf("%s: version %d follows %d on the stream", e.Subject, data.Version, next[e.Subject])
		}
		next[e.Subject] = data.Version
	}
	for _, th := range things {
		if next[th] != perThing {
			t.Errorf("%s: the stream ends at version %d, want %d", th, next[th], perThing)
		}
	}
	if len(events) != len(things)*perThing {
		t.Errorf("%d events on the stream, want %d", len(events), len(things)*perThing)
	}
}

func things(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("districts/gwangsan/pledges/p%d", i))
	}
	return out
}

// Eight writers commit out of the order they wrote their events in, while
// two relays publish: every event reaches the stream once, each
// resource's in order.
func TestConcurrentWritersCommittingOutOfOrderAreEachPublishedOnceInOrder(t *testing.T) {
	pool := newPool(t)
	_, nc, stream := natsAt(t, "127.0.0.1:0", t.TempDir())
	ctx, stop := context.WithCancel(t.Context())
	var relays sync.WaitGroup
	for range 2 {
		relays.Go(func() { (&Relay{Service: "budget", Schema: "budget", Pool: pool, NATS: nc}).Run(ctx) })
	}
	defer func() { stop(); relays.Wait() }()

	names := things(5)
	const writers, changesEach = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for range changesEach {
				name := names[rng.IntN(len(names))]
				// Held open a while after writing the event: later
				// events commit first.
				hold := func() { time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond) }
				if err := change(ctx, pool, name, hold); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var perThing = map[string]int{}
	rows, _ := pool.Query(ctx, `SELECT name, version FROM things`)
	total := 0
	for rows.Next() {
		var n string
		var v int
		if err := rows.Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		perThing[n] = v
		total += v
	}
	events := received(t, stream, writers*changesEach)
	if total != writers*changesEach {
		t.Fatalf("%d changes committed, want %d", total, writers*changesEach)
	}
	next := map[string]int{}
	for _, e := range events {
		var data struct{ Version int }
		json.Unmarshal(e.Data, &data) //nolint:errcheck // checked below by the versions
		if data.Version != next[e.Subject]+1 {
			t.Errorf("%s: version %d follows %d on the stream", e.Subject, data.Version, next[e.Subject])
		}
		next[e.Subject] = data.Version
	}
	for n, v := range perThing {
		if next[n] != v {
			t.Errorf("%s: the stream ends at version %d, want %d", n, next[n], v)
		}
	}
	if len(events) != writers*changesEach {
		t.Errorf("%d events on the stream, want %d: each once", len(events), writers*changesEach)
	}
	e := events[0]
	if e.SpecVersion != "1.0" || e.Source != "/gongyak/budget" || e.District != "gwangsan" || e.Time.IsZero() ||
		(e.Type != "kr.gongyak.budget.v1.pledge.created" && e.Type != "kr.gongyak.budget.v1.pledge.updated") {
		t.Errorf("first event: %+v", e)
	}
	var unsent int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_time IS NULL`).Scan(&unsent); err != nil || unsent != 0 {
		t.Errorf("%d rows left unsent (%v)", unsent, err)
	}
}

// A relay stopped between publishing a batch and marking it sent leaves
// the rows unsent; the next relay publishes them again and the stream
// keeps each event once.
func TestARelayStoppedBeforeMarkingLosesAndDuplicatesNothing(t *testing.T) {
	pool := newPool(t)
	_, nc, stream := natsAt(t, "127.0.0.1:0", t.TempDir())
	names := things(3)
	for range 4 {
		for _, n := range names {
			if err := change(t.Context(), pool, n, func() {}); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx, kill := context.WithCancel(t.Context())
	published := make(chan struct{})
	crashing := &Relay{Service: "budget", Schema: "budget", Pool: pool, NATS: nc, afterPublish: func(context.Context) {
		kill()
		close(published)
	}}
	done := make(chan struct{})
	go func() { crashing.Run(ctx); close(done) }()
	<-published
	<-done
	info, err := stream.Info(t.Context())
	if err != nil || info.State.Msgs != 12 {
		t.Fatalf("the crashed relay published %v events (%v), want all 12 before it stopped", info.State.Msgs, err)
	}
	var unsent int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM outbox WHERE sent_time IS NULL`).Scan(&unsent); err != nil || unsent != 12 {
		t.Fatalf("%d rows unsent after the crash (%v), want 12: it never marked them", unsent, err)
	}

	ctx2, stop := context.WithCancel(t.Context())
	defer stop()
	go (&Relay{Service: "budget", Schema: "budget", Pool: pool, NATS: nc}).Run(ctx2)
	if unsent = waitUnsent(t, pool, 0); unsent > 0 {
		t.Fatalf("%d rows still unsent after the relay was started again", unsent)
	}
	checkEachOnceInOrder(t, received(t, stream, 12), names, 4)
}

// With NATS down the writes succeed at once, and their events arrive once
// it is back.
func TestWritesSucceedWhileNATSIsDownAndTheirEventsArriveAfter(t *testing.T) {
	pool := newPool(t)
	dir := t.TempDir()
	srv, nc, _ := natsAt(t, "127.0.0.1:0", dir)
	addr := nc.ConnectedAddr()
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	go (&Relay{Service: "budget", Schema: "budget", Pool: pool, NATS: nc}).Run(ctx)
	names := things(2)
	for _, n := range names {
		if err := change(ctx, pool, n, func() {}); err != nil {
			t.Fatal(err)
		}
	}
	if left := waitUnsent(t, pool, 0); left != 0 {
		t.Fatalf("%d rows unsent with NATS up", left)
	}
	srv.Shutdown()

	for range 3 {
		for _, n := range names {
			start := time.Now()
			if err := change(ctx, pool, n, func() {}); err != nil {
				t.Fatalf("a write with NATS down failed: %v", err)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("a write with NATS down took %v", took)
			}
		}
	}
	time.Sleep(500 * time.Millisecond)
	var unsent int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_time IS NULL`).Scan(&unsent); err != nil || unsent != 6 {
		t.Fatalf("%d rows unsent while NATS is down (%v), want the 6 written since", unsent, err)
	}

	_, _, stream := natsAt(t, addr, dir)
	checkEachOnceInOrder(t, received(t, stream, 8), names, 4)
}

// While one relay holds a resource's event, a second relay publishes other
// resources' events but not that resource's later ones, which would reach
// the stream first.
func TestASecondRelayWaitsForAResourcesEarlierEventHeldByTheFirst(t *testing.T) {
	pool := newPool(t)
	_, nc, stream := natsAt(t, "127.0.0.1:0", t.TempDir())
	names := things(2)
	if err := change(t.Context(), pool, names[0], func() {}); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	claimed, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	first := &Relay{Service: "budget", Schema: "budget", Pool: pool, NATS: nc, afterClaim: func(ctx context.Context) {
		once.Do(func() {
			close(claimed)
			select {
			case <-release:
			case <-ctx.Done():
			}
		})
	}}
	go first.Run(ctx)
	<-claimed
	// names[0]'s first event is claimed by the first relay; its second and
	// names[1]'s come after.
	for _, n := range names {
		if err := change(ctx, pool, n, func() {}); err != nil {
			t.Fatal(err)
		}
	}
	go (&Relay{Service: "budget", Schema: "budget", Pool: pool, NATS: nc}).Run(ctx)
	if left := waitUnsent(t, pool, 2); left != 2 {
		t.Fatalf("%d rows unsent while the first relay holds one, want 2: it and the later event of its resource", left)
	}
	close(release)
	events := received(t, stream, 3)
	if len(events) != 3 || events[0].Subject != names[1] {
		t.Errorf("the stream holds %d events, first %+v; want names[1]'s first, then names[0]'s two", len(events), events[0])
	}
	next := map[string]int{}
	for _, e := range events {
		var data struct{ Version int }
		json.Unmarshal(e.Data, &data) //nolint:errcheck // checked by the versions
		if data.Version != next[e.Subject]+1 {
			t.Errorf("%s: version %d follows %d on the stream", e.Subject, data.Version, next[e.Subject])
		}
		next[e.Subject] = data.Version
	}
}
