package grpcserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/telemetry"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// lockedBuffer is a log the server writes from its own goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines are the log's "finished call" lines, decoded.
func (b *lockedBuffer) lines(t *testing.T) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == "finished call" {
			out = append(out, m)
		}
	}
	return out
}

func TestFinishedCallsAreLoggedAtTheLevelOfTheirCode(t *testing.T) {
	for _, tc := range []struct {
		level string
		want  []string // the codes of the lines logged, in order
	}{
		{"info", []string{"InvalidArgument"}},
		{"debug", []string{"OK", "InvalidArgument"}},
	} {
		t.Run(tc.level, func(t *testing.T) {
			var log lockedBuffer
			srv := grpcserver.New(telemetry.NewLogger(&log, "test", tc.level), grpcserver.Options{})
			registerOnPrivateName(srv, &echo{started: make(chan struct{})}, auth.Public)
			client := serve(t, srv)
			client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "ok"})      //nolint:errcheck // its line is what is tested
			client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "invalid"}) //nolint:errcheck // likewise
			var got []string
			for _, l := range log.lines(t) {
				got = append(got, l["grpc.code"].(string))
				if l["grpc.method"] != "Check" || l["grpc.method_type"] != "unary" || l["grpc.time_ms"] == nil {
					t.Errorf("line %v lacks the method, its type or its time", l)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("at %s the finished calls logged were %v, want %v", tc.level, got, tc.want)
			}
		})
	}
}
