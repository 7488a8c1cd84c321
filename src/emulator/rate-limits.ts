/**
 * @module Fixed-window rate limits on the emulator's clock: per user per 15 minutes for each
 * endpoint, and for posting also per user and per app per 24 hours, reported in X's headers.
 */
import type { EmulatorWorld } from './world.ts';

export interface LimitState {
  limit: number;
  remaining: number;
  /** Unix seconds at which the window resets. */
  reset: number;
}

interface Window {
  key: string;
  limit: number;
  windowMs: number;
}

function read(world: EmulatorWorld, w: Window): { start: number; count: number } {
  const now = world.now();
  const current = world.windows.get(w.key);
  if (current && now < current.start + w.windowMs) return current;
  const fresh = { start: now, count: 0 };
  world.windows.set(w.key, fresh);
  return fresh;
}

function stateOf(world: EmulatorWorld, w: Window): LimitState {
  const { start, count } = read(world, w);
  return {
    limit: w.limit,
    remaining: Math.max(0, w.limit - count),
    reset: Math.ceil((start + w.windowMs) / 1000),
  };
}

export type EndpointBucket = 'post_tweets' | 'users_me' | 'user_tweets' | 'delete_tweets' | 'media_upload';

export interface RateCheck {
  allowed: boolean;
  headers: Record<string, string>;
}

const FIFTEEN_MIN = 15 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;

function limitFor(world: EmulatorWorld, bucket: EndpointBucket): number {
  const r = world.settings.rateLimits;
  switch (bucket) {
    case 'post_tweets':
      return r.postTweets15m;
    case 'users_me':
      return r.usersMe15m;
    case 'user_tweets':
      return r.userTweets15m;
    case 'delete_tweets':
      return r.deleteTweets15m;
    case 'media_upload':
      return r.mediaUpload15m;
  }
}

function headerSet(prefix: string, s: LimitState): Record<string, string> {
  return {
    [`${prefix}-limit`]: String(s.limit),
    [`${prefix}-remaining`]: String(s.remaining),
    [`${prefix}-reset`]: String(s.reset),
  };
}

/**
 * Counts one request against every window that applies and says whether it may go ahead.
 * A refused request counts against nothing.
 */
export function takeRateLimit(
  world: EmulatorWorld,
  bucket: EndpointBucket,
  userId: string,
  clientId: string,
): RateCheck {
  const windows: { header: string; w: Window }[] = [
    {
      header: 'x-rate-limit',
      w: { key: `${bucket}:user:${userId}`, limit: limitFor(world, bucket), windowMs: FIFTEEN_MIN },
    },
  ];
  if (bucket === 'post_tweets') {
    const r = world.settings.rateLimits;
    windows.push(
      {
        header: 'x-user-limit-24hour',
        w: { key: `posts24h:user:${userId}`, limit: r.userPosts24h, windowMs: DAY },
      },
      {
        header: 'x-app-limit-24hour',
        w: { key: `posts24h:app:${clientId}`, limit: r.appPosts24h, windowMs: DAY },
      },
    );
  }
  const allowed = windows.every(({ w }) => stateOf(world, w).remaining > 0);
  if (allowed) for (const { w } of windows) read(world, w).count += 1;
  const headers: Record<string, string> = {};
  for (const { header, w } of windows) Object.assign(headers, headerSet(header, stateOf(world, w)));
  return { allowed, headers };
}
