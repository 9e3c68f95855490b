-- +goose Up
-- A plan's update_time is set by the database on every change of its row,
-- whichever statement made it, so a poller of ListBudgets (`update_time >
-- "…"`) sees every budget change: a change of its lines alone writes the
-- plan's row too (its revision), in the same transaction.
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

CREATE TRIGGER plans_update_time BEFORE UPDATE ON plans
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
