-- Security review fixes (properties 38–39).

-- An authorization started in a browser is bound to it: the SHA-256 of a random nonce that
-- only that browser's cookie holds (never in a URL), and the mode it was started in. NULL for
-- authorizations started outside a browser (`rotor accounts connect`).
ALTER TABLE oauth_transactions ADD COLUMN mode text CHECK (mode IN ('signin', 'connect', 'cookie'));
ALTER TABLE oauth_transactions ADD COLUMN browser_hash text;

-- Sessions end after a time without use (the idle timeout) as well as at `expires_at`; the list
-- in Settings shows when and from what browser each one was used.
ALTER TABLE web_sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE web_sessions ADD COLUMN user_agent text;

-- Cookie mode: a browser's sealed token set that was forgotten is refused until it would have
-- expired anyway (`id_hash`: SHA-256 of the random id sealed inside it).
CREATE TABLE cookie_sessions_forgotten (
  id_hash     text PRIMARY KEY,
  expires_at  timestamptz NOT NULL
);

-- Rate limits shared by every process serving the web app (fixed windows).
CREATE TABLE rate_limit_windows (
  bucket      text PRIMARY KEY,
  hits        integer NOT NULL,
  resets_at   timestamptz NOT NULL
);
