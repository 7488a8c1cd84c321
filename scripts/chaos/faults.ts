/**
 * @module The faults the chaos harness injects into the emulator: every fault kind the emulator
 * knows (`src/emulator/faults.ts`) on the endpoints the storm and the workers use. Their answers
 * stay below the vault's HTTP deadline when they answer at all, as X's do.
 */
import type { FaultSpec } from '../../src/emulator/faults.ts';

/** A fault as sent to `POST /_emulator/faults` (the emulator fills in the defaults). */
export type FaultRequest = Pick<FaultSpec, 'target' | 'kind'> &
  Partial<Pick<FaultSpec, 'times' | 'latencyMs' | 'status' | 'variant'>>;

/**
 * Every kind on the token endpoint, the posting endpoint, the lookup of recent posts and the
 * profile call. A `lost_response` on the token endpoint is the one loss no client can avoid: X
 * rotated and its answer never arrived. No 429 here: its reset time is stated in X's clock, which
 * the expiry storms move hours ahead, so it would park posts and refreshes for hours of real time
 * (429 handling is tested in test/scheduler and test/vault, where the clocks agree).
 */
export const FAULT_CATALOGUE: readonly FaultRequest[] = [
  { target: 'token', kind: 'error', status: 503, times: 3 },
  { target: 'token', kind: 'latency', latencyMs: 1500, times: 3 },
  { target: 'token', kind: 'hang', times: 1 },
  { target: 'token', kind: 'malformed', variant: 'truncated_json', times: 1 },
  { target: 'token', kind: 'malformed', variant: 'wrong_types', times: 1 },
  { target: 'token', kind: 'lost_response', times: 1 },
  { target: 'tweets', kind: 'error', status: 503, times: 2 },
  { target: 'tweets', kind: 'latency', latencyMs: 800, times: 3 },
  { target: 'tweets', kind: 'hang', times: 1 },
  { target: 'tweets', kind: 'lost_response', times: 2 },
  { target: 'tweets', kind: 'malformed', variant: 'not_json', times: 1 },
  { target: 'user_tweets', kind: 'error', status: 503, times: 2 },
  { target: 'user_tweets', kind: 'latency', latencyMs: 800, times: 2 },
  { target: 'user_tweets', kind: 'hang', times: 1 },
  { target: 'user_tweets', kind: 'malformed', variant: 'empty', times: 1 },
  { target: 'users_me', kind: 'error', status: 503, times: 3 },
  { target: 'users_me', kind: 'hang', times: 1 },
  { target: 'users_me', kind: 'lost_response', times: 2 },
  { target: 'users_me', kind: 'malformed', variant: 'empty', times: 1 },
];
