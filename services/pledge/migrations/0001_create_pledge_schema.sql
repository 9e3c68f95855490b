-- +goose Up
-- The pledge service's tables, in its own schema (the migrator sets the
-- search_path). Card sections that are read and written whole live in
-- jsonb; what lists filter and sort on has its own column.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE districts (
    id text PRIMARY KEY,
    display_name text NOT NULL,
    kind smallint NOT NULL,
    metropolitan_government text NOT NULL DEFAULT '',
    region_code text NOT NULL DEFAULT '',
    current_term integer NOT NULL DEFAULT 0,
    revision bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE terms (
    district_id text NOT NULL REFERENCES districts (id),
    number integer NOT NULL,
    display_name text NOT NULL,
    start_date date NOT NULL,
    end_date date NOT NULL,
    head_of_government text NOT NULL DEFAULT '',
    PRIMARY KEY (district_id, number),
    CHECK (start_date < end_date)
);

CREATE TABLE departments (
    district_id text NOT NULL REFERENCES districts (id),
    id text NOT NULL,
    display_name text NOT NULL,
    teams text[] NOT NULL DEFAULT '{}',
    phone text NOT NULL DEFAULT '',
    revision bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, id),
    CONSTRAINT departments_display_name_key UNIQUE (district_id, display_name)
);

CREATE TABLE pledges (
    district_id text NOT NULL,
    id text NOT NULL,
    term integer NOT NULL,
    code text NOT NULL DEFAULT '',
    title text NOT NULL,
    project_type smallint NOT NULL DEFAULT 0,
    implementing_levels smallint[] NOT NULL DEFAULT '{}',
    completion_timing smallint NOT NULL DEFAULT 0,
    owning_department text,
    owning_team text NOT NULL DEFAULT '',
    related_departments text[] NOT NULL DEFAULT '{}',
    all_departments_related boolean NOT NULL DEFAULT false,
    contacts jsonb NOT NULL DEFAULT '[]',
    required_budget jsonb NOT NULL DEFAULT '{}',
    status smallint NOT NULL,
    status_change_time timestamptz NOT NULL DEFAULT now(),
    background jsonb NOT NULL DEFAULT '[]',
    overview jsonb NOT NULL DEFAULT '{}',
    final_goal text NOT NULL DEFAULT '',
    yearly_goals jsonb NOT NULL DEFAULT '[]',
    progress_log jsonb NOT NULL DEFAULT '[]',
    future_plans jsonb NOT NULL DEFAULT '[]',
    risks jsonb NOT NULL DEFAULT '[]',
    photos jsonb NOT NULL DEFAULT '[]',
    revision bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    delete_time timestamptz,
    -- What free-text search reads: the title, the code and the final goal.
    search_text text GENERATED ALWAYS AS (title || ' ' || code || ' ' || final_goal) STORED,
    PRIMARY KEY (district_id, id),
    FOREIGN KEY (district_id, term) REFERENCES terms (district_id, number),
    FOREIGN KEY (district_id, owning_department) REFERENCES departments (district_id, id)
);

-- A pledge is identified within its district and term by its code, or by
-- its exact title when it has none (DESIGN.md). Deleted pledges step aside.
CREATE UNIQUE INDEX pledges_code_key ON pledges (district_id, term, code)
    WHERE code <> '' AND delete_time IS NULL;
CREATE UNIQUE INDEX pledges_title_key ON pledges (district_id, term, title)
    WHERE code = '' AND delete_time IS NULL;

CREATE INDEX pledges_list_idx ON pledges (district_id, create_time, id);
CREATE INDEX pledges_status_idx ON pledges (district_id, term, status);
CREATE INDEX pledges_search_idx ON pledges USING gin (search_text gin_trgm_ops);

CREATE TABLE status_changes (
    district_id text NOT NULL,
    pledge_id text NOT NULL,
    number bigint NOT NULL,
    previous_status smallint NOT NULL,
    status smallint NOT NULL,
    reason text NOT NULL,
    actor text NOT NULL,
    change_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, pledge_id, number),
    FOREIGN KEY (district_id, pledge_id) REFERENCES pledges (district_id, id)
);

-- Retried writes replay their first result (AIP-155); see pkg/idempotency.
CREATE TABLE request_ids (
    method text NOT NULL,
    request_id text NOT NULL,
    fingerprint bytea NOT NULL,
    result bytea NOT NULL DEFAULT '',
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (method, request_id)
);
