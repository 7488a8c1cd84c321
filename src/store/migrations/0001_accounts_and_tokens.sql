-- Users (people signed in to Rotor, known by their X login), the X accounts they connect,
-- each account's encrypted token set with its refresh lease, and pending authorizations.

CREATE TABLE users (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider    text NOT NULL,
  subject     text NOT NULL,
  username    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, subject)
);

CREATE TABLE accounts (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider      text NOT NULL,
  subject       text NOT NULL,
  username      text NOT NULL,
  display_name  text,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'reauth_required')),
  reason        text CHECK (reason IN ('expired', 'revoked', 'reused', 'lost_response', 'unknown')),
  consented_at  timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, subject)
);

-- One row per account. `version` grows by one at every stored rotation (compare-and-swap);
-- `lease_owner`/`lease_until` is the refresh lease; `sent_version` records that the refresh
-- token of that version was sent and its answer is not known (a refresh in doubt).
CREATE TABLE token_sets (
  account_id         uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  version            integer NOT NULL DEFAULT 1,
  access_ct          text NOT NULL,
  refresh_ct         text,
  key_id             text NOT NULL,
  access_expires_at  timestamptz NOT NULL,
  scope              text NOT NULL,
  lease_owner        text,
  lease_until        timestamptz,
  sent_version       integer,
  reuse_suspected    boolean NOT NULL DEFAULT false,
  refreshed_at       timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE oauth_transactions (
  state_hash    text PRIMARY KEY,
  verifier_ct   text NOT NULL,
  redirect_uri  text NOT NULL,
  provider      text NOT NULL,
  owner_id      uuid REFERENCES users (id) ON DELETE CASCADE,
  return_to     text,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
