package gateway

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// watchPattern is where a district's changes are followed as Server-Sent
// Events: WatchChanges, which grpc-gateway would serve as a JSON stream
// no browser's EventSource reads.
const watchPattern = "GET /v1/districts/{district}/changes:watch"

// keepAliveEvery is how often a watch with no change writes an SSE comment,
// so that proxies and load balancers keep the connection open and the
// client learns early when it is gone.
var keepAliveEvery = 15 * time.Second

// isWatch reports whether r follows a stream, which the request timeout
// does not bound.
func isWatch(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/districts/") && strings.HasSuffix(r.URL.Path, "/changes:watch")
}

// watchChanges serves WatchChanges as Server-Sent Events: each change an
// event whose id is its cursor and whose data is the change's JSON, so a
// client that reconnects with Last-Event-ID (as EventSource does) resumes
// after the last change it got. Query parameters: filter, and
// start_cursor when there is no Last-Event-ID. A refusal before the first
// change is the API's JSON error with its HTTP status; an error after it
// is an `error` event, and the stream ends.
func (g *Gateway) watchChanges(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	md := metadata.Pairs("x-request-id", r.Header.Get(RequestIDHeader), ClientAddressMetadata, remoteHost(r.RemoteAddr))
	if a := r.Header.Get("Authorization"); a != "" {
		md.Set("authorization", a)
	}
	ctx = metadata.NewOutgoingContext(ctx, md)
	q := r.URL.Query()
	cursor := r.Header.Get("Last-Event-ID")
	if cursor == "" {
		cursor = firstOf(q, "start_cursor", "startCursor")
	}
	req := &eventsv1.WatchChangesRequest{Parent: resourcename.District.Format(r.PathValue("district")), StartCursor: cursor, Filter: q.Get("filter")}
	stream, err := eventsv1.NewChangeServiceClient(g.events).WatchChanges(ctx, req)
	if err == nil {
		var header metadata.MD
		// The service sends its headers once it follows the stream; a
		// refusal ends the stream without them.
		if header, err = stream.Header(); err == nil && header == nil {
			_, err = stream.Recv()
			if err == nil || err == io.EOF {
				err = status.Error(codes.Internal, "the watch ended before it began")
			}
		}
	}
	if err != nil {
		g.watchError(ctx, w, r, err)
		return
	}
	// The server's read and write timeouts are for a request and its
	// answer, not for a stream (a read deadline passing would cancel it).
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})  //nolint:errcheck // a writer without deadlines has none to lift
	rc.SetWriteDeadline(time.Time{}) //nolint:errcheck // as above
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, ": watching "+req.Parent+"\n\n") //nolint:errcheck // the next write says
	if rc.Flush() != nil {
		return
	}

	changes := make(chan *eventsv1.Change)
	failed := make(chan error, 1)
	go func() {
		for {
			c, err := stream.Recv()
			if err != nil {
				failed <- err
				return
			}
			select {
			case changes <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	keepAlive := time.NewTicker(keepAliveEvery)
	defer keepAlive.Stop()
	for {
		var buf bytes.Buffer
		select {
		case <-ctx.Done():
			return
		case <-keepAlive.C:
			buf.WriteString(": keep-alive\n\n")
		case c := <-changes:
			data, err := g.json.Marshal(c)
			if err != nil {
				g.log.ErrorContext(ctx, "encoding a change", "error", err.Error())
				return
			}
			fmt.Fprintf(&buf, "id: %s\ndata: %s\n\n", c.GetCursor(), bytes.ReplaceAll(data, []byte("\n"), []byte("\ndata: ")))
		case err := <-failed:
			if ctx.Err() != nil || err == io.EOF {
				return
			}
			data, _ := g.json.Marshal(apierr.ToStatus(err).Proto())
			fmt.Fprintf(&buf, "event: error\ndata: %s\n\n", data)
			w.Write(buf.Bytes()) //nolint:errcheck // the stream ends either way
			rc.Flush()           //nolint:errcheck // as above
			return
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// watchError answers a watch refused before it began as every other API
// error is answered.
func (g *Gateway) watchError(ctx context.Context, w http.ResponseWriter, r *http.Request, err error) {
	ctx = runtime.NewServerMetadataContext(ctx, runtime.ServerMetadata{})
	if status.Code(err) == codes.Unavailable && len(status.Convert(err).Details()) == 0 {
		err = apierr.ToStatus(apierr.Unavailable("the events service could not be reached; retry shortly")).Err()
	}
	errorHandler(ctx, g.mux, g.json, w, r, err)
}

func firstOf(q map[string][]string, names ...string) string {
	for _, n := range names {
		if v := q[n]; len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
