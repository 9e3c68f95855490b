-- +goose Up
-- Every row a List returns carries update_time, set by the database on
-- every change, so a poller's `update_time > "…"` filter misses no write
-- whichever statement made it. Status changes and API keys had none:
-- theirs start from what they record (the change, the revocation).
-- +goose StatementBegin
CREATE FUNCTION touch_update_time() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    -- A bulk import writes rows as they were, times included (it sets
    -- gongyak.restoring for its transaction): what it wrote stays.
    IF current_setting('gongyak.restoring', true) = 'on' THEN
        RETURN NEW;
    END IF;
    NEW.update_time := now();
    RETURN NEW;
END $$;
-- +goose StatementEnd

ALTER TABLE status_changes ADD COLUMN update_time timestamptz;
UPDATE status_changes SET update_time = change_time;
ALTER TABLE status_changes ALTER COLUMN update_time SET DEFAULT now(), ALTER COLUMN update_time SET NOT NULL;

ALTER TABLE api_keys ADD COLUMN update_time timestamptz;
UPDATE api_keys SET update_time = coalesce(revoke_time, create_time);
ALTER TABLE api_keys ALTER COLUMN update_time SET DEFAULT now(), ALTER COLUMN update_time SET NOT NULL;

CREATE TRIGGER districts_update_time BEFORE UPDATE ON districts
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
CREATE TRIGGER departments_update_time BEFORE UPDATE ON departments
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
CREATE TRIGGER pledges_update_time BEFORE UPDATE ON pledges
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
CREATE TRIGGER status_changes_update_time BEFORE UPDATE ON status_changes
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
CREATE TRIGGER api_keys_update_time BEFORE UPDATE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
