-- The web app: signed-in sessions, API keys with permissions, the audit log of access tokens
-- handed out by the token broker, each user's language and time zone, and cancelled posts.

-- A session is known by the SHA-256 of its cookie value; `csrf` is the secret its forms carry.
CREATE TABLE web_sessions (
  id_hash       text PRIMARY KEY,
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- An API key is shown once; only its SHA-256 is kept. `prefix` lets its owner recognise it.
CREATE TABLE api_keys (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          text NOT NULL,
  prefix        text NOT NULL,
  hash          text NOT NULL UNIQUE,
  permissions   text[] NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_keys_owner ON api_keys (owner_id);

-- Every access token the broker hands out (never the token itself).
CREATE TABLE token_handouts (
  id            bigserial PRIMARY KEY,
  api_key_id    uuid REFERENCES api_keys (id) ON DELETE SET NULL,
  owner_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  account_id    uuid NOT NULL,
  username      text NOT NULL,
  expires_at    timestamptz NOT NULL,
  at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX token_handouts_owner ON token_handouts (owner_id, at);

ALTER TABLE users ADD COLUMN locale text CHECK (locale IN ('en', 'ja'));
ALTER TABLE users ADD COLUMN time_zone text;

ALTER TABLE posts DROP CONSTRAINT posts_status_check;
ALTER TABLE posts ADD CONSTRAINT posts_status_check CHECK (status IN
  ('draft', 'queued', 'scheduled', 'publishing', 'published', 'failed', 'blocked', 'unknown', 'cancelled'));
