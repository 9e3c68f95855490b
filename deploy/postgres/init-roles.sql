-- Readies the database gongyak for the services as `gongyak run` does for
-- its own cluster (pkg/dbrole): one role per service, gongyak_<service>,
-- which may log in and nothing more, owns its service's schema and nothing
-- else; each service then migrates its schema as its role. Run by psql as
-- the superuser on every start of the compose stack (the db-init service),
-- so it is safe to run again: it creates what is missing and sets the
-- passwords again, which is how a role's password is changed.
--
-- Each role's password comes from the environment, GONGYAK_<SERVICE>_DB_PASSWORD
-- (not the command line, which any process could read).
\set ON_ERROR_STOP on
\getenv pledge GONGYAK_PLEDGE_DB_PASSWORD
\getenv budget GONGYAK_BUDGET_DB_PASSWORD
\getenv indicator GONGYAK_INDICATOR_DB_PASSWORD
\getenv participation GONGYAK_PARTICIPATION_DB_PASSWORD
\getenv events GONGYAK_EVENTS_DB_PASSWORD

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

SELECT format('CREATE ROLE %I', r) FROM unnest(ARRAY['gongyak_pledge', 'gongyak_budget',
  'gongyak_indicator', 'gongyak_participation', 'gongyak_events']) AS r
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec

-- The password is hashed by the server (password_encryption is
-- scram-sha-256); psql quotes it as a literal.
ALTER ROLE gongyak_pledge WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'pledge';
ALTER ROLE gongyak_budget WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'budget';
ALTER ROLE gongyak_indicator WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'indicator';
ALTER ROLE gongyak_participation WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'participation';
ALTER ROLE gongyak_events WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'events';

SELECT format('GRANT CONNECT ON DATABASE %I TO gongyak_pledge, gongyak_budget, gongyak_indicator, gongyak_participation, gongyak_events',
  current_database()) \gexec

CREATE SCHEMA IF NOT EXISTS pledge AUTHORIZATION gongyak_pledge;
CREATE SCHEMA IF NOT EXISTS budget AUTHORIZATION gongyak_budget;
CREATE SCHEMA IF NOT EXISTS indicator AUTHORIZATION gongyak_indicator;
CREATE SCHEMA IF NOT EXISTS participation AUTHORIZATION gongyak_participation;
CREATE SCHEMA IF NOT EXISTS events AUTHORIZATION gongyak_events;
