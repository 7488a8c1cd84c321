/**
 * @module The error a caller gets when a refresh ended without a decision (5xx, 429, timeout, a
 * body that is not a token response) and no valid token could be handed out instead.
 */
import { RotorError } from '../core/errors.ts';
import type { RefreshOutcome } from '../oauth/token-client.ts';

type Transient = Extract<RefreshOutcome, { kind: 'transient' }>;

export function transientError(accountId: string, outcome: Transient): RotorError {
  return new RotorError(outcome.code, describeTransient(outcome), {
    accountId,
    ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
  });
}

export function describeTransient(o: Transient): string {
  const status = o.status ? ` (HTTP ${o.status})` : '';
  switch (o.code) {
    case 'x_rate_limited':
      return `X is rate limiting token requests${status}; try again later`;
    case 'invalid_response':
      return `X answered the token request with something that is not a token response${status}`;
    case 'x_unavailable':
      return `X could not be reached or failed${status}${o.outcomeUnknown ? '; the outcome is unknown' : ''}`;
  }
}
