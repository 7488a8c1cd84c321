-- Threads (property 40): one post row per part. Every part carries the first part's id as
-- `thread_id` and its place as `thread_part` (0 = the first part, whose row stands for the
-- thread). A later part `waiting` has no time of its own: publishing the part before it releases
-- it (scheduled now, replying to that part's X id) in the same statement, so no part can go out
-- before the one it follows, and a part that fails for good ends the ones after it (cancelled).
ALTER TABLE posts ADD COLUMN thread_id uuid REFERENCES posts (id) ON DELETE CASCADE;
ALTER TABLE posts ADD COLUMN thread_part smallint;
ALTER TABLE posts ADD CONSTRAINT posts_thread_whole CHECK ((thread_id IS NULL) = (thread_part IS NULL));
CREATE UNIQUE INDEX posts_thread_parts ON posts (thread_id, thread_part) WHERE thread_id IS NOT NULL;

ALTER TABLE posts DROP CONSTRAINT posts_status_check;
ALTER TABLE posts ADD CONSTRAINT posts_status_check CHECK (status IN
  ('draft', 'queued', 'scheduled', 'publishing', 'published', 'failed', 'blocked', 'unknown', 'cancelled', 'waiting'));
