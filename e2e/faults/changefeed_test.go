//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// feedFollower reads the district gwangsan's change feed through the
// gateway, from its start, as a poller would: page after page, passing
// each page's token back, keeping the events of one type.
type feedFollower struct {
	s        *runningSuite
	filter   string
	stopping chan struct{}
	done     chan struct{}

	mu sync.Mutex
	// ids are the events' ids by subject, in the order read.
	ids map[string][]string
	// failed counts the reads that got no 200; lastErr is the last one.
	failed  int
	lastErr string
}

// followFeed starts reading the feed's events of type typ until stop.
func followFeed(t *testing.T, s *runningSuite, typ string) *feedFollower {
	f := &feedFollower{s: s, filter: fmt.Sprintf("type = %q", typ), stopping: make(chan struct{}), done: make(chan struct{}), ids: map[string][]string{}}
	go f.run()
	t.Cleanup(f.stop)
	return f
}

func (f *feedFollower) run() {
	defer close(f.done)
	token := ""
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r, err := f.s.call(ctx, "GET", "/v1/districts/gwangsan/changes?pageSize=1000&filter="+url.QueryEscape(f.filter)+"&pageToken="+url.QueryEscape(token), nil)
		cancel()
		changes, _ := r.get("changes").([]any)
		f.mu.Lock()
		if err != nil || r.status != http.StatusOK {
			f.failed++
			f.lastErr = fmt.Sprintf("%d %v %.200s", r.status, err, r.raw)
		} else {
			for _, c := range changes {
				change := c.(map[string]any)
				subject, _ := change["subject"].(string)
				id, _ := change["id"].(string)
				f.ids[subject] = append(f.ids[subject], id)
			}
			token = r.str("nextPageToken")
		}
		f.mu.Unlock()
		if len(changes) == 1000 {
			continue
		}
		select {
		case <-f.stopping:
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (f *feedFollower) stop() {
	select {
	case <-f.stopping:
	default:
		close(f.stopping)
	}
	<-f.done
}

// events are the ids of the events read about subject.
func (f *feedFollower) events(subject string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ids[subject]...)
}

// subjects are the subjects of the events read.
func (f *feedFollower) subjects() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.ids))
	for subject := range f.ids {
		out = append(out, subject)
	}
	return out
}

// waitFor waits until an event of each of subjects has been read, at most
// within, and returns how long that took; it fails t when within passes.
func (f *feedFollower) waitFor(t *testing.T, subjects []string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	var left int
	if !waitUntil(within, 100*time.Millisecond, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		left = lacking(f.ids, subjects)
		return left == 0
	}) {
		t.Errorf("%d of %d acknowledged pledges still have no event in the feed %s after the load's check", left, len(subjects), within)
	}
	return time.Since(start)
}

// suiteStream reads the suite's change stream straight off its NATS, to
// place events in it: what the feed, by design, does not show.
type suiteStream struct {
	js jetstream.JetStream
}

func streamOf(t *testing.T, s *runningSuite) suiteStream {
	t.Helper()
	nc, err := nats.Connect("nats://" + s.Addrs["nats"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return suiteStream{js: js}
}

// lastSeq is the sequence of the stream's last message now.
func (st suiteStream) lastSeq(t *testing.T) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stream, err := st.js.Stream(ctx, eventbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.LastSeq
}

// createdSeqs are the stream sequences of gwangsan's pledge created
// events, by pledge (the first, should there be more).
func (st suiteStream) createdSeqs(t *testing.T) map[string]uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	subject, err := eventbus.Subject("gwangsan", pledgeCreated)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := st.js.OrderedConsumer(ctx, eventbus.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	seqs := map[string]uint64{}
	for {
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		var pending uint64
		for msg := range batch.Messages() {
			n++
			meta, err := msg.Metadata()
			if err != nil {
				t.Fatal(err)
			}
			var ev eventbus.Event
			if err := json.Unmarshal(msg.Data(), &ev); err != nil {
				t.Fatalf("an event in the stream does not decode: %v", err)
			}
			if _, ok := seqs[ev.Subject]; !ok {
				seqs[ev.Subject] = meta.Sequence.Stream
			}
			pending = meta.NumPending
		}
		if batch.Error() != nil {
			t.Fatal(batch.Error())
		}
		if n == 0 || pending == 0 {
			return seqs
		}
	}
}
