package eventbus_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/eventbus/eventbustest"
	"github.com/nats-io/nats.go/jetstream"
)

// The embedded server keeps what is published on the stream, and a second
// publish of one event id is dropped (what makes a relay's retry safe).
func TestStreamKeepsAnEventOnceByItsID(t *testing.T) {
	_, js := eventbustest.StartEmpty(t)
	ctx := t.Context()
	stream, err := eventbus.EnsureStream(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := eventbus.Subject("gwangsan", "kr.gongyak.pledge.v1.pledge.updated")
	for range 2 {
		if _, err := js.Publish(ctx, subject, []byte(`{}`), jetstream.WithMsgID("e1")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := js.Publish(ctx, subject, []byte(`{}`), jetstream.WithMsgID("e2")); err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 {
		t.Errorf("the stream keeps %d events after publishing e1 twice and e2 once, want 2", info.State.Msgs)
	}
	if info.Config.MaxAge != 30*24*time.Hour {
		t.Errorf("the stream keeps events for %v, want 30 days", info.Config.MaxAge)
	}
}

// Port 0 is a free port, as for net.Listen: two servers started so run
// side by side (tests of several packages at once), neither on 4222.
func TestPortZeroPicksAFreePort(t *testing.T) {
	a, err := eventbus.StartServer("127.0.0.1:0", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown()
	b, err := eventbus.StartServer("127.0.0.1:0", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Shutdown()
	if a.URL() == b.URL() || strings.HasSuffix(a.URL(), ":4222") {
		t.Errorf("two servers on port 0 listen at %s and %s", a.URL(), b.URL())
	}
}

// A new stream asks for the copies GONGYAK_NATS_STREAM_REPLICAS says (one
// server cannot keep three, and says so); an existing stream keeps the
// copies it has when a service starts asking for others, so that a
// rolling restart does not change what the operator set.
func TestANewStreamGetsTheReplicasAskedAndAnExistingOneKeepsItsOwn(t *testing.T) {
	_, js := eventbustest.StartEmpty(t)
	t.Setenv(eventbus.ReplicasEnv, "three")
	if _, err := eventbus.EnsureStream(t.Context(), js); err == nil || !strings.Contains(err.Error(), eventbus.ReplicasEnv) {
		t.Errorf("a stream asked for %q copies: %v, want the setting named", "three", err)
	}
	t.Setenv(eventbus.ReplicasEnv, "3")
	if _, err := eventbus.EnsureStream(t.Context(), js); err == nil {
		t.Error("one server made a stream of 3 copies: the setting was not applied")
	}
	t.Setenv(eventbus.ReplicasEnv, "")
	if _, err := eventbus.EnsureStream(t.Context(), js); err != nil {
		t.Fatal(err)
	}
	t.Setenv(eventbus.ReplicasEnv, "3")
	s, err := eventbus.EnsureStream(t.Context(), js)
	if err != nil {
		t.Fatalf("a service starting with 3 copies asked, on the existing stream of 1: %v", err)
	}
	if n := s.CachedInfo().Config.Replicas; n != 1 {
		t.Errorf("the existing stream has %d copies, want its 1 kept", n)
	}
}
