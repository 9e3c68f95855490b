-- +goose Up
-- The participation service's tables, in its own schema. Citizens' names,
-- phones and e-mails are stored as given and masked when read by anyone
-- without the right to see them. Voters and respondents are kept only as
-- keyed hashes of the identifier the caller verified.

CREATE TABLE programs (
    district_id text NOT NULL,
    id text NOT NULL,
    term integer NOT NULL,
    kind smallint NOT NULL,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    status smallint NOT NULL DEFAULT 0,
    start_date date,
    end_date date,
    pledges text[] NOT NULL DEFAULT '{}',
    declared_members integer NOT NULL DEFAULT 0,
    declared_applications integer NOT NULL DEFAULT 0,
    declared_selected integer NOT NULL DEFAULT 0,
    declared_participants integer NOT NULL DEFAULT 0,
    submission_open timestamptz,
    submission_close timestamptz,
    voting_open timestamptz,
    voting_close timestamptz,
    response_open timestamptz,
    response_close timestamptz,
    ballot_scale_max integer NOT NULL DEFAULT 10,
    citizen_weight integer NOT NULL DEFAULT 50,
    panel_weight integer NOT NULL DEFAULT 50,
    revision bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, id)
);

CREATE TABLE members (
    district_id text NOT NULL,
    program_id text NOT NULL,
    id text NOT NULL,
    person_name text NOT NULL,
    person_phone text NOT NULL DEFAULT '',
    person_email text NOT NULL DEFAULT '',
    role smallint NOT NULL,
    affiliation text NOT NULL DEFAULT '',
    join_date date,
    leave_date date,
    revision bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, program_id, id),
    FOREIGN KEY (district_id, program_id) REFERENCES programs ON DELETE CASCADE
);

CREATE TABLE submissions (
    district_id text NOT NULL,
    program_id text NOT NULL,
    id text NOT NULL,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    proposer_name text NOT NULL DEFAULT '',
    proposer_phone text NOT NULL DEFAULT '',
    proposer_email text NOT NULL DEFAULT '',
    receive_time timestamptz NOT NULL,
    scores jsonb NOT NULL DEFAULT '[]',
    selected boolean NOT NULL DEFAULT false,
    award text NOT NULL DEFAULT '',
    award_rank integer NOT NULL DEFAULT 0,
    revision bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, program_id, id),
    FOREIGN KEY (district_id, program_id) REFERENCES programs ON DELETE CASCADE
);

CREATE TABLE entries (
    district_id text NOT NULL,
    program_id text NOT NULL,
    id text NOT NULL,
    position integer NOT NULL,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    panel_score numeric CHECK (panel_score BETWEEN 0 AND 100),
    revision bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, program_id, id),
    FOREIGN KEY (district_id, program_id) REFERENCES programs ON DELETE CASCADE
);

CREATE TABLE ballots (
    district_id text NOT NULL,
    program_id text NOT NULL,
    id text NOT NULL,
    citizen_hash bytea NOT NULL,
    cast_time timestamptz NOT NULL,
    PRIMARY KEY (district_id, program_id, id),
    -- One ballot per citizen per evaluation, however many arrive at once.
    CONSTRAINT ballots_one_per_citizen UNIQUE (district_id, program_id, citizen_hash),
    FOREIGN KEY (district_id, program_id) REFERENCES programs ON DELETE CASCADE
);

CREATE TABLE ballot_scores (
    district_id text NOT NULL,
    program_id text NOT NULL,
    ballot_id text NOT NULL,
    entry_id text NOT NULL,
    score integer NOT NULL CHECK (score >= 1),
    PRIMARY KEY (district_id, program_id, ballot_id, entry_id),
    FOREIGN KEY (district_id, program_id, ballot_id) REFERENCES ballots ON DELETE CASCADE,
    FOREIGN KEY (district_id, program_id, entry_id) REFERENCES entries
);

CREATE TABLE questions (
    district_id text NOT NULL,
    program_id text NOT NULL,
    id text NOT NULL,
    position integer NOT NULL,
    text text NOT NULL,
    kind smallint NOT NULL,
    options text[] NOT NULL DEFAULT '{}',
    scale_min integer NOT NULL DEFAULT 0,
    scale_max integer NOT NULL DEFAULT 0,
    required boolean NOT NULL DEFAULT false,
    revision bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, program_id, id),
    FOREIGN KEY (district_id, program_id) REFERENCES programs ON DELETE CASCADE
);

CREATE TABLE responses (
    district_id text NOT NULL,
    program_id text NOT NULL,
    id text NOT NULL,
    citizen_hash bytea,
    submit_time timestamptz NOT NULL,
    PRIMARY KEY (district_id, program_id, id),
    FOREIGN KEY (district_id, program_id) REFERENCES programs ON DELETE CASCADE
);
CREATE UNIQUE INDEX responses_one_per_citizen ON responses (district_id, program_id, citizen_hash)
    WHERE citizen_hash IS NOT NULL;

CREATE TABLE answers (
    district_id text NOT NULL,
    program_id text NOT NULL,
    response_id text NOT NULL,
    question_id text NOT NULL,
    scale_value integer,
    choices integer[] NOT NULL DEFAULT '{}',
    text text NOT NULL DEFAULT '',
    PRIMARY KEY (district_id, program_id, response_id, question_id),
    FOREIGN KEY (district_id, program_id, response_id) REFERENCES responses ON DELETE CASCADE,
    FOREIGN KEY (district_id, program_id, question_id) REFERENCES questions
);

CREATE INDEX programs_term_kind_idx ON programs (term, kind, district_id);

CREATE TABLE request_ids (
    method text NOT NULL,
    request_id text NOT NULL,
    fingerprint bytea NOT NULL,
    result bytea NOT NULL DEFAULT '',
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (method, request_id)
);
