-- +goose Up
-- The budget service's tables, in its own schema. Totals are never
-- stored: they are summed from the lines when read, so they cannot disagree.

CREATE TABLE plans (
    district_id text NOT NULL,
    pledge_id text NOT NULL,
    -- The pledge's term, copied when the plan is written (a pledge never
    -- changes term), so reports can group by term without asking.
    term integer NOT NULL,
    as_of_date date,
    revision bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, pledge_id)
);

CREATE TABLE lines (
    district_id text NOT NULL,
    pledge_id text NOT NULL,
    source smallint NOT NULL CHECK (source BETWEEN 1 AND 4),
    year integer NOT NULL,
    position integer NOT NULL,
    source_label text NOT NULL,
    planned_won bigint NOT NULL CHECK (planned_won >= 0),
    secured_won bigint NOT NULL CHECK (secured_won >= 0),
    executed_won bigint NOT NULL CHECK (executed_won >= 0),
    carry_over boolean NOT NULL DEFAULT false,
    note text NOT NULL DEFAULT '',
    PRIMARY KEY (district_id, pledge_id, source, year),
    FOREIGN KEY (district_id, pledge_id) REFERENCES plans ON DELETE CASCADE,
    CHECK (carry_over OR executed_won <= secured_won)
);

CREATE INDEX lines_year_source_idx ON lines (year, source);
CREATE INDEX plans_term_idx ON plans (term, district_id);
