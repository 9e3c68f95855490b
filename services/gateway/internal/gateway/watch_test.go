package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"google.golang.org/grpc/metadata"
)

// changeBackend is an events service whose watch sends what the test
// gives it, refusing a caller without a credential as the real one does.
type changeBackend struct {
	eventsv1.UnimplementedChangeServiceServer
	mu      sync.Mutex
	starts  []string                // each watch's start cursor
	changes []chan *eventsv1.Change // each watch's changes to send
}

// send gives the watch started nth (from 0) a change to send, once it has
// started.
func (b *changeBackend) send(t *testing.T, nth int, c *eventsv1.Change) {
	t.Helper()
	for range 100 {
		b.mu.Lock()
		if len(b.changes) > nth {
			ch := b.changes[nth]
			b.mu.Unlock()
			ch <- c
			return
		}
		b.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("watch %d never started", nth)
}

func (b *changeBackend) WatchChanges(req *eventsv1.WatchChangesRequest, stream eventsv1.ChangeService_WatchChangesServer) error {
	md, _ := metadata.FromIncomingContext(stream.Context())
	if len(md.Get("authorization")) == 0 {
		return apierr.ToStatus(apierr.Unauthenticated("sign in")).Err()
	}
	if req.GetFilter() == "bad" {
		return apierr.ToStatus(apierr.Invalid("filter", "bad")).Err()
	}
	changes := make(chan *eventsv1.Change)
	b.mu.Lock()
	b.starts = append(b.starts, req.GetStartCursor())
	b.changes = append(b.changes, changes)
	b.mu.Unlock()
	if err := stream.SendHeader(metadata.MD{}); err != nil {
		return err
	}
	for {
		select {
		case <-stream.Context().Done():
			return nil
		case c := <-changes:
			if err := stream.Send(c); err != nil {
				return err
			}
		}
	}
}

func (b *changeBackend) AuthFuncOverride(ctx context.Context, _ string) (context.Context, error) {
	return ctx, nil
}

// serveWatch runs the gateway as its binary does over b, with a request
// timeout of timeout, and returns its base URL.
func serveWatch(t *testing.T, b *changeBackend, timeout time.Duration) string {
	t.Helper()
	_, addr := grpctest.Serve(t, nil, func(s *grpcserver.Server) {
		eventsv1.RegisterChangeServiceServer(s, b)
		s.Authorize(auth.Policy{eventsv1.ChangeService_WatchChanges_FullMethodName: auth.Public})
	})
	cfg := testConfig()
	cfg.RequestTimeout = timeout
	cfg.Addrs = map[string]string{}
	for _, s := range services {
		cfg.Addrs[s.Name] = addr
	}
	g, err := New(context.Background(), cfg, telemetry.NewLogger(io.Discard, "gateway", "error"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(cfg, g)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + lis.Addr().String()
}

// sseEvent is one Server-Sent Event, or a comment.
type sseEvent struct{ id, event, data, comment string }

// readEvents reads SSE events from body onto a channel.
func readEvents(body io.Reader) <-chan sseEvent {
	out := make(chan sseEvent, 16)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				out <- e
				e = sseEvent{}
			case strings.HasPrefix(line, ":"):
				e.comment = strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "id: "):
				e.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				e.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				e.data += line[6:]
			}
		}
	}()
	return out
}

func next(t *testing.T, events <-chan sseEvent, skipComments bool) sseEvent {
	t.Helper()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if skipComments && e.comment != "" {
				continue
			}
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("no event within 10s")
		}
	}
}

func watch(t *testing.T, url string, headers ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// A watch through the gateway is a stream of Server-Sent Events, each
// change's id its cursor, that outlives the request timeout, keeps the
// connection alive between changes, and resumes from Last-Event-ID.
func TestWatchChangesIsServerSentEventsResumingFromLastEventID(t *testing.T) {
	defer func(d time.Duration) { keepAliveEvery = d }(keepAliveEvery)
	keepAliveEvery = 200 * time.Millisecond
	b := &changeBackend{}
	base := serveWatch(t, b, time.Second)
	url := base + "/v1/districts/gwangsan/changes:watch"

	resp := watch(t, url+"?filter=resource_type%3D%22pledge%22", "Authorization", "Bearer x")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("a watch answered %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	events := readEvents(resp.Body)
	// Past the request timeout, the stream is still open and kept alive.
	time.Sleep(1500 * time.Millisecond)
	if e := next(t, events, false); e.comment == "" {
		t.Errorf("the first thing on the stream is %+v, want a comment", e)
	}
	b.send(t, 0, &eventsv1.Change{Cursor: "c1", Id: "e1", Type: "kr.gongyak.pledge.v1.pledge.updated", Subject: "districts/gwangsan/pledges/p1"})
	e := next(t, events, true)
	var c struct{ Cursor, ID, Type, Subject string }
	if err := json.Unmarshal([]byte(e.data), &c); err != nil {
		t.Fatalf("event data %q: %v", e.data, err)
	}
	if e.id != "c1" || c.ID != "e1" || c.Subject != "districts/gwangsan/pledges/p1" || c.Cursor != "c1" {
		t.Errorf("the change came as %+v (data %+v)", e, c)
	}
	resp.Body.Close()

	// Reconnecting with Last-Event-ID starts after it.
	resp = watch(t, url, "Authorization", "Bearer x", "Last-Event-ID", "c1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("resuming answered %s", resp.Status)
	}
	events = readEvents(resp.Body)
	next(t, events, false)
	b.send(t, 1, &eventsv1.Change{Cursor: "c2", Id: "e2"})
	if e := next(t, events, true); e.id != "c2" {
		t.Errorf("after resuming got %+v", e)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.starts) != 2 || b.starts[0] != "" || b.starts[1] != "c1" {
		t.Errorf("the watches started at %q, want \"\" then c1", b.starts)
	}
}

// A watch the service refuses is the API's JSON error with its status.
func TestARefusedWatchIsTheAPIsError(t *testing.T) {
	b := &changeBackend{}
	base := serveWatch(t, b, 30*time.Second)
	for _, tc := range []struct {
		path    string
		headers []string
		want    int
	}{
		{"/v1/districts/gwangsan/changes:watch", nil, http.StatusUnauthorized},
		{"/v1/districts/gwangsan/changes:watch?filter=bad", []string{"Authorization", "Bearer x"}, http.StatusBadRequest},
	} {
		resp := watch(t, base+tc.path, tc.headers...)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.want || !strings.Contains(resp.Header.Get("Content-Type"), "json") || !strings.Contains(string(body), `"code"`) {
			t.Errorf("%s: %s %q %s, want %d with a JSON status", tc.path, resp.Status, resp.Header.Get("Content-Type"), body, tc.want)
		}
	}
}
