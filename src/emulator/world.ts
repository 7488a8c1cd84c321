/**
 * @module The emulator's whole state, in memory: registered clients, seeded users, codes,
 * grants, tokens, posts and the counters that tests read from `GET /_emulator/state`.
 * Decisions live in the sibling modules (`grants.ts`, `posting.ts`, …); this file only holds.
 */
import { OffsetClock, type Clock } from '../core/clock.ts';
import type { MediaRecord } from './media.ts';
import type { EmulatorSettings } from './settings.ts';
import { SnowflakeIds } from './tokens.ts';
import type {
  AccessTokenRecord,
  ClientRecord,
  CodeRecord,
  GrantRecord,
  PostRecord,
  RefreshTokenRecord,
  UserRecord,
} from './model.ts';

export interface Counters {
  tokenRequests: { authorization_code: number; refresh_token: number };
  /** Spent refresh tokens presented again (within a grace window or not). */
  reuseDetected: number;
  /** Grants revoked because a spent refresh token came back. */
  familiesRevoked: number;
  /** Authorization codes presented a second time. */
  codeReuseDetected: number;
  /** The most times one refresh token reached the token endpoint (faults included). */
  mostSendsOfOneRefreshToken: number;
}

function zeroCounters(): Counters {
  return {
    tokenRequests: { authorization_code: 0, refresh_token: 0 },
    reuseDetected: 0,
    familiesRevoked: 0,
    codeReuseDetected: 0,
    mostSendsOfOneRefreshToken: 0,
  };
}

export class EmulatorWorld {
  readonly settings: EmulatorSettings;
  readonly clock: OffsetClock;
  readonly clients = new Map<string, ClientRecord>();
  readonly users = new Map<string, UserRecord>();
  codes = new Map<string, CodeRecord>();
  grants = new Map<string, GrantRecord>();
  accessTokens = new Map<string, AccessTokenRecord>();
  refreshTokens = new Map<string, RefreshTokenRecord>();
  posts: PostRecord[] = [];
  /** Uploaded media by id (24 hours, the uploader only). */
  media = new Map<string, MediaRecord>();
  /** Per user, the duplicate keys of their live posts (X refuses a duplicate). */
  liveTexts = new Map<string, Set<string>>();
  counters: Counters = zeroCounters();
  /** How many times each refresh token reached the token endpoint (see {@link Counters}). */
  refreshTokenSends = new Map<string, number>();
  /** Fixed rate-limit windows, keyed by `<bucket>:<subject>`. */
  windows = new Map<string, { start: number; count: number }>();
  readonly postIds = new SnowflakeIds();
  #grantSeq = 0;

  constructor(settings: EmulatorSettings, baseClock?: Clock) {
    this.settings = settings;
    this.clock = new OffsetClock(baseClock);
    for (const c of settings.clients) {
      this.clients.set(c.clientId, {
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        redirectUris: [...c.redirectUris],
        name: c.name ?? c.clientId,
      });
    }
    const created = new Date(Date.UTC(2020, 0, 1)).toISOString();
    for (const u of settings.users) {
      this.users.set(u.id, {
        id: u.id,
        username: u.username,
        name: u.name,
        description: u.description,
        createdAt: created,
        metrics: {
          followers_count: u.followers,
          following_count: u.following,
          tweet_count: 0,
          listed_count: u.listed,
        },
      });
    }
  }

  now(): number {
    return this.clock.now();
  }

  nextGrantId(): string {
    this.#grantSeq += 1;
    return `g${this.#grantSeq}`;
  }

  userByName(username: string): UserRecord | undefined {
    const wanted = username.toLowerCase();
    for (const u of this.users.values()) if (u.username.toLowerCase() === wanted) return u;
    return undefined;
  }

  /** Forgets every code, grant, token, post, counter and window; keeps clients, users and the clock. */
  reset(): void {
    this.codes = new Map();
    this.grants = new Map();
    this.accessTokens = new Map();
    this.refreshTokens = new Map();
    this.posts = [];
    this.liveTexts = new Map();
    this.media = new Map();
    this.counters = zeroCounters();
    this.refreshTokenSends = new Map();
    this.windows = new Map();
    for (const u of this.users.values()) u.metrics.tweet_count = 0;
  }
}
