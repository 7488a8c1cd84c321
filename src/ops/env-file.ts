/**
 * @module The `.env` file: what `rotor init` writes (every setting, commented, with a fresh key),
 * and how `rotor` reads it: from the current folder, at start, **without overriding** variables
 * already set in the environment (so a container's or a shell's settings win).
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * Loads `file` into `env` for every variable not already set there. Returns the names it set,
 * or undefined when there is no such file.
 */
export function loadDotEnv(
  file: string,
  env: Record<string, string | undefined> = process.env,
): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] === undefined) {
      env[name] = value;
      set.push(name);
    }
  }
  return set;
}

/** The commented `.env` that `rotor init` writes, with `keyEntry` as the only key. */
export function renderEnvFile(keyEntry: string, now: Date = new Date()): string {
  return `# Rotor settings, written by \`rotor init\` on ${now.toISOString()}.
# Rotor reads this file from the folder it runs in; variables already set in the
# environment win over it. Every setting is described in the README ("Configuration",
# "Operating Rotor"). Keep this file private: it holds the encryption key.

# --- Encryption of tokens at rest (required) ---------------------------------------
# Comma-separated id:key entries; the FIRST one seals new writes, the others still
# decrypt older rows. To rotate: put a new entry (\`rotor keys generate\`) first, restart,
# run \`rotor keys rotate\`, and remove the old entry when it says it is no longer used.
# Lose this key and every connected account must be connected again.
ROTOR_KEYS=${keyEntry}

# --- X ---------------------------------------------------------------------------
# Your X app's OAuth 2.0 client (developer portal, "Keys and tokens"). Without
# X_CLIENT_ID Rotor runs in demo mode against its built-in X emulator.
# X_CLIENT_ID=
# X_CLIENT_SECRET=
# The callback registered at X, byte for byte (127.0.0.1, not localhost).
# X_REDIRECT_URI=http://127.0.0.1:3000/auth/x/callback
# Every X endpoint at this origin instead (a running \`rotor emulator\`).
# X_EMULATOR_URL=http://127.0.0.1:4100

# --- Database --------------------------------------------------------------------
# PostgreSQL, shared by every process (needed for \`rotor worker\` and many processes).
# Without it: an embedded database in ROTOR_DATA_DIR, one process at a time.
# DATABASE_URL=postgres://rotor:password@127.0.0.1:5432/rotor
# ROTOR_DATA_DIR=./.rotor

# --- Backups, moves and copies (docs/backups-and-moves.md) ----------------------------
# off: this installation never refreshes a token (a staging copy of production's data).
# ROTOR_REFRESH=off
# Where each account's newest token pair is kept outside the database, so that a restored
# backup is brought forward instead of burning grants (default: the data folder's newest/).
# One folder shared by every machine of an installation.
# ROTOR_NEWEST_DIR=/var/lib/rotor/newest

# --- Web server (rotor serve / npm start) -------------------------------------------
# PORT=3000
# ROTOR_HOST=127.0.0.1
# The origin people use (behind a proxy: https://rotor.example.com); a form or API call
# whose Origin differs (scheme included) is refused. Unset: compared with Host.
# ROTOR_PUBLIC_URL=https://rotor.example.com
# Sign-in sessions end after this long without use (seconds; default 7 days), and 30 days
# after sign-in in any case.
# ROTOR_SESSION_IDLE_SECONDS=604800
# Rate limits, "COUNT/SECONDS" or "off" (per client address; tokens also per API key).
# ROTOR_RATE_LIMIT_SIGNIN=30/60
# ROTOR_RATE_LIMIT_CALLBACK=30/60
# ROTOR_RATE_LIMIT_API_KEY_FAILURES=10/60
# ROTOR_RATE_LIMIT_TOKENS_PER_KEY=120/60
# ROTOR_RATE_LIMIT_TOKENS_PER_ADDRESS=300/60
# Behind one reverse proxy: take the client address from its X-Forwarded-For (1).
# ROTOR_TRUST_PROXY=0

# --- Tokens and workers (advanced) --------------------------------------------------
# ROTOR_REFRESH_MARGIN=300
# ROTOR_WORKER_CONCURRENCY=64
# ROTOR_PREWARM_PER_SECOND=50
# ROTOR_PREWARM_WINDOW_SECONDS=600
# ROTOR_SWEEP_SECONDS=60
# ROTOR_JOB_EXPIRE_SECONDS=120
# ROTOR_PUBLISH_STALE_SECONDS=90
# ROTOR_RETRY_BASE_SECONDS=30

# --- Logs ------------------------------------------------------------------------
# fatal, error, warn, info (serve/worker default), debug, trace or silent. Tokens,
# codes, secrets and keys are redacted from every line.
# ROTOR_LOG_LEVEL=info
# Append a copy of every log line here (any number of processes may share it).
# ROTOR_LOG_FILE=./rotor.log

# --- Metrics ------------------------------------------------------------------------
# rotor serve has /metrics and /readyz on its own port; a worker serves them here.
# /metrics wants "Authorization: Bearer <this>" (openssl rand -hex 32). Without it,
# rotor serve's /metrics is open only in demo mode on loopback.
# ROTOR_METRICS_TOKEN=
# ROTOR_METRICS_PORT=9464
# ROTOR_METRICS_HOST=127.0.0.1

# --- Notifications ------------------------------------------------------------------
# E-mail to the people who run Rotor (both are needed for e-mail).
# ROTOR_SMTP_URL=smtp://user:password@smtp.example.com:587
# ROTOR_NOTIFY_EMAIL=ops@example.com
# ROTOR_NOTIFY_FROM=Rotor <rotor@example.com>
# A webhook: JSON, signed with HMAC-SHA256 (header Rotor-Signature: t=…,v1=…).
# ROTOR_WEBHOOK_URL=https://hooks.example.com/rotor
# ROTOR_WEBHOOK_SECRET=   (at least 32 characters: \`openssl rand -hex 32\`)
# Language of e-mail and webhook texts: en or ja.
# ROTOR_NOTIFY_LOCALE=en
`;
}
