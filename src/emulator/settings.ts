/**
 * @module Emulator settings. Every point where X is undocumented or sources disagree is a
 * setting here, and each defaults to the strictest reading (see docs/x-fidelity.md).
 * Settings come from a JSON file (`--config`) and/or command-line flags; the file is
 * validated strictly, so a misspelt key is an error, not a silently ignored wish.
 */
import { z } from 'zod';
import { latencySchema } from './latency.ts';

/** The demo client that is always registered (documented in docs/emulator.md). */
export const DEMO_CLIENT = {
  clientId: 'rotor-demo',
  clientSecret: 'rotor-demo-secret',
  redirectUris: ['http://127.0.0.1:3000/auth/x/callback'],
  name: 'Rotor',
} as const;

const clientSchema = z
  .object({
    clientId: z.string().min(1).max(200),
    /** Absent → a public client (Native App / SPA): `client_id` in the body, no secret. */
    clientSecret: z.string().min(1).optional(),
    redirectUris: z.array(z.url()).min(1),
    name: z.string().min(1).optional(),
  })
  .strict();

const userSchema = z
  .object({
    id: z.string().regex(/^\d{1,19}$/, 'a user id is a numeric string'),
    username: z.string().regex(/^\w{1,15}$/, 'a username is 1–15 letters, digits or _'),
    name: z.string().min(1).max(50),
    description: z.string().max(160).default(''),
    followers: z.number().int().nonnegative().default(0),
    following: z.number().int().nonnegative().default(0),
    listed: z.number().int().nonnegative().default(0),
  })
  .strict();

const rateLimitsSchema = z
  .object({
    /** `POST /2/tweets` per user per 15 minutes. */
    postTweets15m: z.number().int().positive().default(100),
    /** Posts per user per 24 hours (`x-user-limit-24hour-*`). */
    userPosts24h: z.number().int().positive().default(2400),
    /** Posts per app (client) per 24 hours (`x-app-limit-24hour-*`). */
    appPosts24h: z.number().int().positive().default(10000),
    /** `GET /2/users/me` per user per 15 minutes. */
    usersMe15m: z.number().int().positive().default(75),
    /** `GET /2/users/:id/tweets` per user per 15 minutes. */
    userTweets15m: z.number().int().positive().default(900),
    /** `DELETE /2/tweets/:id` per user per 15 minutes. */
    deleteTweets15m: z.number().int().positive().default(50),
    /** `POST /2/media/upload` per user per 15 minutes. */
    mediaUpload15m: z.number().int().positive().default(500),
  })
  .strict();

export const DEFAULT_USERS: z.input<typeof userSchema>[] = [
  { id: '1000000000000000001', username: 'alice', name: 'Alice', followers: 1200, following: 180, listed: 4 },
  { id: '1000000000000000002', username: 'bob', name: 'Bob', followers: 85, following: 310 },
  {
    id: '1000000000000000003',
    username: 'hanako',
    name: '山田花子',
    followers: 5400,
    following: 95,
    listed: 21,
  },
];

/** The emulator's settings, as validated. */
export const emulatorSettingsSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(4100),
    /** Access-token life in seconds (X: 7200). */
    accessTokenTtl: z.number().int().positive().default(7200),
    /** Authorization-code life in seconds (X's glossary: 30). */
    codeTtl: z.number().int().positive().default(30),
    /** Refresh-token life in seconds (reports: about 6 months). */
    refreshTokenTtl: z
      .number()
      .int()
      .positive()
      .default(180 * 86400),
    /** `absolute`: counted from the user's consent; `sliding`: from each refresh token's issue. */
    refreshTokenExpiry: z.enum(['absolute', 'sliding']).default('absolute'),
    /**
     * What presenting a spent refresh token does. `family`: the whole grant is revoked (the
     * new tokens too); `token`: only that request fails; `grace`: within `reuseGraceSeconds`
     * of its first use the same successor pair is answered again, after that `family`.
     */
    reuse: z.enum(['family', 'token', 'grace']).default('family'),
    reuseGraceSeconds: z.number().int().nonnegative().default(10),
    /** Whether a refresh revokes the previous access token at once (X: undocumented). */
    revokeAccessTokenOnRefresh: z.boolean().default(false),
    /**
     * Store and answer post text as X does: links rewritten to t.co, `&`, `<`, `>` as HTML
     * entities, and a t.co link appended for attached media. Off by default so that tests can
     * compare text byte for byte; on, it checks that a client's lookups survive X's rewriting.
     */
    rewriteText: z.boolean().default(false),
    /** RFC 6749 §4.1.2: a second use of a code revokes the grant issued from it. */
    revokeGrantOnCodeReuse: z.boolean().default(true),
    /** `token_type_hint` is required on `/2/oauth2/revoke` (X has answered so without it). */
    requireTokenTypeHint: z.boolean().default(true),
    /**
     * Also accept HTTP Basic client credentials that were form-urlencoded first (RFC 6749
     * §2.3.1, e.g. `rotor%2Ddemo`). Off: Basic is read as X documents it, the values as they
     * are, and an over-encoded header gets X's 401 `unauthorized_client`.
     */
    lenientBasicAuth: z.boolean().default(false),
    /** Skip the consent page and approve at once as this user (headless use). */
    autoApprove: z.string().optional(),
    rateLimits: rateLimitsSchema.default(() => rateLimitsSchema.parse({})),
    /**
     * How long X takes to answer (fixed + random jitter, per endpoint group). Off by default; the
     * benchmark sets e.g. 150–400 ms per post and 100–300 ms per token request.
     */
    latency: latencySchema.default(() => latencySchema.parse({})),
    users: z
      .array(userSchema)
      .min(1)
      .default(() => DEFAULT_USERS.map((u) => userSchema.parse(u))),
    /** Clients registered besides the demo client. */
    clients: z.array(clientSchema).default([]),
  })
  .strict();

export type EmulatorSettings = z.output<typeof emulatorSettingsSchema>;
export type EmulatorSettingsInput = z.input<typeof emulatorSettingsSchema>;
export type ClientSettings = z.output<typeof clientSchema>;
export type UserSettings = z.output<typeof userSchema>;

/** Thrown when settings do not validate; `message` lists every problem in plain words. */
export class EmulatorSettingsError extends Error {
  override readonly name = 'EmulatorSettingsError';
}

/**
 * Validates settings and applies the defaults. The demo client is always added; a user named
 * in `autoApprove` must exist; usernames, user ids and client ids must be unique.
 */
export function parseEmulatorSettings(input: unknown): EmulatorSettings {
  const result = emulatorSettingsSchema.safeParse(input ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new EmulatorSettingsError(`invalid emulator settings:\n${lines.join('\n')}`);
  }
  const settings = result.data;
  const problems: string[] = [];
  const clients = settings.clients.filter((c) => c.clientId !== DEMO_CLIENT.clientId);
  if (clients.length !== settings.clients.length) {
    problems.push(`client id "${DEMO_CLIENT.clientId}" is reserved for the demo client`);
  }
  settings.clients = [{ ...DEMO_CLIENT, redirectUris: [...DEMO_CLIENT.redirectUris] }, ...clients];
  if (new Set(settings.clients.map((c) => c.clientId)).size !== settings.clients.length) {
    problems.push('client ids must be unique');
  }
  const names = settings.users.map((u) => u.username.toLowerCase());
  if (new Set(names).size !== names.length) problems.push('usernames must be unique');
  if (new Set(settings.users.map((u) => u.id)).size !== settings.users.length) {
    problems.push('user ids must be unique');
  }
  if (settings.autoApprove !== undefined && !names.includes(settings.autoApprove.toLowerCase())) {
    problems.push(`autoApprove names no seeded user: "${settings.autoApprove}"`);
  }
  if (problems.length > 0) {
    throw new EmulatorSettingsError(
      `invalid emulator settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return settings;
}
