// Package webhook holds the rules of the events service's webhooks: which
// targets may receive a district's changes, how a delivery is signed
// (Standard Webhooks), which changes a webhook wants, and how long a
// failed delivery waits before its next attempt.
package webhook

import (
	"slices"
	"time"

	"github.com/gongyak/gongyak/pkg/resourcename"
)

// Webhook is a URL that receives a district's changes.
type Webhook struct {
	District string
	ID       string
	URL      string
	// EventTypes and ResourceTypes are what it wants: a change is owed
	// when either lists it, every change when both are empty.
	EventTypes    []string
	ResourceTypes []string
	// Secrets are the live secrets' ids and times, newest first; their
	// values stay in the store.
	Secrets    []Secret
	CreateTime time.Time
	UpdateTime time.Time
	// Revision counts its changes (url, types, secrets); the etag is made
	// of it.
	Revision int64
}

// Secret is a signing secret of a webhook, without its value.
type Secret struct {
	ID         string
	CreateTime time.Time
}

// MaxLiveSecrets is how many secrets sign at once: the old and the new
// while a receiver switches.
const MaxLiveSecrets = 2

// Wants reports whether w is owed an event of eventType about a resource
// of resourceType.
func (w Webhook) Wants(eventType, resourceType string) bool {
	if len(w.EventTypes) == 0 && len(w.ResourceTypes) == 0 {
		return true
	}
	return slices.Contains(w.EventTypes, eventType) || slices.Contains(w.ResourceTypes, resourceType)
}

// Name is the webhook's resource name.
func (w Webhook) Name() string { return resourcename.Webhook.Format(w.District, w.ID) }
