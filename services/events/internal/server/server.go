// Package server serves the events service's gRPC API: the change feed.
package server

import (
	"context"

	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/events/internal/feed"
	"google.golang.org/grpc/metadata"
)

// Server is the ChangeService.
type Server struct {
	eventsv1.UnimplementedChangeServiceServer
	feed *feed.Reader
}

// New returns the server reading changes with r.
func New(r *feed.Reader) *Server { return &Server{feed: r} }

// Page sizes (AIP-158).
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// ListChanges lists a district's changes after page_token.
func (s *Server) ListChanges(ctx context.Context, req *eventsv1.ListChangesRequest) (*eventsv1.ListChangesResponse, error) {
	var v apierr.Violations
	q := query(&v, req.GetParent(), req.GetFilter())
	if req.GetPageToken() != "" {
		seq, err := feed.ParseCursor(req.GetPageToken())
		if err != nil {
			v.Add("page_token", "%v: pass a next_page_token or a change's cursor as it was given", err)
		}
		q.After, q.HasAfter = seq, true
	}
	size := int(req.GetPageSize())
	switch {
	case size < 0:
		v.Add("page_size", "must not be negative")
	case size == 0:
		size = defaultPageSize
	case size > maxPageSize:
		size = maxPageSize
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	page, err := s.feed.List(ctx, q, size)
	if err != nil {
		return nil, err
	}
	resp := &eventsv1.ListChangesResponse{NextPageToken: feed.Cursor(page.Next)}
	for _, c := range page.Changes {
		resp.Changes = append(resp.Changes, toProto(c))
	}
	return resp, nil
}

// WatchChanges streams a district's changes as they happen. The response
// headers go out as soon as the stream is followed, so a caller (the
// gateway's Server-Sent Events) knows the watch was accepted before the
// first change.
func (s *Server) WatchChanges(req *eventsv1.WatchChangesRequest, stream eventsv1.ChangeService_WatchChangesServer) error {
	var v apierr.Violations
	q := query(&v, req.GetParent(), req.GetFilter())
	if req.GetStartCursor() != "" {
		seq, err := feed.ParseCursor(req.GetStartCursor())
		if err != nil {
			v.Add("start_cursor", "%v: pass a change's cursor as it was given", err)
		}
		q.After, q.HasAfter = seq, true
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.feed.Watch(stream.Context(), q,
		func() error { return stream.SendHeader(metadata.MD{}) },
		func(c feed.Change) error { return stream.Send(toProto(c)) })
}

// query reads the district and filter of a request into a feed query,
// adding what is wrong to v.
func query(v *apierr.Violations, parent, filterText string) feed.Query {
	var q feed.Query
	// A district's id is a resource id, which a NATS subject can hold.
	if ids, ok := resourcename.District.Match(parent); ok {
		q.District = ids[0]
	} else {
		v.Add("parent", "must be a district's name, districts/{district}: the change feed is a district's")
	}
	f, err := feed.ParseFilter("filter", filterText)
	if err != nil {
		v.Merge(err)
	}
	q.Filter = f
	return q
}
