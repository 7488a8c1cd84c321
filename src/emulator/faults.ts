/**
 * @module Fault injection: what the emulator does wrong on purpose, on which endpoint, how
 * often. Tests (and `npm run chaos`) add faults through `POST /_emulator/faults`; each request
 * to a target takes the first matching fault that still has uses left.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { randomId } from './tokens.ts';

export const FAULT_TARGETS = [
  'token',
  'revoke',
  'tweets',
  'media',
  'delete_tweet',
  'users_me',
  'user_tweets',
] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

export const FAULT_KINDS = ['latency', 'error', 'hang', 'lost_response', 'malformed'] as const;

/** What a fault request may say. */
export const faultSpecSchema = z
  .object({
    target: z.enum(FAULT_TARGETS),
    /**
     * `latency`: answer normally after `latencyMs`; `error`: answer `status` at once (5xx with
     * an HTML body as X's edge does, 4xx with problem JSON); `hang`: never answer; `lost_response`:
     * do the work (rotate the tokens, create the post), then drop the connection unanswered;
     * `malformed`: answer 200 with a broken body, without doing the work.
     */
    kind: z.enum(FAULT_KINDS),
    /** How many requests it applies to; `null` = every request until it is removed. */
    times: z.number().int().positive().nullable().default(1),
    /** Chance (0–1) that a matching request is hit; a miss does not use up a time. */
    probability: z.number().min(0).max(1).default(1),
    latencyMs: z.number().int().min(0).max(600_000).default(1000),
    status: z.number().int().min(400).max(599).default(503),
    variant: z.enum(['truncated_json', 'not_json', 'wrong_types', 'empty']).default('truncated_json'),
    /**
     * For `tweets` only: the fault applies only to a create-post request whose text contains
     * this (a thread's second part, say); other requests pass it by without using a time.
     */
    textContains: z.string().min(1).optional(),
  })
  .strict()
  .refine((f) => f.textContains === undefined || f.target === 'tweets', {
    path: ['textContains'],
    message: 'textContains goes with the target "tweets"',
  });

export type FaultSpec = z.output<typeof faultSpecSchema>;
export interface Fault extends FaultSpec {
  id: string;
  hits: number;
}

export class FaultRegistry {
  #faults: Fault[] = [];

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: randomId('fault'), hits: 0 };
    this.#faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.#faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.#faults.length;
    this.#faults = this.#faults.filter((f) => f.id !== id);
    return this.#faults.length < before;
  }

  clear(): void {
    this.#faults = [];
  }

  /**
   * The fault that hits this request, if any, using up one of its times. `request.text`: the
   * text of a create-post request, for faults with `textContains`.
   */
  take(target: FaultTarget, request: { text?: string | undefined } = {}): Fault | undefined {
    for (const fault of this.#faults) {
      if (fault.target !== target) continue;
      if (fault.textContains !== undefined && !(request.text ?? '').includes(fault.textContains)) continue;
      if (fault.probability < 1 && randomInt(0, 1_000_000) >= fault.probability * 1_000_000) continue;
      fault.hits += 1;
      if (fault.times !== null) {
        fault.times -= 1;
        if (fault.times === 0) this.remove(fault.id);
      }
      return { ...fault };
    }
    return undefined;
  }
}

/** The broken bodies a `malformed` fault answers with. */
export const MALFORMED_BODIES: Record<FaultSpec['variant'], string> = {
  truncated_json: '{"token_type":"bearer","expires_in":7200,"access_token":"',
  not_json: '<html><body>Something went wrong</body></html>',
  wrong_types:
    '{"token_type":"bearer","expires_in":"soon","access_token":12345,"refresh_token":null,"data":42}',
  empty: '',
};
