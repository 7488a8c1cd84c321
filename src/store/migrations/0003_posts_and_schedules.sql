-- Posts and their lifecycle, schedules (recurring templates and queues), what X last said about
-- rate limits, and account metrics for charts. Every time is UTC (timestamptz); a schedule keeps
-- its IANA time zone beside its cron expression.

CREATE TABLE schedules (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- recurring: posts `template` at each occurrence; queue: posts the next queued draft
  kind        text NOT NULL CHECK (kind IN ('recurring', 'queue')),
  cron        text NOT NULL,
  tz          text NOT NULL,
  template    text,
  counter     integer NOT NULL DEFAULT 0,
  paused      boolean NOT NULL DEFAULT false,
  next_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX schedules_one_queue ON schedules (account_id) WHERE kind = 'queue';

-- draft → scheduled → publishing → published | failed | blocked | unknown; `queued` drafts wait
-- for their account's queue slots.
CREATE TABLE posts (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id          uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  text                text NOT NULL,
  reply_to            text,
  status              text NOT NULL CHECK (status IN
                        ('draft', 'queued', 'scheduled', 'publishing', 'published', 'failed', 'blocked', 'unknown')),
  due_at              timestamptz,
  schedule_id         uuid REFERENCES schedules (id) ON DELETE SET NULL,
  occurrence_at       timestamptz,
  queue_position      bigint,
  attempts            integer NOT NULL DEFAULT 0,
  x_post_id           text,
  x_url               text,
  reason              text,
  retryable           boolean,
  publish_started_at  timestamptz,
  published_at        timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX posts_due ON posts (status, due_at);
CREATE INDEX posts_account ON posts (account_id, created_at);
CREATE INDEX posts_queue ON posts (account_id, queue_position) WHERE status = 'queued';
-- One post per occurrence of a schedule: firing twice cannot post twice.
CREATE UNIQUE INDEX posts_one_per_occurrence ON posts (schedule_id, occurrence_at) WHERE schedule_id IS NOT NULL;

CREATE TABLE x_limits (
  key         text PRIMARY KEY,
  lim         integer NOT NULL,
  remaining   integer NOT NULL,
  reset_at    timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE account_metrics (
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL,
  followers   integer NOT NULL,
  following   integer NOT NULL,
  posts       integer NOT NULL,
  PRIMARY KEY (account_id, at)
);
