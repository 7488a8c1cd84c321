-- Fencing for posts: `claim_seq` grows at every claim and never goes back, so a worker can only
-- write the outcome of its own claim; `retries` counts every reschedule (even those that give the
-- attempt back) to bound and space retries; `lookups` counts looks at X for an unknown outcome.
ALTER TABLE posts ADD COLUMN claim_seq integer NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN retries integer NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN lookups integer NOT NULL DEFAULT 0;
CREATE INDEX posts_x_post_id ON posts (x_post_id) WHERE x_post_id IS NOT NULL;
