package server

import (
	"strconv"
	"time"

	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/events/internal/webhook"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func webhookProto(w webhook.Webhook) *eventsv1.Webhook {
	out := &eventsv1.Webhook{Name: w.Name(), Url: w.URL, EventTypes: w.EventTypes, ResourceTypes: w.ResourceTypes,
		CreateTime: timestamppb.New(w.CreateTime), UpdateTime: timestamppb.New(w.UpdateTime), Etag: etag.Of(w.Name(), w.Revision)}
	for _, s := range w.Secrets {
		out.Secrets = append(out.Secrets, &eventsv1.WebhookSecret{Id: s.ID, CreateTime: timestamppb.New(s.CreateTime)})
	}
	return out
}

func timeOrNil(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

var deliveryStates = map[string]eventsv1.WebhookDelivery_State{
	webhook.Pending: eventsv1.WebhookDelivery_STATE_PENDING, webhook.Delivered: eventsv1.WebhookDelivery_STATE_DELIVERED,
	webhook.Dead: eventsv1.WebhookDelivery_STATE_DEAD,
}

func deliveryProto(d webhook.Delivery) *eventsv1.WebhookDelivery {
	out := &eventsv1.WebhookDelivery{
		Name:    resourcename.Delivery.Format(d.District, d.Webhook, strconv.FormatInt(d.ID, 10)),
		EventId: d.EventID, EventType: d.EventType, Subject: d.Subject, State: deliveryStates[d.State],
		Attempts: int32(d.Attempts), LastResponseStatus: int32(d.LastStatus), LastError: d.LastError,
		CreateTime: timestamppb.New(d.CreateTime), DeliverTime: timeOrNil(d.DeliverTime),
	}
	if d.State == webhook.Pending {
		out.NextAttemptTime = timestamppb.New(d.NextAttempt)
	}
	return out
}

func deadLetterProto(l webhook.DeadLetter) *eventsv1.DeadLetter {
	return &eventsv1.DeadLetter{
		Name:     resourcename.DeadLetter.Format(l.District, l.Webhook, strconv.FormatInt(l.ID, 10)),
		Delivery: resourcename.Delivery.Format(l.District, l.Webhook, strconv.FormatInt(l.Delivery, 10)),
		EventId:  l.EventID, EventType: l.EventType, Subject: l.Subject, Attempts: int32(l.Attempts),
		LastResponseStatus: int32(l.LastStatus), LastError: l.LastError,
		CreateTime: timestamppb.New(l.CreateTime), RedeliverTime: timeOrNil(l.RedeliverTime),
	}
}
