// Package feed reads a district's changes off the JetStream stream the
// services publish to (pkg/eventbus): a page of them after a cursor, or
// each as it arrives. Every read is an ordered consumer of its own,
// ephemeral and filtered to the district's subjects; the server keeps no
// state per reader, whose cursor says where it is.
package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/nats-io/nats.go/jetstream"
)

// Change is one change read off the stream.
type Change struct {
	// Seq is the change's stream sequence: Cursor(Seq) resumes after it.
	Seq          uint64
	ResourceType string
	Event        eventbus.Event
}

// Query says which changes a read wants.
type Query struct {
	District string
	// After, when HasAfter, is the cursor's sequence: the read starts
	// after it.
	After    uint64
	HasAfter bool
	Filter   *Filter
}

// Page is a page of changes and where the next one starts.
type Page struct {
	Changes []Change
	// Next is the sequence the next page starts after: the last change
	// read, or the stream's end when the page read to it.
	Next uint64
}

// Reader reads the feed from a JetStream stream.
type Reader struct {
	js     jetstream.JetStream
	stream string
	log    *slog.Logger
}

// New returns a reader of the stream eventbus.StreamName over js.
func New(js jetstream.JetStream, log *slog.Logger) *Reader {
	return &Reader{js: js, stream: eventbus.StreamName, log: log}
}

// clockSkew is how much earlier than a filter's `time >=` a read starts in
// the stream: the stream's clock (when the relay published) and the
// services' (when the change was made) are different machines'.
const clockSkew = time.Minute

// readTimeout bounds a page's wait for changes the stream said it has.
const readTimeout = 10 * time.Second

// List returns up to size changes of q, oldest first.
func (r *Reader) List(ctx context.Context, q Query, size int) (Page, error) {
	state, err := r.state(ctx, q)
	if err != nil {
		return Page{}, err
	}
	cons, err := r.js.OrderedConsumer(ctx, r.stream, r.consumerConfig(q, jetstream.DeliverAllPolicy))
	if err != nil {
		return Page{}, unavailable(err)
	}
	// What the consumer had to deliver when it was made: every change up
	// to the stream's end as state read it, and perhaps some since.
	pending := cons.CachedInfo().NumPending
	page := Page{Next: max(q.After, state.LastSeq)}
	if pending == 0 {
		return page, nil
	}
	msgs, err := cons.Messages()
	if err != nil {
		return Page{}, unavailable(err)
	}
	defer msgs.Stop()
	readCtx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	// A filter the stream's subjects cannot narrow is checked here: a
	// page gives up scanning after so many changes it did not want, and
	// its token resumes where it stopped.
	budget := 10*size + 1000
	for scanned := 0; len(page.Changes) < size && scanned < budget; scanned++ {
		msg, err := msgs.Next(jetstream.NextContext(readCtx))
		if err != nil {
			if ctx.Err() != nil {
				return Page{}, ctx.Err()
			}
			return Page{}, unavailable(err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return Page{}, unavailable(err)
		}
		page.Next = md.Sequence.Stream
		if c, ok := r.decode(msg, md.Sequence.Stream); ok && q.Filter.Match(c) {
			page.Changes = append(page.Changes, c)
		}
		if md.NumPending == 0 {
			// Read to the end: nothing of the district's up to here is
			// left, so the next page starts after the stream's end as
			// the page began.
			page.Next = max(page.Next, state.LastSeq)
			break
		}
	}
	return page, nil
}

// Watch sends each change of q as it arrives, until ctx ends or send
// fails. Without a cursor it starts at the filter's `time >=`, or now.
// started runs once the stream is being followed.
func (r *Reader) Watch(ctx context.Context, q Query, started func() error, send func(Change) error) error {
	if _, err := r.state(ctx, q); err != nil {
		return err
	}
	cons, err := r.js.OrderedConsumer(ctx, r.stream, r.consumerConfig(q, jetstream.DeliverNewPolicy))
	if err != nil {
		return unavailable(err)
	}
	msgs, err := cons.Messages()
	if err != nil {
		return unavailable(err)
	}
	defer msgs.Stop()
	if err := started(); err != nil {
		return err
	}
	for {
		msg, err := msgs.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return unavailable(err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return unavailable(err)
		}
		if c, ok := r.decode(msg, md.Sequence.Stream); ok && q.Filter.Match(c) {
			if err := send(c); err != nil {
				return err
			}
		}
	}
}

// consumerConfig is an ordered consumer of q's subjects, starting after
// its cursor, else at its filter's time, else as fallback says.
func (r *Reader) consumerConfig(q Query, fallback jetstream.DeliverPolicy) jetstream.OrderedConsumerConfig {
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects: q.Filter.subjects(q.District),
		DeliverPolicy:  fallback,
		// A reader that went away leaves nothing behind for long.
		InactiveThreshold: time.Minute,
	}
	switch since := q.Filter.since(); {
	case q.HasAfter:
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = q.After + 1
	case !since.IsZero():
		start := since.Add(-clockSkew)
		cfg.DeliverPolicy = jetstream.DeliverByStartTimePolicy
		cfg.OptStartTime = &start
	}
	return cfg
}

// state reads the stream's bounds (creating the stream when no service has
// published yet) and refuses a cursor outside them.
func (r *Reader) state(ctx context.Context, q Query) (jetstream.StreamState, error) {
	s, err := r.js.Stream(ctx, r.stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = eventbus.EnsureStream(ctx, r.js)
	}
	if err != nil {
		return jetstream.StreamState{}, unavailable(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return jetstream.StreamState{}, unavailable(err)
	}
	st := info.State
	if q.HasAfter {
		// The changes after the cursor begin at After+1; the stream keeps
		// them from FirstSeq on.
		if q.After+1 < st.FirstSeq {
			return st, apierr.FailedPrecondition("the cursor is older than the %d days the change feed keeps: start again from the beginning (no page_token) or from a time (filter time >= \"…\")",
				int(eventbus.Retention.Hours()/24))
		}
		if q.After > st.LastSeq {
			return st, apierr.FailedPrecondition("the cursor is ahead of the change feed, which was started over: start again from the beginning (no page_token) or from a time (filter time >= \"…\")")
		}
	}
	return st, nil
}

// decode reads a message's CloudEvent; one that is not an event is logged
// (by its sequence alone) and skipped.
func (r *Reader) decode(msg jetstream.Msg, seq uint64) (Change, bool) {
	var e eventbus.Event
	if err := json.Unmarshal(msg.Data(), &e); err != nil {
		r.log.Warn("skipping a message of the stream that is not a CloudEvent", "stream_seq", seq, "error", err.Error())
		return Change{}, false
	}
	// gongyak.<district>.<service>.<resource>.<what happened>
	parts := strings.Split(msg.Subject(), ".")
	rt := ""
	if len(parts) == 5 {
		rt = parts[3]
	}
	return Change{Seq: seq, ResourceType: rt, Event: e}, true
}

// unavailable says the message system could not be read.
func unavailable(err error) error {
	return fmt.Errorf("%w (%v)", apierr.Unavailable("the change feed's message system is not reachable; retry shortly"), err)
}
