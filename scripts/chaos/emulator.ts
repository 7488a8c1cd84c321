/**
 * @module The emulator as the chaos harness uses it: its strict settings for a storm, its state,
 * and faults added and counted through its control endpoints.
 */
import type { FaultRequest } from './faults.ts';

/** What the harness reads of `GET /_emulator/state`. */
export interface EmulatorState {
  tokenRequests: { authorization_code: number; refresh_token: number };
  reuseDetected: number;
  familiesRevoked: number;
  posts: { id: string; username?: string; text: string; deleted: boolean; replyTo?: string | null }[];
  grants: { username?: string; status: string; endReason: string | null; refreshCount: number }[];
}

/**
 * Strict family revocation (a spent refresh token ends the whole grant), X's access-token life,
 * and rate limits raised out of the way: the storm is about tokens, not about X's quotas.
 */
export function stormSettings(accessTokenTtl: number): Record<string, unknown> {
  return {
    reuse: 'family',
    accessTokenTtl,
    rateLimits: {
      postTweets15m: 1_000_000,
      userPosts24h: 1_000_000,
      appPosts24h: 1_000_000,
      usersMe15m: 1_000_000,
      userTweets15m: 1_000_000,
    },
  };
}

/** Moves the emulator's clock `seconds` forward: every token issued more than that ago expires. */
export async function advanceClock(url: string, seconds: number): Promise<void> {
  const res = await fetch(`${url}/_emulator/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: seconds }),
  });
  await res.arrayBuffer();
}

export async function emulatorState(url: string): Promise<EmulatorState> {
  return (await (await fetch(`${url}/_emulator/state`)).json()) as EmulatorState;
}

/** Adds faults and tells, at the end, how many requests each one hit. */
export class FaultLedger {
  readonly #url: string;
  readonly #added: { id: string; fault: FaultRequest }[] = [];

  constructor(url: string) {
    this.#url = url;
  }

  async add(fault: FaultRequest): Promise<void> {
    const res = await fetch(`${this.#url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });
    if (res.status !== 201)
      throw new Error(`the emulator refused a fault: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    this.#added.push({ id, fault });
  }

  /** Removes every fault; returns each added fault with its hits (a used-up one hit `times`). */
  async settle(): Promise<{ fault: FaultRequest; hits: number }[]> {
    const { faults } = (await (await fetch(`${this.#url}/_emulator/faults`)).json()) as {
      faults: { id: string; hits: number }[];
    };
    await fetch(`${this.#url}/_emulator/faults`, { method: 'DELETE' });
    const live = new Map(faults.map((f) => [f.id, f.hits]));
    return this.#added.map(({ id, fault }) => ({ fault, hits: live.get(id) ?? fault.times ?? 1 }));
  }
}
