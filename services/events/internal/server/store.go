package server

import (
	"context"

	"github.com/gongyak/gongyak/services/events/internal/webhook"
)

// Store is what the webhook server asks of the webhooks' storage
// (postgres.Store): the methods it calls, and no more.
type Store interface {
	CreateWebhook(ctx context.Context, w webhook.Webhook, key []byte) (webhook.Webhook, error)
	GetWebhook(ctx context.Context, district, id string) (webhook.Webhook, error)
	ListWebhooks(ctx context.Context, district, after string, limit int) ([]webhook.Webhook, error)
	// UpdateWebhook changes the webhook named name in one transaction.
	UpdateWebhook(ctx context.Context, name, tag string, change func(*webhook.Webhook) error) (webhook.Webhook, error)
	DeleteWebhook(ctx context.Context, district, id, tag string) error
	RotateSecret(ctx context.Context, district, id string, key []byte) (webhook.Webhook, error)
	RetireSecrets(ctx context.Context, district, id string) (webhook.Webhook, error)
	ListDeliveries(ctx context.Context, district, id string, before int64, n int) ([]webhook.Delivery, error)
	ListDeadLetters(ctx context.Context, district, id string, before int64, n int) ([]webhook.DeadLetter, error)
	Redeliver(ctx context.Context, district, id string, deadLetter int64) (webhook.Delivery, error)
}
