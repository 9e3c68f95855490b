// Package dispatch delivers a district's changes to its webhooks. A
// durable JetStream consumer, shared by every replica, takes each event
// and records the deliveries it owes in PostgreSQL, acknowledging the
// event only after that commit; workers claim due deliveries, POST them
// signed, and retry with backoff until the receiver answers 2xx or the
// attempts are spent (a dead letter). Every step can die and be taken up
// again: delivery is at least once, and a receiver drops repeats by the
// webhook-id header.
package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/services/events/internal/postgres"
	"github.com/gongyak/gongyak/services/events/internal/webhook"
	"github.com/nats-io/nats.go/jetstream"
)

// ConsumerName is the durable consumer of the change stream that every
// replica's dispatcher shares.
const ConsumerName = "webhooks"

// Config is how deliveries go.
type Config struct {
	Retry   webhook.Retry
	Targets webhook.Targets
	// Timeout bounds one attempt.
	Timeout time.Duration
	// Poll is how often workers look for due retries when nothing wakes
	// them.
	Poll time.Duration
	// Workers is how many deliveries are under way at once.
	Workers int
}

// DefaultConfig is the service's.
func DefaultConfig() Config {
	return Config{Retry: webhook.DefaultRetry, Timeout: 10 * time.Second, Poll: time.Second, Workers: 8}
}

// Dispatcher records and delivers webhooks' deliveries.
type Dispatcher struct {
	cfg   Config
	store *postgres.Store
	js    jetstream.JetStream
	log   *slog.Logger
	wake  chan struct{}
}

// New returns a dispatcher reading the change stream over js.
func New(cfg Config, store *postgres.Store, js jetstream.JetStream, log *slog.Logger) *Dispatcher {
	return &Dispatcher{cfg: cfg, store: store, js: js, log: log, wake: make(chan struct{}, 1)}
}

// Run records and delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { d.consume(ctx) })
	wg.Go(func() { d.deliverLoop(ctx) })
	wg.Wait()
}

// consume takes the stream's events one at a time (the consumer lets one
// be unacknowledged at once, across replicas), so a resource's events are
// recorded in the stream's order.
func (d *Dispatcher) consume(ctx context.Context) {
	var cons jetstream.Consumer
	for wait := time.Second; ctx.Err() == nil; wait = min(2*wait, 30*time.Second) {
		var err error
		if _, err = eventbus.EnsureStream(ctx, d.js); err == nil {
			cons, err = d.js.CreateOrUpdateConsumer(ctx, eventbus.StreamName, jetstream.ConsumerConfig{
				Durable:       ConsumerName,
				Description:   "the events service's webhook dispatcher",
				DeliverPolicy: jetstream.DeliverNewPolicy,
				AckPolicy:     jetstream.AckExplicitPolicy,
				AckWait:       30 * time.Second,
				MaxAckPending: 1,
			})
		}
		if err == nil {
			break
		}
		d.log.Warn("webhooks: the change stream's consumer", "error", err.Error(), "retry_in", wait.String())
		sleep(ctx, wait)
	}
	for ctx.Err() == nil {
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			sleep(ctx, time.Second)
			continue
		}
		for msg := range batch.Messages() {
			d.record(ctx, msg)
		}
	}
}

// record records msg's deliveries, retrying while the database fails, and
// acknowledges it after the commit. A message left unacknowledged (ctx
// ended) comes again, and recording it again adds nothing.
func (d *Dispatcher) record(ctx context.Context, msg jetstream.Msg) {
	var ev eventbus.Event
	meta, err := msg.Metadata()
	if err != nil || json.Unmarshal(msg.Data(), &ev) != nil || ev.ID == "" {
		d.log.Error("webhooks: an event that does not decode is skipped", "subject", msg.Subject())
		msg.Term() //nolint:errcheck // redelivered if it is lost
		return
	}
	for wait := 200 * time.Millisecond; ; wait = min(2*wait, 10*time.Second) {
		added, err := d.store.Record(ctx, ev, meta.Sequence.Stream, msg.Data())
		if err == nil {
			if err := msg.Ack(); err != nil {
				d.log.Warn("webhooks: acknowledging an event", "event_id", ev.ID, "error", err.Error())
			}
			if added > 0 {
				d.Wake()
			}
			return
		}
		if ctx.Err() != nil {
			return
		}
		d.log.Warn("webhooks: recording an event's deliveries", "event_id", ev.ID, "error", err.Error(), "retry_in", wait.String())
		msg.InProgress() //nolint:errcheck // at worst it is redelivered, and recorded once
		sleep(ctx, wait)
	}
}

// Wake makes the workers look for due deliveries now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// lease is how long a claimed delivery is held: past it, a worker that
// died holding it has it taken again.
func (d *Dispatcher) lease() time.Duration { return 2*d.cfg.Timeout + 5*time.Second }

// deliverLoop claims due deliveries and delivers them, each on its own
// goroutine, at most Workers at once.
func (d *Dispatcher) deliverLoop(ctx context.Context) {
	slots := make(chan struct{}, d.cfg.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	client := d.cfg.Targets.Client(d.cfg.Timeout)
	for ctx.Err() == nil {
		free := d.cfg.Workers - len(slots)
		var claimed []postgres.Claimed
		if free > 0 {
			var err error
			claimed, err = d.store.Claim(ctx, free, d.lease())
			if err != nil && ctx.Err() == nil {
				d.log.Warn("webhooks: claiming deliveries", "error", err.Error())
			}
		}
		for _, c := range claimed {
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots; d.Wake() }()
				d.deliver(ctx, client, c)
			})
		}
		if len(claimed) > 0 && len(claimed) == free {
			continue
		}
		select {
		case <-ctx.Done():
		case <-d.wake:
		case <-time.After(d.cfg.Poll):
		}
	}
}

// deliver POSTs one claimed delivery and records how it went.
func (d *Dispatcher) deliver(ctx context.Context, client *http.Client, c postgres.Claimed) {
	status, err := post(ctx, client, c)
	if ctx.Err() != nil {
		// Stopped mid-delivery: the lease runs out and it goes again.
		return
	}
	if err == nil {
		err = d.store.MarkDelivered(ctx, c.ID, c.Attempts, status)
	} else {
		err = d.store.MarkFailed(ctx, c.ID, c.Attempts, status, reason(err), d.cfg.Retry)
	}
	if err != nil && ctx.Err() == nil {
		d.log.Warn("webhooks: recording a delivery's attempt", "delivery", c.ID, "error", err.Error())
	}
}

// reason is why an attempt failed, as the API shows it: never the URL,
// whose query may hold the receiver's own token.
func reason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// drain reads what is left of a response so its connection is reused.
func drain(r io.ReadCloser) {
	io.Copy(io.Discard, io.LimitReader(r, 64<<10)) //nolint:errcheck // best effort
	r.Close()
}

var errStatus = fmt.Errorf("the receiver did not answer 2xx")
