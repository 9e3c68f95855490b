-- +goose Up
-- A search word is found in search_text wherever it is, whatever its case
-- (what ILIKE '%word%' finds), which the trigram index (pledges_search_idx)
-- cannot serve for a word of one or two characters, as most Korean words
-- are (돌봄, 숲): it has no trigram to look up, so PostgreSQL reads every
-- pledge. search_grams serves them: it holds every piece of one and of two
-- characters (gram) of the lower-cased search_text, and a word can only be
-- in a pledge holding every gram of the lower-cased word. So its index
-- narrows the pledges to those, and the word, still looked for in each,
-- keeps the answer exactly what it was (postgres.ListPledges).

-- search_grams_of is every distinct piece of one and of two characters of s.
-- +goose StatementBegin
CREATE FUNCTION search_grams_of(s text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(s, i, n)), '{}')
    FROM generate_series(1, 2) n, generate_series(1, length(s) - n + 1) i
$$;
-- +goose StatementEnd

-- search_word_grams is what a word is looked up by: its pieces of two
-- characters, fewer and rarer than its single characters, or the word
-- itself when it is one character.
-- +goose StatementBegin
CREATE FUNCTION search_word_grams(word text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN length(word) < 2 THEN ARRAY[word]
        ELSE ARRAY(SELECT DISTINCT substr(word, i, 2) FROM generate_series(1, length(word) - 1) i) END
$$;
-- +goose StatementEnd

-- Stored, not an index over the expression: PostgreSQL checks again, on
-- each pledge the index finds, the whole condition the index served, and
-- computing the grams of a pledge costs more than ILIKE over every pledge.
-- A generated column cannot read another (search_text), so this repeats
-- search_text's expression.
ALTER TABLE pledges ADD COLUMN search_grams text[]
    GENERATED ALWAYS AS (search_grams_of(lower(title || ' ' || code || ' ' || final_goal))) STORED;
-- Without fastupdate: a GIN index otherwise keeps what was written since
-- the last vacuum in a list every search reads whole, which after a
-- district enters its pledges made each search slower than reading the
-- table. Pledges are read far more often than written. The trigram index
-- that serves word similarity likewise, its list merged now.
CREATE INDEX pledges_search_grams_idx ON pledges USING gin (search_grams) WITH (fastupdate = off);
ALTER INDEX pledges_search_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('pledges_search_idx');
