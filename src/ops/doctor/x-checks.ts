/**
 * @module The doctor's checks against X (or the emulator): reachability and the clock (from X's
 * `Date` header), the client credentials and the Basic form X accepts them in (a refresh with a
 * random, nobody's token: X refuses the token for a known client and answers 401
 * `unauthorized_client` otherwise), and the redirect URI (only
 * the emulator can tell; X's consent page is a script that accepts anything until the person
 * signs in).
 */
import { randomBytes, createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { RotorConfig } from '../../core/config.ts';
import { basicAsIs, basicFormUrlEncoded } from '../../oauth/client-auth.ts';
import type { OAuthProvider } from '../../oauth/provider.ts';
import { refreshTokens, type RefreshOutcome } from '../../oauth/token-client.ts';
import { xApiBase, xProvider } from '../../oauth/x.ts';
import type { CheckResult } from './result.ts';

export interface XCheckOptions {
  config: RotorConfig;
  clock: Clock;
  fetch: typeof fetch;
  timeoutMs: number;
}

const target = (c: RotorConfig) =>
  c.x.emulatorUrl ? `the X emulator at ${c.x.emulatorUrl}` : 'X (api.x.com)';

/** X answers at all, and this machine's clock agrees with X's `Date` header. */
export async function checkReachAndClock(o: XCheckOptions): Promise<CheckResult[]> {
  const url = `${xApiBase(o.config.x.emulatorUrl)}/2/users/me`;
  let res: Response;
  const sentAt = o.clock.now();
  try {
    res = await o.fetch(url, { signal: AbortSignal.timeout(o.timeoutMs), redirect: 'manual' });
    await res.body?.cancel().catch(() => undefined);
  } catch {
    return [
      {
        name: 'X reachable',
        status: 'fail',
        message: `cannot reach ${target(o.config)}`,
        fix: o.config.x.emulatorUrl
          ? 'start the emulator (`rotor emulator --port 4100`) or correct X_EMULATOR_URL'
          : 'check this machine’s internet access, DNS and any proxy or firewall for api.x.com',
      },
    ];
  }
  const results: CheckResult[] = [
    { name: 'X reachable', status: 'ok', message: `${target(o.config)} answered (HTTP ${res.status})` },
  ];
  const date = res.headers.get('date');
  const theirs = date ? Date.parse(date) : NaN;
  if (!Number.isFinite(theirs)) {
    results.push({
      name: 'clock',
      status: 'warn',
      message: 'X sent no Date header; the clock was not compared',
    });
    return results;
  }
  const mine = (sentAt + o.clock.now()) / 2;
  // The Date header has a one-second resolution: up to a second is no skew at all.
  const skew = Math.abs(mine - theirs) / 1000 - 1;
  const fix =
    'synchronise this machine’s clock (NTP: `timedatectl set-ntp true`, or your host’s time service)';
  if (skew > 30)
    results.push({
      name: 'clock',
      status: 'fail',
      message: `this clock is ${Math.round(skew)} s off X’s`,
      fix,
    });
  else if (skew > 5)
    results.push({
      name: 'clock',
      status: 'warn',
      message: `this clock is ${Math.round(skew)} s off X’s`,
      fix,
    });
  else results.push({ name: 'clock', status: 'ok', message: 'agrees with X’s within a few seconds' });
  return results;
}

/** What X made of one form of client authentication. */
type ClientVerdict = 'accepted' | 'refused' | 'unknown';

function verdictOf(outcome: RefreshOutcome): ClientVerdict {
  // A random refresh token belongs to nobody: X refusing the *token* (a 400 invalid_request or
  // invalid_grant) means it accepted the client; a 401 unauthorized_client means it did not.
  if (outcome.kind === 'invalid_client') return 'refused';
  if (outcome.kind === 'transient') return outcome.status === 400 ? 'accepted' : 'unknown';
  return 'accepted';
}

/**
 * The client id and secret are accepted by X, and in which HTTP Basic form (property 37): one
 * refresh with a dummy token with the values as they are (what Rotor sends, as X documents it),
 * and one with them form-urlencoded first (RFC 6749 §2.3.1, what generic OAuth libraries send).
 * Nobody else can ask the real X; this lets every operator ask it with their own credentials.
 */
export async function checkClient(o: XCheckOptions): Promise<CheckResult> {
  const provider = xProvider({
    clientId: o.config.x.clientId,
    clientSecret: o.config.x.clientSecret,
    redirectUri: o.config.x.redirectUri,
    emulatorUrl: o.config.x.emulatorUrl,
  });
  const id = o.config.x.clientId;
  const ask = async (p: OAuthProvider) =>
    verdictOf(
      await refreshTokens(p, randomBytes(32).toString('base64url'), {
        fetch: o.fetch,
        limits: { timeoutMs: o.timeoutMs },
      }),
    );
  const secret = o.config.x.clientSecret;
  // The two forms differ only when encoding changes a value (a public client sends no Basic).
  const formsDiffer = secret !== undefined && basicAsIs(id, secret) !== basicFormUrlEncoded(id, secret);
  const asIs = await ask(provider);
  const form = formsDiffer ? await ask({ ...provider, basicCredentials: 'form-urlencoded' }) : asIs;
  const name = 'client credentials';
  if (asIs === 'unknown' || form === 'unknown') {
    return {
      name,
      status: 'warn',
      message: 'X did not answer usefully; the credentials were not checked',
    };
  }
  if (asIs === 'accepted') {
    const forms = !formsDiffer
      ? 'the Basic forms are the same for these values'
      : form === 'accepted'
        ? 'X also accepts them form-urlencoded'
        : 'X refuses them form-urlencoded (RFC 6749 §2.3.1), as its docs imply';
    return {
      name,
      status: 'ok',
      message: `X accepts client ${id} with Basic base64(client_id:client_secret) as they are, as Rotor sends it; ${forms}`,
    };
  }
  if (form === 'accepted') {
    return {
      name,
      status: 'fail',
      message: `X accepts client ${id} only with the values form-urlencoded (RFC 6749 §2.3.1), not as they are, which is what X documents and Rotor sends`,
      fix: 'X has changed how it reads client authentication: report this to the Rotor project with this output',
    };
  }
  return {
    name,
    status: 'fail',
    message: `X refuses client ${id} in both Basic forms (as they are, and form-urlencoded)`,
    fix: 'copy X_CLIENT_ID and X_CLIENT_SECRET again from your app’s "Keys and tokens" page in the X developer portal (OAuth 2.0 Client ID and Client Secret); the callback URL is not the problem',
  };
}

/** The redirect URI is registered for this client (the emulator says; X cannot be asked). */
export async function checkRedirect(o: XCheckOptions): Promise<CheckResult> {
  const redirect = o.config.x.redirectUri;
  if (!o.config.x.emulatorUrl) {
    return {
      name: 'redirect URI',
      status: 'ok',
      message: `${redirect} (X cannot be asked: make sure it is registered byte for byte in your app’s "User authentication settings")`,
    };
  }
  const url = new URL('/i/oauth2/authorize', o.config.x.emulatorUrl);
  const challenge = createHash('sha256').update(randomBytes(32)).digest('base64url');
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: o.config.x.clientId,
    redirect_uri: redirect,
    scope: 'users.read',
    state: randomBytes(16).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })) {
    url.searchParams.set(k, v);
  }
  try {
    const res = await o.fetch(url, { signal: AbortSignal.timeout(o.timeoutMs), redirect: 'manual' });
    await res.body?.cancel().catch(() => undefined);
    // The consent page (200), or straight back to this callback (302) when the emulator approves by
    // itself: either way it accepted the redirect URI. A refused one gets an error page instead.
    const back = res.headers.get('location') ?? '';
    if (res.status === 200 || (res.status === 302 && back.startsWith(`${redirect}?`))) {
      return { name: 'redirect URI', status: 'ok', message: `${redirect} is registered` };
    }
    return {
      name: 'redirect URI',
      status: 'fail',
      message: `the emulator refuses ${redirect} for client ${o.config.x.clientId} (HTTP ${res.status})`,
      fix: 'set X_REDIRECT_URI to a callback registered for this client, byte for byte (127.0.0.1, not localhost)',
    };
  } catch {
    return { name: 'redirect URI', status: 'warn', message: 'the emulator did not answer; not checked' };
  }
}
