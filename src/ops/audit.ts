/**
 * @module Audit events (property 27): who-did-what lines in the log, each with `audit` (the
 * event's name) and `at` (UTC, ISO 8601), through the same redaction as every other line. They
 * name accounts and posts by id and username, never a token.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from './logger.ts';

export type AuditEvent =
  | 'account_connected'
  | 'account_disconnected'
  | 'token_refreshed'
  | 'token_refresh_failed'
  | 'reauth_required'
  | 'invalid_client'
  | 'post_published'
  | 'post_failed'
  | 'post_unknown'
  | 'post_blocked'
  | 'keys_rotated'
  /** The token broker handed an access token to a program (its API key, the account; never the token). */
  | 'token_issued'
  /** `rotor vault export` / `import` / `claim` (issue 18: backups, moves and copies). */
  | 'vault_exported'
  | 'vault_imported'
  | 'vault_claimed';

export type Audit = (event: AuditEvent, fields?: Record<string, unknown>) => void;

/**
 * An audit writer on `logger`.
 *
 * @example
 * const audit = createAudit(logger);
 * audit('account_connected', { accountId, username });
 * // {"level":"info","time":"…Z","audit":"account_connected","at":"2026-11-22T02:00:00.000Z",…}
 */
export function createAudit(logger: Logger, clock: Clock = systemClock): Audit {
  return (event, fields = {}) => {
    logger.info({ ...fields, audit: event, at: new Date(clock.now()).toISOString() }, event);
  };
}
