package eventbus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// StreamName is the JetStream stream that keeps every service's events.
const StreamName = "GONGYAK_CHANGES"

// Retention is how long the stream keeps an event: a feed cursor older
// than that has expired.
const Retention = 30 * 24 * time.Hour

// DuplicateWindow is how long JetStream remembers an event id
// (Nats-Msg-Id) to drop a second publish of it: longer than a relay takes
// to be restarted after a crash between publishing and marking sent.
const DuplicateWindow = 10 * time.Minute

// StreamConfig is the stream's configuration.
func StreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Gongyak's change events, every service's, for 30 days",
		Subjects:    []string{SubjectPrefix + ">"},
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      Retention,
		Duplicates:  DuplicateWindow,
		Storage:     jetstream.FileStorage,
	}
}

// ReplicasEnv names the setting of how many NATS servers keep a copy of a
// stream the suite creates: 1 (the default) for a single server, 3 on a
// JetStream cluster, so that losing one server loses no event.
const ReplicasEnv = "GONGYAK_NATS_STREAM_REPLICAS"

// replicas is the copies a new stream asks for, from ReplicasEnv.
func replicas() (int, error) {
	v := os.Getenv(ReplicasEnv)
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 5 {
		return 0, fmt.Errorf("eventbus: %s=%q: want a number of copies from 1 to 5", ReplicasEnv, v)
	}
	return n, nil
}

// EnsureStream creates the stream, or brings an existing one to
// StreamConfig; every publisher and reader may call it at start. A new
// stream gets the copies ReplicasEnv asks for; an existing one keeps those
// it has, which its operator may have changed, rather than each service's
// start setting them back.
func EnsureStream(ctx context.Context, js jetstream.JetStream) (jetstream.Stream, error) {
	cfg := StreamConfig()
	if s, err := js.Stream(ctx, StreamName); err == nil {
		cfg.Replicas = s.CachedInfo().Config.Replicas
	} else if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("eventbus: stream %s: %w", StreamName, err)
	} else if cfg.Replicas, err = replicas(); err != nil {
		return nil, err
	}
	s, err := js.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("eventbus: stream %s: %w", StreamName, err)
	}
	return s, nil
}
