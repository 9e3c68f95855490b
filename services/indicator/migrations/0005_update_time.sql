-- +goose Up
-- An indicator's update_time is set by the database on every change of its
-- row, whichever statement made it, so a poller of ListIndicators
-- (`update_time > "…"`) sees every change: a change of its yearly entries
-- alone writes the indicator's row too (its revision), in the same
-- transaction.
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

CREATE TRIGGER indicators_update_time BEFORE UPDATE ON indicators
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
