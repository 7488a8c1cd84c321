/**
 * @module The redaction layer every log line passes through (property 26). Two nets, because
 * either alone leaks: **by name** (any field, at any depth, whose name says token, secret,
 * verifier, code, key, cookie, authorization… is replaced whole) and **by shape** (inside every
 * string: X-shaped tokens and codes, Rotor API keys (`rotor_…`), `ROTOR_KEYS` entries,
 * `Bearer …`/`Basic …` credentials,
 * OAuth parameters in URLs and bodies, and the configured secrets themselves, verbatim).
 */

export const REDACTED = '[redacted]';

/** Field names whose value is never logged, whatever it holds. */
const SECRET_NAME =
  /(token|secret|passw|verifier|authorization|cookie|credential|signature|private|^code$|^state$|^keys?$|^api_?keys?$|^key_?material$|^bytes$|_ct$|[a-z]Ct$|^ct$|^smtp_?url$|^smtpUrl$)/i;

/** Field names that look secret but are not (counts, ids, expiry times). */
const SAFE_NAME = /^(keyId|key_id|tokenRequests|expiresAt|accessExpiresAt|stateHash|tokenType|token_type)$/;

const X_TOKEN_TAIL = /:\d{10,}:1:1:(at|rt|ac):1$/;
const OAUTH_PARAM =
  /\b(access_token|refresh_token|code|code_verifier|client_secret|state|token|password|id_token)=([^&\s"'<>]+)/gi;
const JSON_SECRET =
  /("(?:access_token|refresh_token|code|code_verifier|client_secret|accessToken|refreshToken|verifier|secret|password)"\s*:\s*)"[^"]*"/gi;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const KEY_ENTRY = /\b([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{43}|[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9_-])/g;
const LONG_WORD = /[A-Za-z0-9_-]{40,}/g;
/** A Rotor API key, as `API_KEY_PREFIX` + 32 random bytes make it (what it is, whatever its field). */
const API_KEY = /\brotor_[A-Za-z0-9_-]{20,100}/g;

/**
 * Scrubs secrets out of one string by shape, and every `extra` secret (configured client secret,
 * webhook secret, …) verbatim. Safe on any text; keeps the rest readable.
 */
export function scrub(text: string, extra: readonly string[] = []): string {
  let out = text;
  for (const s of extra) if (s.length >= 8) out = out.split(s).join(REDACTED);
  return out
    .replace(API_KEY, REDACTED)
    .replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(OAUTH_PARAM, (_m, name: string) => `${name}=${REDACTED}`)
    .replace(JSON_SECRET, (_m, head: string) => `${head}"${REDACTED}"`)
    .replace(KEY_ENTRY, (m, id: string, material: string) =>
      Buffer.from(material, 'base64').length === 32 ? `${id}:${REDACTED}` : m,
    )
    .replace(LONG_WORD, (word) =>
      X_TOKEN_TAIL.test(Buffer.from(word, 'base64url').toString('latin1')) ? REDACTED : word,
    );
}

/** Whether a field of this name is withheld whole. */
export function isSecretName(name: string): boolean {
  return !SAFE_NAME.test(name) && SECRET_NAME.test(name);
}

/**
 * A deep copy of `value` fit for a log: secret-named fields replaced, strings scrubbed, errors
 * reduced to name, code and scrubbed message/stack (their `cause` is left out: it may hold a
 * response body). Cycles and depth beyond 8 are cut.
 */
export function redact(
  value: unknown,
  extra: readonly string[] = [],
  depth = 0,
  seen = new Set<object>(),
): unknown {
  if (typeof value === 'string') return scrub(value, extra);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (seen.has(value) || depth > 8) return '[cut]';
  seen.add(value);
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; reason?: unknown; status?: unknown };
    return {
      type: e.name,
      message: scrub(e.message, extra),
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.reason === 'string' ? { reason: e.reason } : {}),
      ...(typeof e.status === 'number' ? { status: e.status } : {}),
      ...(e.stack ? { stack: scrub(e.stack, extra) } : {}),
    };
  }
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, extra, depth + 1, seen));
  if (value instanceof Headers || value instanceof URLSearchParams) {
    return redact(Object.fromEntries(value.entries()), extra, depth + 1, seen);
  }
  if (value instanceof URL) return scrub(value.href, extra);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretName(k) && v !== null && v !== undefined ? REDACTED : redact(v, extra, depth + 1, seen);
  }
  return out;
}
