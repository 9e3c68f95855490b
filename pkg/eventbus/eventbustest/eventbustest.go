// Package eventbustest gives a test the message system: an embedded NATS
// server with JetStream and the stream of change events, in the test's
// process.
package eventbustest

import (
	"testing"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Start runs NATS for t on a free loopback port, with the stream of change
// events made, and returns a connection to it and its JetStream; all of it
// ends with t.
func Start(t testing.TB) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, js := StartEmpty(t)
	if _, err := eventbus.EnsureStream(t.Context(), js); err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// StartEmpty is Start without the stream: for the tests of making it.
func StartEmpty(t testing.TB) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	srv, err := eventbus.StartServer("127.0.0.1:0", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}
