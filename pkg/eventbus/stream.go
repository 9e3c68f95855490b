package eventbus

import (
	"context"
	"fmt"
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

// EnsureStream creates the stream, or brings an existing one to
// StreamConfig; every publisher and reader may call it at start.
func EnsureStream(ctx context.Context, js jetstream.JetStream) (jetstream.Stream, error) {
	s, err := js.CreateOrUpdateStream(ctx, StreamConfig())
	if err != nil {
		return nil, fmt.Errorf("eventbus: stream %s: %w", StreamName, err)
	}
	return s, nil
}
