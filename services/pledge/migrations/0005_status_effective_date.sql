-- +goose Up
-- The day a status change took effect: given when a change is recorded
-- late (a back-filled or imported history), otherwise the day it was made
-- in Korea. Reports read statuses as they stood on a day by it.
ALTER TABLE status_changes ADD COLUMN effective_date date;
UPDATE status_changes SET effective_date = (change_time AT TIME ZONE 'Asia/Seoul')::date;
ALTER TABLE status_changes
    ALTER COLUMN effective_date SET DEFAULT ((now() AT TIME ZONE 'Asia/Seoul')::date),
    ALTER COLUMN effective_date SET NOT NULL;
CREATE INDEX status_changes_by_effective_date ON status_changes (district_id, effective_date);
