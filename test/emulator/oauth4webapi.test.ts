/**
 * An independent OAuth 2.0 client, written with `oauth4webapi`, against the emulator. It
 * knows nothing of Rotor's code except the emulator's URL: the authorization-server metadata
 * is built by hand from the endpoints as X documents them, and every request and response goes
 * through the library's own checks (PKCE, state, token response shape, error responses).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { emulator } from '../helpers/emulator.ts';

const SCOPES = 'tweet.read tweet.write users.read offline.access';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

/**
 * Client authentication as X documents it: `Basic base64(client_id:client_secret)`, the values
 * as they are — written here through oauth4webapi's custom `ClientAuth` hook, not Rotor's.
 */
function xBasic(secret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    headers.set('authorization', `Basic ${btoa(`${client.client_id}:${secret}`)}`);
  };
}

function authorizationServer(url: string): oauth.AuthorizationServer {
  return {
    issuer: url,
    authorization_endpoint: `${url}/i/oauth2/authorize`,
    token_endpoint: `${url}/2/oauth2/token`,
    revocation_endpoint: `${url}/2/oauth2/revoke`,
  };
}

interface Party {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  auth: oauth.ClientAuth;
  redirectUri: string;
}

/** Runs the authorization request (auto-approved) and the code exchange, all via oauth4webapi. */
async function authorize(p: Party): Promise<oauth.TokenEndpointResponse> {
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const url = new URL(p.as.authorization_endpoint ?? '');
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', p.client.client_id);
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('scope', SCOPES);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');

  const res = await fetch(url, { redirect: 'manual' });
  await res.body?.cancel();
  assert.equal(res.status, 302, 'auto-approve redirects at once');
  const location = new URL(res.headers.get('location') ?? '');
  assert.equal(`${location.origin}${location.pathname}`, p.redirectUri);

  const params = oauth.validateAuthResponse(p.as, p.client, location, state);
  const tokenRes = await oauth.authorizationCodeGrantRequest(
    p.as,
    p.client,
    p.auth,
    params,
    p.redirectUri,
    verifier,
    insecure,
  );
  return oauth.processAuthorizationCodeResponse(p.as, p.client, tokenRes);
}

async function refresh(p: Party, refreshToken: string): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.refreshTokenGrantRequest(p.as, p.client, p.auth, refreshToken, insecure);
  return oauth.processRefreshTokenResponse(p.as, p.client, res);
}

async function revoke(p: Party, token: string, hint: 'access_token' | 'refresh_token'): Promise<undefined> {
  const res = await oauth.revocationRequest(p.as, p.client, p.auth, token, {
    ...insecure,
    additionalParameters: { token_type_hint: hint },
  });
  return oauth.processRevocationResponse(res);
}

async function usersMe(p: Party, accessToken: string): Promise<{ status: number; body: unknown }> {
  const res = await oauth.protectedResourceRequest(
    accessToken,
    'GET',
    new URL('/2/users/me', p.as.issuer),
    undefined,
    undefined,
    insecure,
  );
  return { status: res.status, body: await res.json() };
}

/** The error oauth4webapi raises for an OAuth error response, checked field by field. */
function isResponseBodyError(error: string, status: number) {
  return (e: unknown) => {
    assert.ok(e instanceof oauth.ResponseBodyError, `expected a ResponseBodyError, got ${String(e)}`);
    assert.equal(e.code, oauth.RESPONSE_BODY_ERROR);
    assert.equal(e.error, error);
    assert.equal(e.status, status);
    return true;
  };
}

describe('oauth4webapi as a confidential client (rotor-demo, Basic as X documents it)', async () => {
  const emu = await emulator({ autoApprove: 'alice' });
  const party: Party = {
    as: authorizationServer(emu.url),
    client: { client_id: 'rotor-demo' },
    auth: xBasic('rotor-demo-secret'),
    redirectUri: 'http://127.0.0.1:3000/auth/x/callback',
  };
  let first: oauth.TokenEndpointResponse;
  let second: oauth.TokenEndpointResponse;

  test('authorization code exchange passes oauth4webapi’s response checks', async () => {
    first = await authorize(party);
    assert.equal(first.token_type, 'bearer');
    assert.equal(typeof first.access_token, 'string');
    assert.equal(typeof first.refresh_token, 'string');
    assert.equal(first.expires_in, 7200);
    assert.equal(first.scope, SCOPES);
  });

  test('the access token works on GET /2/users/me (as alice)', async () => {
    const me = await usersMe(party, first.access_token);
    assert.equal(me.status, 200);
    assert.equal((me.body as { data: { username: string } }).data.username, 'alice');
  });

  test('refresh returns a new, different refresh token and a working access token', async () => {
    second = await refresh(party, first.refresh_token ?? '');
    assert.equal(second.token_type, 'bearer');
    assert.ok(second.refresh_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.notEqual(second.access_token, first.access_token);
    const me = await usersMe(party, second.access_token);
    assert.equal(me.status, 200);
  });

  test('refreshing with the spent refresh token fails with a ResponseBodyError invalid_request', async () => {
    await assert.rejects(
      refresh(party, first.refresh_token ?? ''),
      isResponseBodyError('invalid_request', 400),
    );
  });

  test('revocation with token_type_hint=refresh_token succeeds and the token stops working', async () => {
    const fresh = await authorize(party);
    assert.equal(await revoke(party, fresh.refresh_token ?? '', 'refresh_token'), undefined);
    await assert.rejects(
      refresh(party, fresh.refresh_token ?? ''),
      isResponseBodyError('invalid_request', 400),
    );
    assert.equal((await usersMe(party, fresh.access_token)).status, 401);
  });

  test('revocation of an access token (token_type_hint=access_token) succeeds and it stops working', async () => {
    const fresh = await authorize(party);
    assert.equal(await revoke(party, fresh.access_token, 'access_token'), undefined);
    assert.equal((await usersMe(party, fresh.access_token)).status, 401);
  });

  test('a wrong client secret is an OAuth error response, not a success', async () => {
    const wrong: Party = { ...party, auth: xBasic('not-the-secret') };
    const fresh = await authorize(party);
    await assert.rejects(
      refresh(wrong, fresh.refresh_token ?? ''),
      isResponseBodyError('unauthorized_client', 401),
    );
  });
});

describe('oauth4webapi’s RFC 6749 Basic (values form-urlencoded) against a server that reads Basic as X does', async () => {
  // X's client ids and secrets are base64url: `-`, `_`, `.`, `~` are the characters that
  // oauth4webapi's ClientSecretBasic encodes (`rotor-demo` goes out as `rotor%2Ddemo`).
  const client = {
    clientId: 'Xk-9_a.b~Q',
    clientSecret: 'Sx_3-y.z~W-_',
    redirectUris: ['http://127.0.0.1:8766/cb'],
  };
  const strict = await emulator({ autoApprove: 'alice', clients: [client] });
  const lenient = await emulator({ autoApprove: 'alice', clients: [client], lenientBasicAuth: true });
  const party = (url: string, auth: oauth.ClientAuth): Party => ({
    as: authorizationServer(url),
    client: { client_id: client.clientId },
    auth,
    redirectUri: 'http://127.0.0.1:8766/cb',
  });

  test('strict (the default): the over-encoded header gets X’s 401 unauthorized_client', async () => {
    await assert.rejects(
      authorize(party(strict.url, oauth.ClientSecretBasic(client.clientSecret))),
      (e: unknown) => {
        assert.ok(e instanceof oauth.ResponseBodyError);
        assert.equal(e.status, 401);
        assert.deepEqual(e.cause, {
          error: 'unauthorized_client',
          error_description: 'Missing valid authorization header',
        });
        return true;
      },
    );
  });

  test('strict: the same credentials as they are are accepted', async () => {
    const tokens = await authorize(party(strict.url, xBasic(client.clientSecret)));
    assert.ok(tokens.refresh_token);
  });

  test('lenientBasicAuth: the over-encoded header is accepted too', async () => {
    const tokens = await authorize(party(lenient.url, oauth.ClientSecretBasic(client.clientSecret)));
    assert.ok(tokens.refresh_token);
  });
});

describe('oauth4webapi as a public client (client_id in the body, no secret)', async () => {
  const emu = await emulator({
    autoApprove: 'bob',
    clients: [{ clientId: 'public-app', redirectUris: ['http://127.0.0.1:8765/cb'] }],
  });
  const party: Party = {
    as: authorizationServer(emu.url),
    client: { client_id: 'public-app' },
    auth: oauth.None(),
    redirectUri: 'http://127.0.0.1:8765/cb',
  };

  test('code exchange and refresh succeed with oauth.None()', async () => {
    const tokens = await authorize(party);
    assert.ok(tokens.refresh_token);
    const me = await usersMe(party, tokens.access_token);
    assert.equal(me.status, 200);
    assert.equal((me.body as { data: { username: string } }).data.username, 'bob');
    const next = await refresh(party, tokens.refresh_token);
    assert.ok(next.refresh_token);
    assert.notEqual(next.refresh_token, tokens.refresh_token);
    assert.equal((await usersMe(party, next.access_token)).status, 200);
  });

  test('revocation with oauth.None() succeeds', async () => {
    const tokens = await authorize(party);
    assert.equal(await revoke(party, tokens.refresh_token ?? '', 'refresh_token'), undefined);
    await assert.rejects(
      refresh(party, tokens.refresh_token ?? ''),
      isResponseBodyError('invalid_request', 400),
    );
  });
});
