-- +goose Up
-- The outbox (pkg/outbox): each change's event, written in the change's
-- own transaction, which the service's relay publishes to NATS JetStream
-- and marks sent; sent rows are deleted a day later.
CREATE TABLE outbox (
    seq         bigserial PRIMARY KEY,
    id          uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    time        timestamptz NOT NULL DEFAULT now(),
    district_id text NOT NULL,
    action      text NOT NULL,
    resource    text NOT NULL,
    data        jsonb NOT NULL,
    sent_time   timestamptz
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_time IS NULL;
CREATE INDEX outbox_unsent_by_resource ON outbox (resource, seq) WHERE sent_time IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_time) WHERE sent_time IS NOT NULL;
-- +goose StatementBegin
CREATE FUNCTION outbox_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- The relay listens on <schema>_outbox, woken at each commit that wrote
-- events.
CREATE TRIGGER outbox_written AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_written();
