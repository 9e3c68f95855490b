-- +goose Up
-- Every statement that writes districts or terms also notifies
-- pledge_district_changes at its commit, so each replica's cache of
-- districts and their terms (postgres.Store.CacheDistricts) forgets what
-- another process changed, and only then: pledge_changes, which a pledge's
-- every write notifies too, would empty it at each edit of any pledge.
-- +goose StatementBegin
CREATE FUNCTION notify_district_change() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_notify('pledge_district_changes', '');
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER districts_changed_for_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON districts
    FOR EACH STATEMENT EXECUTE FUNCTION notify_district_change();
CREATE TRIGGER terms_changed_for_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON terms
    FOR EACH STATEMENT EXECUTE FUNCTION notify_district_change();
