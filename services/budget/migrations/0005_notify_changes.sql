-- +goose Up
-- Every statement that writes a table the service's reports are computed
-- from notifies budget_changes at its commit (once a transaction: PostgreSQL
-- folds equal notifications), so each replica's report caches
-- (pkg/pgchange) forget what another process changed.
-- +goose StatementBegin
CREATE FUNCTION notify_change() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_notify('budget_changes', '');
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER plans_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plans
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER lines_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON lines
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
