-- +goose Up
-- The summaries join every entry to its indicator. PostgreSQL guesses the
-- number of distinct indicators from each key column alone (a few hundred
-- districts, pledge and indicator ids repeated in each), expects most
-- indicators' entries to be found again in a cache, and joins by looking
-- each indicator's entries up by index: at a few hundred thousand entries
-- that costs seconds where hashing the indicators costs a tenth of one.
-- These statistics tell it that every key is distinct. They are gathered
-- by ANALYZE, so the migration runs one rather than wait for autovacuum.
CREATE STATISTICS indicators_key_distinct (ndistinct) ON district_id, pledge_id, id FROM indicators;
ANALYZE indicators;
