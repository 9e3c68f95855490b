-- +goose Up
-- sum_bigint adds bigints into a bigint (NULL over no rows, an error past
-- the bigint range, as sum(...)::bigint would give). The summaries sum
-- each plan's lines first: sum(bigint) keeps a 128-bit state per group in
-- memory of its own, so PostgreSQL would sort the lines to add them up
-- rather than hash tens of thousands of plans; this one's state is the
-- bigint itself. Won amounts are never negative, so a plan's sum
-- overflows only where its group's would.
CREATE AGGREGATE sum_bigint(bigint) (
    SFUNC = int8pl,
    STYPE = bigint,
    COMBINEFUNC = int8pl,
    PARALLEL = SAFE
);
