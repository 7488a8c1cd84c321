-- Backups, moves and copies (docs/backups-and-moves.md). One row: this installation's identity,
-- where it is live (`home`: a fingerprint of the database server and name, or of the PGlite
-- folder; set on first open, moved only by `rotor vault claim`), and the fence `rotor vault
-- export` puts up (`fenced_at`): a fenced or copied database hands out tokens but never refreshes.
CREATE TABLE rotor_installation (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  home          text,
  fenced_at     timestamptz,
  fenced_note   text,
  claimed_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO rotor_installation (singleton) VALUES (true);

-- A new reason an account needs its user: its database was restored from a backup older than its
-- last refresh, and the newer pair was not kept where Rotor could bring it back.
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_reason_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_reason_check
  CHECK (reason IN ('expired', 'revoked', 'reused', 'lost_response', 'restored', 'unknown'));
