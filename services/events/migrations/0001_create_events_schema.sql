-- +goose Up
-- The events service's schema. The change feed keeps nothing here: its
-- changes are the message system's stream, and a reader's place is its
-- cursor. Webhook subscriptions, deliveries and dead letters will be
-- kept here.
COMMENT ON SCHEMA events IS 'Gongyak events service: webhooks, deliveries, dead letters';
