-- +goose Up
-- The audit log (pkg/audit): every change of this service's data, written
-- in the change's own transaction; never changed or deleted.
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
