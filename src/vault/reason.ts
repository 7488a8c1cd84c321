/**
 * @module Why a refused refresh needs the user (property 14). X answers the same body for a
 * spent, revoked or expired grant, so the reason comes from what Rotor itself knows.
 */
import type { ReauthReason } from '../core/errors.ts';

export interface ReasonFacts {
  /** The refresh token sent had been sent before with no known answer. */
  inDoubt: boolean;
  /** A process presented a spent token (a lost lease, or a copy outside Rotor). */
  reuseSuspected: boolean;
  /** The ~6-month refresh horizon, counted from the user's consent, has passed. */
  pastHorizon: boolean;
  /** The still-unexpired access token was refused too (`unauthorized`), accepted (`ok`), or not checked. */
  accessProbe: 'unauthorized' | 'ok' | 'not_checked';
}

export function reauthReason(f: ReasonFacts): ReauthReason {
  if (f.inDoubt) return 'lost_response';
  if (f.reuseSuspected) return 'reused';
  if (f.pastHorizon) return 'expired';
  if (f.accessProbe === 'unauthorized') return 'revoked';
  return 'unknown';
}
