-- How many times the refresh token of version `sent_version` went out with no answer known.
-- The vault sends one refresh token at most twice in all (the first send and one retry after an
-- unknown outcome); the count lives here so that every process, the sender included, sees it.
ALTER TABLE token_sets ADD COLUMN sent_count integer NOT NULL DEFAULT 0;
