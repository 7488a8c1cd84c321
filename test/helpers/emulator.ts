/**
 * @module Test helpers for driving the emulator over real HTTP on loopback, as any client
 * would: PKCE pairs, the authorization redirect, token requests and control calls.
 */
import { createHash, randomBytes } from 'node:crypto';
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.ts';
import { DEMO_CLIENT, type EmulatorSettingsInput } from '../../src/emulator/settings.ts';

export { DEMO_CLIENT };
export const DEMO_REDIRECT = DEMO_CLIENT.redirectUris[0];
export const POSTING_SCOPES = 'tweet.read tweet.write users.read offline.access';

/** An emulator the helpers below can talk to: one in this process, or `rotor emulator` at a URL. */
export type EmulatorAt = Pick<RunningEmulator, 'url'>;

/** Starts an emulator on a free loopback port, closed after the test file. */
export async function emulator(settings: EmulatorSettingsInput = {}): Promise<RunningEmulator> {
  const emu = await startEmulator({ port: 0, ...settings });
  after(() => emu.close());
  return emu;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** HTTP Basic as X documents it: `base64(client_id:client_secret)`, the values as they are. */
export function basic(id: string = DEMO_CLIENT.clientId, secret: string = DEMO_CLIENT.clientSecret): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export interface AuthorizeOptions {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  state?: string;
  challenge?: string;
  method?: string;
  extra?: Record<string, string>;
}

export function authorizeUrl(emu: EmulatorAt, o: AuthorizeOptions = {}): URL {
  const url = new URL('/i/oauth2/authorize', emu.url);
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: o.clientId ?? DEMO_CLIENT.clientId,
    redirect_uri: o.redirectUri ?? DEMO_REDIRECT,
    scope: o.scope ?? POSTING_SCOPES,
    state: o.state ?? randomBytes(16).toString('base64url'),
    code_challenge: o.challenge,
    code_challenge_method: o.method ?? 'S256',
    ...o.extra,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/** Answers the consent page as `username` (or Cancel), returning the redirect's Location. */
export async function consent(
  emu: EmulatorAt,
  url: URL,
  username: string,
  decision: 'allow' | 'deny' = 'allow',
): Promise<URL> {
  const page = await fetch(url, { redirect: 'manual' });
  assert.equal(page.status, 200, 'consent page expected');
  const html = await page.text();
  const id = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(id, 'consent page has a request id');
  const res = await fetch(new URL('/i/oauth2/authorize', emu.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request_id: id, username, decision }),
  });
  assert.equal(res.status, 302);
  return new URL(res.headers.get('location') ?? '');
}

/** Runs the authorization step as `username` and returns a fresh code and its verifier. */
export async function getCode(
  emu: EmulatorAt,
  username = 'alice',
  o: AuthorizeOptions = {},
): Promise<{ code: string; verifier: string; state: string }> {
  const { verifier, challenge } = pkce();
  const url = authorizeUrl(emu, { challenge, ...o });
  const back = await consent(emu, url, username);
  const code = back.searchParams.get('code');
  assert.ok(code, `expected a code in ${back.search}`);
  assert.equal(back.searchParams.get('state'), url.searchParams.get('state'));
  return { code, verifier, state: url.searchParams.get('state') ?? '' };
}

export async function tokenRequest(
  emu: EmulatorAt,
  params: Record<string, string>,
  opts: { auth?: string | null; json?: boolean } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = {
    'content-type': opts.json ? 'application/json' : 'application/x-www-form-urlencoded',
  };
  const auth = opts.auth === undefined ? basic() : opts.auth;
  if (auth !== null) headers.authorization = auth;
  const res = await fetch(new URL('/2/oauth2/token', emu.url), {
    method: 'POST',
    headers,
    body: opts.json ? JSON.stringify(params) : new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  token_type: string;
}

/** Connects `username` to the demo client and returns its first token set. */
export async function connect(emu: EmulatorAt, username = 'alice', scope = POSTING_SCOPES): Promise<Tokens> {
  const { code, verifier } = await getCode(emu, username, { scope });
  const res = await tokenRequest(emu, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: DEMO_REDIRECT,
    code_verifier: verifier,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as unknown as Tokens;
}

export function refresh(emu: EmulatorAt, refreshToken: string) {
  return tokenRequest(emu, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

export async function api(
  emu: EmulatorAt,
  method: string,
  path: string,
  accessToken: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, emu.url), {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

export async function control(emu: EmulatorAt, method: string, path: string, body?: unknown) {
  return api(emu, method, `/_emulator${path}`, undefined, body);
}

export interface EmulatorState {
  tokenRequests: { authorization_code: number; refresh_token: number };
  reuseDetected: number;
  familiesRevoked: number;
  /** The most times one refresh token reached the token endpoint. */
  mostSendsOfOneRefreshToken: number;
  posts: { id: string; userId: string; text: string; deleted: boolean; replyTo: string | null }[];
  grants: { id: string; username: string; status: string; endReason: string | null; refreshCount: number }[];
}

export async function state(emu: EmulatorAt): Promise<EmulatorState> {
  return (await control(emu, 'GET', '/state')).body as unknown as EmulatorState;
}
