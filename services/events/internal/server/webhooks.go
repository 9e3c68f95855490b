package server

import (
	"context"
	"regexp"
	"strconv"

	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/events/internal/webhook"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Webhooks is the WebhookService.
type Webhooks struct {
	eventsv1.UnimplementedWebhookServiceServer
	store   Store
	targets webhook.Targets
	// wake tells the dispatcher a redelivered dead letter is due.
	wake func()
}

// NewWebhooks returns the WebhookService on store, checking targets with
// targets; wake is called when a delivery becomes due through the API.
func NewWebhooks(store Store, targets webhook.Targets, wake func()) *Webhooks {
	return &Webhooks{store: store, targets: targets, wake: wake}
}

var (
	resourceID   = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	eventType    = regexp.MustCompile(`^kr\.gongyak\.[a-z]+\.v1\.[a-zA-Z]+\.[a-z_]+$`)
	resourceType = regexp.MustCompile(`^[a-zA-Z]+$`)
)

func parseWebhookName(v *apierr.Violations, field, name string) (district, id string) {
	ids, err := resourcename.Webhook.Parse(field, name)
	if v.Merge(err) {
		return "", ""
	}
	return ids[0], ids[1]
}

// parseParent reads a webhook's parent, districts/{district}, adding
// what is wrong to v.
func parseParent(v *apierr.Violations, parent string) (district string) {
	ids, err := resourcename.District.Parse("parent", parent)
	if v.Merge(err) {
		return ""
	}
	return ids[0]
}

// checkURL checks a webhook's target: a public http(s) URL, unless
// private targets are allowed.
func (s *Webhooks) checkURL(ctx context.Context, v *apierr.Violations, url string) {
	if url == "" {
		v.Add("webhook.url", "is required")
	} else if err := s.targets.Check(ctx, url); err != nil {
		v.Add("webhook.url", "%v", err)
	}
}

// checkTypes checks the event and resource types a webhook wants.
func checkTypes(v *apierr.Violations, w *eventsv1.Webhook) {
	for i, t := range w.GetEventTypes() {
		if !eventType.MatchString(t) {
			v.Add(apierr.Path("webhook.event_types", i), "must be an event type such as kr.gongyak.pledge.v1.pledge.updated")
		}
	}
	for i, t := range w.GetResourceTypes() {
		if !resourceType.MatchString(t) {
			v.Add(apierr.Path("webhook.resource_types", i), "must be a resource type such as pledge or budget")
		}
	}
}

// CreateWebhook adds a webhook and returns its secret, once.
func (s *Webhooks) CreateWebhook(ctx context.Context, req *eventsv1.CreateWebhookRequest) (*eventsv1.CreateWebhookResponse, error) {
	var v apierr.Violations
	district := parseParent(&v, req.GetParent())
	id := req.GetWebhookId()
	if id == "" {
		id = "w" + uuid.NewString()[:8]
	} else if !resourceID.MatchString(id) {
		v.Add("webhook_id", "must be lowercase letters, digits and hyphens, starting with a letter (AIP-122)")
	}
	s.checkURL(ctx, &v, req.GetWebhook().GetUrl())
	checkTypes(&v, req.GetWebhook())
	if err := v.Err(); err != nil {
		return nil, err
	}
	key, shown := webhook.NewSecret()
	w, err := s.store.CreateWebhook(ctx, webhook.Webhook{District: district, ID: id, URL: req.GetWebhook().GetUrl(),
		EventTypes: req.GetWebhook().GetEventTypes(), ResourceTypes: req.GetWebhook().GetResourceTypes()}, key)
	if err != nil {
		return nil, err
	}
	return &eventsv1.CreateWebhookResponse{Webhook: webhookProto(w), Secret: shown}, nil
}

// GetWebhook gets a webhook.
func (s *Webhooks) GetWebhook(ctx context.Context, req *eventsv1.GetWebhookRequest) (*eventsv1.Webhook, error) {
	var v apierr.Violations
	district, id := parseWebhookName(&v, "name", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	w, err := s.store.GetWebhook(ctx, district, id)
	if err != nil {
		return nil, err
	}
	return webhookProto(w), nil
}

// ListWebhooks lists a district's webhooks by id.
func (s *Webhooks) ListWebhooks(ctx context.Context, req *eventsv1.ListWebhooksRequest) (*eventsv1.ListWebhooksResponse, error) {
	var v apierr.Violations
	district := parseParent(&v, req.GetParent())
	n, err := pagetoken.Size(req.GetPageSize())
	v.Merge(err)
	after, err := pagetoken.Decode(req.GetPageToken(), pagetoken.Bind(req.GetParent()), 1)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	last := ""
	if after != nil {
		last = after[0]
	}
	list, err := s.store.ListWebhooks(ctx, district, last, n+1)
	if err != nil {
		return nil, err
	}
	list, next := pagetoken.Cut(list, n, pagetoken.Bind(req.GetParent()), func(w webhook.Webhook) []string { return []string{w.ID} })
	resp := &eventsv1.ListWebhooksResponse{NextPageToken: next}
	for _, w := range list {
		resp.Webhooks = append(resp.Webhooks, webhookProto(w))
	}
	return resp, nil
}

// UpdateWebhook changes a webhook's url and wanted types.
func (s *Webhooks) UpdateWebhook(ctx context.Context, req *eventsv1.UpdateWebhookRequest) (*eventsv1.Webhook, error) {
	var v apierr.Violations
	parseWebhookName(&v, "webhook.name", req.GetWebhook().GetName())
	paths := req.GetUpdateMask().GetPaths()
	if len(paths) == 0 {
		paths = []string{"url", "event_types", "resource_types"}
	}
	set := map[string]bool{}
	for _, p := range paths {
		switch p {
		case "url", "event_types", "resource_types":
			set[p] = true
		default:
			v.Add("update_mask", "%q cannot be updated: url, event_types or resource_types", p)
		}
	}
	in := req.GetWebhook()
	if set["url"] {
		s.checkURL(ctx, &v, in.GetUrl())
	}
	checkTypes(&v, in)
	v.Merge(etag.Require("webhook.etag", in.GetEtag()))
	if err := v.Err(); err != nil {
		return nil, err
	}
	w, err := s.store.UpdateWebhook(ctx, in.GetName(), in.GetEtag(), func(w *webhook.Webhook) error {
		if set["url"] {
			w.URL = in.GetUrl()
		}
		if set["event_types"] {
			w.EventTypes = in.GetEventTypes()
		}
		if set["resource_types"] {
			w.ResourceTypes = in.GetResourceTypes()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return webhookProto(w), nil
}

// DeleteWebhook removes a webhook.
func (s *Webhooks) DeleteWebhook(ctx context.Context, req *eventsv1.DeleteWebhookRequest) (*emptypb.Empty, error) {
	var v apierr.Violations
	district, id := parseWebhookName(&v, "name", req.GetName())
	v.Merge(etag.Require("etag", req.GetEtag()))
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, s.store.DeleteWebhook(ctx, district, id, req.GetEtag())
}

// RotateWebhookSecret adds a secret and returns it, once.
func (s *Webhooks) RotateWebhookSecret(ctx context.Context, req *eventsv1.RotateWebhookSecretRequest) (*eventsv1.RotateWebhookSecretResponse, error) {
	var v apierr.Violations
	district, id := parseWebhookName(&v, "name", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	key, shown := webhook.NewSecret()
	w, err := s.store.RotateSecret(ctx, district, id, key)
	if err != nil {
		return nil, err
	}
	return &eventsv1.RotateWebhookSecretResponse{Webhook: webhookProto(w), Secret: shown}, nil
}

// RetireWebhookSecrets retires every secret but the newest.
func (s *Webhooks) RetireWebhookSecrets(ctx context.Context, req *eventsv1.RetireWebhookSecretsRequest) (*eventsv1.Webhook, error) {
	var v apierr.Violations
	district, id := parseWebhookName(&v, "name", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	w, err := s.store.RetireSecrets(ctx, district, id)
	if err != nil {
		return nil, err
	}
	return webhookProto(w), nil
}

// webhookListing is a request listing what a webhook has sent: its
// deliveries or dead letters.
type webhookListing interface {
	GetParent() string
	GetPageSize() int32
	GetPageToken() string
}

// newestFirst answers a webhookListing: it reads the parent (the
// webhook), the page size and the token (the last id shown), lists the
// page by list, newest first, and turns each item into its message by
// toProto, with the next page's token.
func newestFirst[T, M any](ctx context.Context, req webhookListing, list func(ctx context.Context, district, id string, before int64, n int) ([]T, error),
	idOf func(T) int64, toProto func(T) M) ([]M, string, error) {
	var v apierr.Violations
	district, id := parseWebhookName(&v, "parent", req.GetParent())
	n, err := pagetoken.Size(req.GetPageSize())
	v.Merge(err)
	binding := pagetoken.Bind(req.GetParent())
	var before int64
	after, err := pagetoken.Decode(req.GetPageToken(), binding, 1)
	if !v.Merge(err) && after != nil {
		before, _ = strconv.ParseInt(after[0], 10, 64)
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	items, err := list(ctx, district, id, before, n+1)
	if err != nil {
		return nil, "", err
	}
	items, next := pagetoken.Cut(items, n, binding, func(last T) []string { return []string{strconv.FormatInt(idOf(last), 10)} })
	out := make([]M, len(items))
	for i, item := range items {
		out[i] = toProto(item)
	}
	return out, next, nil
}

// ListWebhookDeliveries lists a webhook's deliveries, newest first.
func (s *Webhooks) ListWebhookDeliveries(ctx context.Context, req *eventsv1.ListWebhookDeliveriesRequest) (*eventsv1.ListWebhookDeliveriesResponse, error) {
	list, next, err := newestFirst(ctx, req, s.store.ListDeliveries, func(d webhook.Delivery) int64 { return d.ID }, deliveryProto)
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListWebhookDeliveriesResponse{Deliveries: list, NextPageToken: next}, nil
}

// ListDeadLetters lists a webhook's dead letters, newest first.
func (s *Webhooks) ListDeadLetters(ctx context.Context, req *eventsv1.ListDeadLettersRequest) (*eventsv1.ListDeadLettersResponse, error) {
	list, next, err := newestFirst(ctx, req, s.store.ListDeadLetters, func(l webhook.DeadLetter) int64 { return l.ID }, deadLetterProto)
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListDeadLettersResponse{DeadLetters: list, NextPageToken: next}, nil
}

// RedeliverDeadLetter delivers a dead letter's event again.
func (s *Webhooks) RedeliverDeadLetter(ctx context.Context, req *eventsv1.RedeliverDeadLetterRequest) (*eventsv1.WebhookDelivery, error) {
	ids, err := resourcename.DeadLetter.Parse("name", req.GetName())
	if err != nil {
		return nil, err
	}
	letter, _ := strconv.ParseInt(ids[2], 10, 64) // at most 18 digits: it fits
	d, err := s.store.Redeliver(ctx, ids[0], ids[1], letter)
	if err != nil {
		return nil, err
	}
	if s.wake != nil {
		s.wake()
	}
	return deliveryProto(d), nil
}
