-- +goose Up
-- Webhooks: URLs a district's changes are POSTed to, signed.
CREATE TABLE webhooks (
    district       text        NOT NULL,
    id             text        NOT NULL,
    url            text        NOT NULL,
    -- A change is owed when its type or its resource type is listed;
    -- both empty owes every change of the district.
    event_types    text[]      NOT NULL DEFAULT '{}',
    resource_types text[]      NOT NULL DEFAULT '{}',
    create_time    timestamptz NOT NULL DEFAULT now(),
    update_time    timestamptz NOT NULL DEFAULT now(),
    -- Counts the webhook's changes; its etag is made of it.
    revision       bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (district, id)
);

-- The signing secrets: at most two live (retire_time NULL) at a time,
-- which the service keeps to while rotating under the webhook's row lock.
CREATE TABLE webhook_secrets (
    district    text        NOT NULL,
    webhook     text        NOT NULL,
    id          text        NOT NULL,
    -- The HMAC key itself: it signs every delivery, so it is kept, and is
    -- never shown again after it was made.
    secret      bytea       NOT NULL,
    create_time timestamptz NOT NULL DEFAULT clock_timestamp(),
    retire_time timestamptz,
    PRIMARY KEY (district, webhook, id),
    FOREIGN KEY (district, webhook) REFERENCES webhooks ON DELETE CASCADE
);

-- One delivery per event and webhook: the dispatcher records what it owes
-- before it acknowledges the event, and a repeat of the event adds
-- nothing.
CREATE TABLE deliveries (
    id                bigserial   PRIMARY KEY,
    district          text        NOT NULL,
    webhook           text        NOT NULL,
    event_id          text        NOT NULL,
    event_type        text        NOT NULL,
    -- The changed resource's name: a resource's deliveries go in order.
    subject           text        NOT NULL,
    -- The event's place in the stream, which orders a resource's events.
    seq               bigint      NOT NULL,
    -- The CloudEvent as it is POSTed.
    body              bytea       NOT NULL,
    state             text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts          integer     NOT NULL DEFAULT 0,
    next_attempt_time timestamptz NOT NULL DEFAULT now(),
    last_status       integer     NOT NULL DEFAULT 0,
    last_error        text        NOT NULL DEFAULT '',
    create_time       timestamptz NOT NULL DEFAULT now(),
    deliver_time      timestamptz,
    UNIQUE (district, webhook, event_id),
    FOREIGN KEY (district, webhook) REFERENCES webhooks ON DELETE CASCADE
);

-- What the workers look for: pending deliveries by due time, and a
-- resource's earlier ones.
CREATE INDEX deliveries_due ON deliveries (next_attempt_time) WHERE state = 'pending';
CREATE INDEX deliveries_resource ON deliveries (district, webhook, subject, seq) WHERE state = 'pending';

-- Deliveries given up on after every attempt failed.
CREATE TABLE dead_letters (
    id             bigserial   PRIMARY KEY,
    delivery       bigint      NOT NULL REFERENCES deliveries ON DELETE CASCADE,
    district       text        NOT NULL,
    webhook        text        NOT NULL,
    attempts       integer     NOT NULL,
    last_status    integer     NOT NULL,
    last_error     text        NOT NULL,
    create_time    timestamptz NOT NULL DEFAULT now(),
    redeliver_time timestamptz,
    FOREIGN KEY (district, webhook) REFERENCES webhooks ON DELETE CASCADE
);
CREATE INDEX dead_letters_webhook ON dead_letters (district, webhook, id);
