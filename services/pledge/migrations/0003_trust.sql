-- +goose Up
-- Trust: published terms, API keys, and the audit log.

-- A term a district admin marks public publishes its pledges: readable,
-- masked, without signing in.
ALTER TABLE terms ADD COLUMN public boolean NOT NULL DEFAULT false;

-- API keys of other systems: a district's (district_id set) or
-- cross-district ones (district_id empty). Only a hash of the secret is
-- kept.
CREATE TABLE api_keys (
    id text PRIMARY KEY,
    district_id text NOT NULL DEFAULT '',
    display_name text NOT NULL,
    scopes text[] NOT NULL,
    secret_sha256 bytea NOT NULL,
    expire_time timestamptz,
    revoke_time timestamptz,
    creator text NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_by_district ON api_keys (district_id, create_time DESC, id);

-- The audit log (pkg/audit): every change, written in its transaction,
-- and every unmasked read of personal data; never changed or deleted.
CREATE TABLE audit_events (
    id             bigserial PRIMARY KEY,
    time           timestamptz NOT NULL DEFAULT now(),
    district_id    text NOT NULL,
    actor          text NOT NULL,
    action         text NOT NULL,
    resource       text NOT NULL,
    before         jsonb,
    after          jsonb,
    request_id     text NOT NULL DEFAULT '',
    client_address text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_by_district ON audit_events (district_id, time, id);
-- +goose StatementBegin
CREATE FUNCTION audit_events_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events cannot be changed or deleted';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_are_kept BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_are_kept();
