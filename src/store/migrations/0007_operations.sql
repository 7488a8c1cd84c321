-- Operations: notifications (one row per event, whatever the number of processes or failed
-- attempts that report it) and their deliveries by e-mail and webhook, retried with backoff.

-- `dedupe_key` names the event (kind, account or post, episode): a second report of the same
-- event inserts nothing. `owner_id` is the user told in the app; NULL for an operator alert
-- (X refusing the client). `data` holds what the texts need (username, reason, …), never a secret.
CREATE TABLE notifications (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dedupe_key  text NOT NULL UNIQUE,
  kind        text NOT NULL CHECK (kind IN ('reauth_required', 'horizon_approaching', 'post_failed',
                                            'post_unknown', 'invalid_client', 'decryption_failed')),
  owner_id    uuid REFERENCES users (id) ON DELETE CASCADE,
  account_id  uuid REFERENCES accounts (id) ON DELETE CASCADE,
  post_id     uuid,
  data        jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  read_at     timestamptz
);
CREATE INDEX notifications_owner ON notifications (owner_id, created_at DESC);

-- One row per notification and channel. A process claims a due delivery by compare-and-swap
-- (`claimed_until`), sends it, and records the result; a failure is retried at `next_at`.
CREATE TABLE notification_deliveries (
  notification_id  uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  channel          text NOT NULL CHECK (channel IN ('email', 'webhook')),
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_at          timestamptz NOT NULL DEFAULT now(),
  claimed_until    timestamptz,
  last_error       text,
  delivered_at     timestamptz,
  PRIMARY KEY (notification_id, channel)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_at) WHERE status = 'pending';
