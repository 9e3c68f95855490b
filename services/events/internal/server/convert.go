package server

import (
	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/services/events/internal/feed"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// toProto is a change as the API shows it. Data that is not a JSON object
// (no service publishes such) is left out rather than failing the page.
func toProto(c feed.Change) *eventsv1.Change {
	e := c.Event
	out := &eventsv1.Change{
		Cursor: feed.Cursor(c.Seq), Id: e.ID, Source: e.Source, Type: e.Type, Subject: e.Subject,
		Time: timestamppb.New(e.Time), District: e.District, ResourceType: c.ResourceType,
	}
	if len(e.Data) > 0 {
		data := &structpb.Struct{}
		if err := protojson.Unmarshal(e.Data, data); err == nil {
			out.Data = data
		}
	}
	return out
}
