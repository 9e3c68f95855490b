-- +goose Up
-- Every record a List returns carries update_time, set by the database on
-- every change, so a poller's `update_time > "…"` filter misses no write
-- whichever statement made it. Ballots and responses had none (their
-- cast and submit times may be back-dated by a registrar): theirs is when
-- they were written here; those written before this migration get its
-- time, so a poller sees them once rather than never.
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

ALTER TABLE ballots ADD COLUMN update_time timestamptz NOT NULL DEFAULT now();
ALTER TABLE responses ADD COLUMN update_time timestamptz NOT NULL DEFAULT now();

CREATE TRIGGER programs_update_time BEFORE UPDATE ON programs
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
CREATE TRIGGER members_update_time BEFORE UPDATE ON members
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
CREATE TRIGGER submissions_update_time BEFORE UPDATE ON submissions
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
CREATE TRIGGER entries_update_time BEFORE UPDATE ON entries
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
CREATE TRIGGER questions_update_time BEFORE UPDATE ON questions
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
CREATE TRIGGER ballots_update_time BEFORE UPDATE ON ballots
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
CREATE TRIGGER responses_update_time BEFORE UPDATE ON responses
    FOR EACH ROW EXECUTE FUNCTION touch_update_time();
