-- +goose Up
-- Retried batch writes replay their first result (AIP-155); see
-- pkg/idempotency. The other services made theirs in their first
-- migration; the budget service had no write with a request_id before
-- BatchUpdateBudgets.
CREATE TABLE request_ids (
    method text NOT NULL,
    request_id text NOT NULL,
    fingerprint bytea NOT NULL,
    result bytea NOT NULL DEFAULT '',
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (method, request_id)
);
