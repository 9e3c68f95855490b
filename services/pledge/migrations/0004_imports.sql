-- +goose Up
-- Card imports as durable workflows: each import's plan of writes to the
-- other services, how far it got, and how to undo what it wrote, kept in
-- the same transactions as the pledge service's own writes, so that an
-- import cut off on the way is finished or undone when the service starts.
CREATE TABLE imports (
    id text PRIMARY KEY,
    district_id text NOT NULL,
    -- The caller's request_id: a retry of the import finds it here.
    request_id text,
    -- What the caller sent, to tell a retry from a new import.
    request_digest text NOT NULL,
    pledge_id text NOT NULL,
    -- Who asked: recovery works on as the service, for them.
    subject text NOT NULL,
    -- running, done or undone.
    state text NOT NULL,
    -- The pledge transaction's own undo, and the steps with their state.
    pledge_undo jsonb NOT NULL,
    steps jsonb NOT NULL,
    -- The answer, once done; why, once undone.
    response jsonb,
    failure jsonb,
    -- A worker holds the import until lease_until, saying so again while
    -- it works; a crashed one lets go when it runs out. One that could not
    -- go on (a service was away) lets go at once, and workers take the
    -- import up again from next_attempt (a retry of its request_id, at once).
    lease_until timestamptz NOT NULL DEFAULT now(),
    next_attempt timestamptz NOT NULL DEFAULT now(),
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    CHECK (state IN ('running', 'done', 'undone'))
);
CREATE UNIQUE INDEX imports_by_request_id ON imports (district_id, request_id) WHERE request_id IS NOT NULL;
CREATE INDEX imports_running ON imports (next_attempt) WHERE state = 'running';
