-- Cookie mode: parallel requests from one browser carry the same refresh token. The first to
-- claim a receipt refreshes; the others wait for its result here. A receipt is keyed by a hash
-- of the spent refresh token, holds the new pair sealed with a key derived from that token (so
-- only its holders can open it), and is kept for a minute.
CREATE TABLE rotation_receipts (
  refresh_hash  text PRIMARY KEY,
  owner         text NOT NULL,
  lease_until   timestamptz NOT NULL,
  result_ct     text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rotation_receipts_created_at ON rotation_receipts (created_at);
