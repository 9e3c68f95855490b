-- +goose Up
-- The indicator service's tables, in its own schema. Quantitative values
-- are numeric, never floating point. How far an entry is achieved is
-- computed by the functions below, in one place, for single indicators and
-- for reports alike.

CREATE TABLE indicators (
    district_id text NOT NULL,
    pledge_id text NOT NULL,
    id text NOT NULL,
    -- The pledge's term, copied on write (a pledge never changes term).
    term integer NOT NULL,
    position integer NOT NULL,
    title text NOT NULL,
    kind smallint NOT NULL CHECK (kind IN (1, 2)),
    direction smallint NOT NULL DEFAULT 0,
    unit text NOT NULL DEFAULT '',
    baseline_number numeric,
    baseline_text text NOT NULL DEFAULT '',
    revision bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, pledge_id, id)
);

CREATE TABLE entries (
    district_id text NOT NULL,
    pledge_id text NOT NULL,
    indicator_id text NOT NULL,
    year integer NOT NULL,
    target_number numeric CHECK (target_number >= 0),
    target_text text NOT NULL DEFAULT '',
    actual_number numeric CHECK (actual_number >= 0),
    actual_text text NOT NULL DEFAULT '',
    assessment smallint NOT NULL DEFAULT 0,
    unit text NOT NULL DEFAULT '',
    note text NOT NULL DEFAULT '',
    evidence text NOT NULL DEFAULT '',
    PRIMARY KEY (district_id, pledge_id, indicator_id, year),
    FOREIGN KEY (district_id, pledge_id, indicator_id) REFERENCES indicators ON DELETE CASCADE
);

CREATE INDEX indicators_term_idx ON indicators (term, district_id);

-- entry_state says whether a year is measured (1), has no data (2) or is
-- not yet due (3); current_year is the year it is now.
-- +goose StatementBegin
CREATE FUNCTION entry_state(kind smallint, target_number numeric, actual_number numeric,
                            assessment smallint, year integer, current_year integer)
RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN kind = 1 THEN CASE
            WHEN actual_number IS NOT NULL AND target_number IS NOT NULL THEN 1
            WHEN actual_number IS NOT NULL THEN 2
            WHEN year < current_year THEN 2
            ELSE 3 END
        ELSE CASE
            WHEN assessment IN (1, 2, 3) THEN 1
            WHEN assessment = 4 THEN 3
            WHEN year < current_year THEN 2
            ELSE 3 END
    END::smallint
$$;
-- +goose StatementEnd

-- entry_achievement is how far a measured year met its target, 0 to 100,
-- unrounded; NULL when the year is not measured. Quantitative, higher is
-- better: min(actual / target, 1) × 100, 100 for a target of 0. Lower is
-- better: min(target / actual, 1) × 100, 100 for an actual of 0.
-- Qualitative: achieved 100, partly 50, not achieved 0.
-- +goose StatementBegin
CREATE FUNCTION entry_achievement(kind smallint, direction smallint, target_number numeric,
                                  actual_number numeric, assessment smallint)
RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN kind = 1 AND target_number IS NOT NULL AND actual_number IS NOT NULL THEN
            CASE WHEN direction = 2 THEN
                CASE WHEN actual_number = 0 THEN 100 ELSE least(target_number * 100 / actual_number, 100) END
            ELSE
                CASE WHEN target_number = 0 THEN 100 ELSE least(actual_number * 100 / target_number, 100) END
            END
        WHEN kind = 2 THEN CASE assessment WHEN 1 THEN 100 WHEN 2 THEN 50 WHEN 3 THEN 0 END
    END
$$;
-- +goose StatementEnd

-- entry_results is every entry with its state and achievement as of
-- current_year, and whether its actual is missing.
-- +goose StatementBegin
CREATE FUNCTION entry_results(current_year integer)
RETURNS TABLE (district_id text, pledge_id text, indicator_id text, term integer, year integer,
               state smallint, achievement numeric, missing_actual boolean)
LANGUAGE sql STABLE AS $$
    SELECT e.district_id, e.pledge_id, e.indicator_id, i.term, e.year,
        entry_state(i.kind, e.target_number, e.actual_number, e.assessment, e.year, current_year),
        entry_achievement(i.kind, i.direction, e.target_number, e.actual_number, e.assessment),
        CASE WHEN i.kind = 1 THEN e.actual_number IS NULL ELSE e.actual_text = '' END
    FROM entries e JOIN indicators i ON i.district_id = e.district_id AND i.pledge_id = e.pledge_id AND i.id = e.indicator_id
$$;
-- +goose StatementEnd

CREATE TABLE request_ids (
    method text NOT NULL,
    request_id text NOT NULL,
    fingerprint bytea NOT NULL,
    result bytea NOT NULL DEFAULT '',
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (method, request_id)
);
