package suite

import (
	"context"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// StartNATS starts the suite's message system in this process: an
// embedded NATS server with JetStream on addr (port 0 picks one), keeping
// its streams under dir, with the stream of change events made. `gongyak
// nats` runs it for `gongyak run`, and the end-to-end tests for the
// services they start (GONGYAK_NATS_URL = its URL).
func StartNATS(ctx context.Context, addr, dir string) (*eventbus.Server, error) {
	srv, err := eventbus.StartServer(addr, dir)
	if err != nil {
		return nil, err
	}
	if err := ensureStream(ctx, srv.URL()); err != nil {
		srv.Shutdown()
		return nil, err
	}
	return srv, nil
}

// ensureStream makes the stream of change events on the NATS at url.
func ensureStream(ctx context.Context, url string) error {
	nc, err := nats.Connect(url, nats.Name("gongyak-suite"))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = eventbus.EnsureStream(ctx, js)
	return err
}

// WaitNATS waits until the NATS at url serves the stream of change events,
// or p exits, or ctx ends.
func WaitNATS(ctx context.Context, p *Process, url string) error {
	return poll(ctx, p, func(ctx context.Context) error {
		nc, err := nats.Connect(url, nats.Name("gongyak-suite"), nats.Timeout(time.Second))
		if err != nil {
			return err
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			return err
		}
		_, err = js.Stream(ctx, eventbus.StreamName)
		return err
	})
}
