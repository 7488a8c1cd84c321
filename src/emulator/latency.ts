/**
 * @module X's answer times, on purpose: every answer of an endpoint group is held back by a fixed
 * time plus a uniformly random jitter (e.g. 150–400 ms per post, 100–300 ms per token request), as
 * X's own answers take on the internet. Off (0 + 0) by default, so tests stay fast; the benchmark
 * turns it on to make publishing I/O bound as it is in production.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';

/** One endpoint group's answer time: `fixedMs` plus a random 0…`jitterMs`. */
export const latencySpecSchema = z
  .object({
    fixedMs: z.number().int().min(0).max(60_000).default(0),
    jitterMs: z.number().int().min(0).max(60_000).default(0),
  })
  .strict();

/** Answer times per endpoint group; every group is off by default. */
export const latencySchema = z
  .object({
    /** `POST /2/tweets`. */
    post: latencySpecSchema.default(() => latencySpecSchema.parse({})),
    /** `POST /2/oauth2/token` (codes and refreshes). */
    token: latencySpecSchema.default(() => latencySpecSchema.parse({})),
  })
  .strict();

export type LatencySpec = z.output<typeof latencySpecSchema>;
export type LatencySettings = z.output<typeof latencySchema>;
export type LatencyGroup = keyof LatencySettings;

/** How long this answer is held back (ms): `fixedMs` + a random share of `jitterMs`. */
export function latencyFor(spec: LatencySpec, random: () => number = Math.random): number {
  return spec.fixedMs + Math.round(random() * spec.jitterMs);
}

/**
 * Waits the answer time of `spec` (nothing when it is off). Resolves false when `signal` aborts
 * first (the emulator is closing), true otherwise.
 */
export async function holdAnswer(spec: LatencySpec, signal: AbortSignal): Promise<boolean> {
  const ms = latencyFor(spec);
  if (ms <= 0) return true;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a command-line latency, `FIXED` or `FIXED+JITTER` in milliseconds (`150+250` answers in
 * 150–400 ms); undefined when it is not that form.
 */
export function parseLatencyFlag(value: string): LatencySpec | undefined {
  const m = /^(\d{1,5})(?:\+(\d{1,5}))?$/.exec(value.trim());
  if (!m) return undefined;
  return latencySpecSchema.parse({ fixedMs: Number(m[1]), jitterMs: Number(m[2] ?? 0) });
}
