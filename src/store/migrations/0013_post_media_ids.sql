-- X's id for each uploaded media of a post, kept so that a retry of the publish attaches the same
-- media instead of uploading it again (at most one upload per media while the id lives). X's ids
-- expire (`expires_after_secs`, 24 hours): past that, the bytes are uploaded again.
ALTER TABLE post_media ADD COLUMN x_media_id text;
ALTER TABLE post_media ADD COLUMN x_media_expires_at timestamptz;
