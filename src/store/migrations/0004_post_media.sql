-- Images attached to posts (at most 4), uploaded to X when the post is published: X's media ids
-- expire after 24 hours, so the bytes wait here, not an id.
CREATE TABLE post_media (
  post_id       uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  position      smallint NOT NULL CHECK (position BETWEEN 0 AND 3),
  content_type  text NOT NULL,
  data          bytea NOT NULL,
  PRIMARY KEY (post_id, position)
);
ALTER TABLE posts ADD COLUMN media_count smallint NOT NULL DEFAULT 0;
