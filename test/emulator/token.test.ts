/**
 * The token endpoint (docs/x-fidelity.md): code exchange, client authentication, refresh-token
 * rotation, reuse of a spent refresh token under each policy, lifetimes on the emulator's
 * clock, revocation, and the grant actions a user takes on X.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api,
  basic,
  connect,
  control,
  DEMO_REDIRECT,
  emulator,
  getCode,
  refresh,
  state,
  tokenRequest,
} from '../helpers/emulator.ts';

const BAD_TOKEN = { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' };
const BAD_CODE = {
  error: 'invalid_request',
  error_description: 'Value passed for the authorization code was invalid.',
};

function decode(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}

describe('authorization_code grant', async () => {
  const emu = await emulator();
  const exchange = (
    code: string,
    verifier: string,
    extra: Record<string, string> = {},
    auth?: string | null,
  ) =>
    tokenRequest(
      emu,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: DEMO_REDIRECT,
        code_verifier: verifier,
        ...extra,
      },
      { auth },
    );

  test("answers X's success body with opaque tokens shaped like X's", async () => {
    const { code, verifier } = await getCode(emu);
    const res = await exchange(code, verifier);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), [
      'token_type',
      'expires_in',
      'access_token',
      'scope',
      'refresh_token',
    ]);
    assert.equal(res.body.token_type, 'bearer');
    assert.equal(res.body.expires_in, 7200);
    assert.equal(res.body.scope, 'tweet.read tweet.write users.read offline.access');
    assert.match(decode(String(res.body.access_token)), /^[A-Za-z0-9]{45}:\d+:1:1:at:1$/);
    assert.match(decode(String(res.body.refresh_token)), /^[A-Za-z0-9]{45}:\d+:1:1:rt:1$/);
    assert.match(decode(code), /:ac:1$/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('no refresh_token without offline.access', async () => {
    const { code, verifier } = await getCode(emu, 'alice', { scope: 'tweet.read users.read' });
    const res = await exchange(code, verifier);
    assert.equal(res.status, 200);
    assert.equal(res.body.refresh_token, undefined);
  });

  test('a code is single use; its reuse fails and revokes the grant it produced', async () => {
    const { code, verifier } = await getCode(emu);
    const first = await exchange(code, verifier);
    assert.equal(first.status, 200);
    const second = await exchange(code, verifier);
    assert.equal(second.status, 400);
    assert.deepEqual(second.body, BAD_CODE);
    const me = await api(emu, 'GET', '/2/users/me', String(first.body.access_token));
    assert.equal(me.status, 401, 'tokens of a replayed code are revoked (RFC 6749 §4.1.2)');
  });

  test('an expired code fails (30 s by default)', async () => {
    const own = await emulator();
    const { code, verifier } = await getCode(own);
    await control(own, 'POST', '/clock', { advanceSeconds: 31 });
    const res = await tokenRequest(own, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: DEMO_REDIRECT,
      code_verifier: verifier,
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, BAD_CODE);
  });

  test('a wrong verifier fails, and the code is spent', async () => {
    const { code, verifier } = await getCode(emu);
    const wrong = await exchange(code, 'x'.repeat(43));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error, 'invalid_request');
    assert.match(String(wrong.body.error_description), /code verifier/);
    assert.equal((await exchange(code, verifier)).status, 400);
  });

  test('redirect_uri must equal the authorization request byte for byte', async () => {
    const { code, verifier } = await getCode(emu);
    const res = await exchange(code, verifier, { redirect_uri: `${DEMO_REDIRECT}/` });
    assert.equal(res.status, 400);
    assert.match(String(res.body.error_description), /redirect uri/);
  });

  test('a confidential client without Basic auth gets X 401 unauthorized_client', async () => {
    const { code, verifier } = await getCode(emu);
    const expected = {
      error: 'unauthorized_client',
      error_description: 'Missing valid authorization header',
    };
    const none = await exchange(code, verifier, { client_id: 'rotor-demo' }, null);
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, expected);
    const wrong = await exchange(code, verifier, {}, basic('rotor-demo', 'not-the-secret'));
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, expected);
  });

  test('a JSON body is accepted as twitter-api-v2 1.29.1 sends it', async () => {
    const { code, verifier } = await getCode(emu);
    const res = await tokenRequest(
      emu,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: DEMO_REDIRECT,
        code_verifier: verifier,
        client_id: 'rotor-demo',
      },
      { json: true },
    );
    assert.equal(res.status, 200);
    assert.ok(res.body.refresh_token);
  });

  test('missing parameters and unknown grant types are named', async () => {
    const missing = await tokenRequest(emu, {
      grant_type: 'authorization_code',
      redirect_uri: DEMO_REDIRECT,
    });
    assert.deepEqual(missing.body, {
      error: 'invalid_request',
      error_description: 'Missing required parameter [code].',
    });
    const unknown = await tokenRequest(emu, { grant_type: 'password' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error, 'unsupported_grant_type');
    const repeated = await fetch(new URL('/2/oauth2/token', emu.url), {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=a&refresh_token=b',
    });
    assert.equal(repeated.status, 400);
  });
});

describe('public clients', async () => {
  const emu = await emulator({
    clients: [{ clientId: 'native-app', redirectUris: ['http://127.0.0.1:8080/cb'] }],
  });
  test('exchange and refresh with client_id in the body and no secret', async () => {
    const { code, verifier } = await getCode(emu, 'bob', {
      clientId: 'native-app',
      redirectUri: 'http://127.0.0.1:8080/cb',
    });
    const first = await tokenRequest(
      emu,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:8080/cb',
        code_verifier: verifier,
        client_id: 'native-app',
      },
      { auth: null },
    );
    assert.equal(first.status, 200);
    const next = await tokenRequest(
      emu,
      {
        grant_type: 'refresh_token',
        refresh_token: String(first.body.refresh_token),
        client_id: 'native-app',
      },
      { auth: null },
    );
    assert.equal(next.status, 200);
  });
  test('a refresh token works only for the client it was issued to', async () => {
    const { code, verifier } = await getCode(emu, 'bob', {
      clientId: 'native-app',
      redirectUri: 'http://127.0.0.1:8080/cb',
    });
    const first = await tokenRequest(
      emu,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:8080/cb',
        code_verifier: verifier,
        client_id: 'native-app',
      },
      { auth: null },
    );
    const stolen = await refresh(emu, String(first.body.refresh_token));
    assert.equal(stolen.status, 400);
    assert.deepEqual(stolen.body, BAD_TOKEN);
  });
});

describe('refresh-token rotation and reuse (family mode, the default)', async () => {
  const emu = await emulator();

  test('every refresh rotates both tokens; the old refresh token dies at once', async () => {
    const first = await connect(emu);
    const second = await refresh(emu, first.refresh_token);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    assert.notEqual(second.body.access_token, first.access_token);
    const third = await refresh(emu, String(second.body.refresh_token));
    assert.equal(third.status, 200);
  });

  test('reusing a spent refresh token revokes the whole family, the new tokens too', async () => {
    const before = await state(emu);
    const first = await connect(emu, 'bob');
    const second = await refresh(emu, first.refresh_token);
    const reuse = await refresh(emu, first.refresh_token);
    assert.equal(reuse.status, 400);
    assert.deepEqual(reuse.body, BAD_TOKEN);
    const after = await state(emu);
    assert.equal(after.reuseDetected, before.reuseDetected + 1);
    assert.equal(after.familiesRevoked, before.familiesRevoked + 1);
    // The winner's tokens are dead as well.
    assert.equal((await refresh(emu, String(second.body.refresh_token))).status, 400);
    assert.equal((await api(emu, 'GET', '/2/users/me', String(second.body.access_token))).status, 401);
    const grant = after.grants.find((g) => g.username === 'bob' && g.endReason === 'reuse');
    assert.equal(grant?.status, 'revoked');
  });

  test('the old access token stays valid after a refresh until its own expiry (default)', async () => {
    const first = await connect(emu);
    await refresh(emu, first.refresh_token);
    assert.equal((await api(emu, 'GET', '/2/users/me', first.access_token)).status, 200);
  });

  test('tokenRequests counts each grant type', async () => {
    const before = await state(emu);
    const first = await connect(emu);
    await refresh(emu, first.refresh_token);
    const after = await state(emu);
    assert.equal(after.tokenRequests.authorization_code, before.tokenRequests.authorization_code + 1);
    assert.equal(after.tokenRequests.refresh_token, before.tokenRequests.refresh_token + 1);
  });
});

describe('reuse policy: token', async () => {
  const emu = await emulator({ reuse: 'token' });
  test('only the spent token fails; the family lives on', async () => {
    const first = await connect(emu);
    const second = await refresh(emu, first.refresh_token);
    assert.equal((await refresh(emu, first.refresh_token)).status, 400);
    assert.equal((await refresh(emu, String(second.body.refresh_token))).status, 200);
    const s = await state(emu);
    assert.equal(s.reuseDetected, 1);
    assert.equal(s.familiesRevoked, 0);
  });
});

describe('reuse policy: grace', async () => {
  const emu = await emulator({ reuse: 'grace', reuseGraceSeconds: 5 });
  test('within the window the same successor pair is answered again', async () => {
    const first = await connect(emu);
    const second = await refresh(emu, first.refresh_token);
    const again = await refresh(emu, first.refresh_token);
    assert.equal(again.status, 200);
    assert.equal(again.body.refresh_token, second.body.refresh_token);
    assert.equal(again.body.access_token, second.body.access_token);
  });
  test('after the window, reuse revokes the family', async () => {
    const first = await connect(emu, 'bob');
    const second = await refresh(emu, first.refresh_token);
    await control(emu, 'POST', '/clock', { advanceSeconds: 6 });
    assert.equal((await refresh(emu, first.refresh_token)).status, 400);
    assert.equal((await refresh(emu, String(second.body.refresh_token))).status, 400);
  });
});

describe('lifetimes on the emulator clock', () => {
  test('the access token expires after accessTokenTtl', async () => {
    const emu = await emulator({ accessTokenTtl: 60 });
    const t = await connect(emu);
    assert.equal(t.expires_in, 60);
    assert.equal((await api(emu, 'GET', '/2/users/me', t.access_token)).status, 200);
    await control(emu, 'POST', '/clock', { advanceSeconds: 61 });
    assert.equal((await api(emu, 'GET', '/2/users/me', t.access_token)).status, 401);
    const next = await refresh(emu, t.refresh_token);
    assert.equal(next.status, 200);
    assert.equal((await api(emu, 'GET', '/2/users/me', String(next.body.access_token))).status, 200);
  });

  test('absolute refresh life: counted from consent, whatever the refreshes', async () => {
    const emu = await emulator({ refreshTokenTtl: 1000 });
    let t = await connect(emu);
    for (let i = 0; i < 3; i += 1) {
      await control(emu, 'POST', '/clock', { advanceSeconds: 300 });
      const r = await refresh(emu, t.refresh_token);
      assert.equal(r.status, 200);
      t = r.body as unknown as typeof t;
    }
    await control(emu, 'POST', '/clock', { advanceSeconds: 101 });
    const late = await refresh(emu, t.refresh_token);
    assert.equal(late.status, 400);
    assert.deepEqual(late.body, BAD_TOKEN);
    assert.equal((await state(emu)).grants[0]?.status, 'expired');
  });

  test('the default refresh life is 180 days', async () => {
    const emu = await emulator();
    const t = await connect(emu);
    await control(emu, 'POST', '/clock', { advanceSeconds: 179 * 86400 });
    const ok = await refresh(emu, t.refresh_token);
    assert.equal(ok.status, 200);
    await control(emu, 'POST', '/clock', { advanceSeconds: 86400 });
    assert.equal((await refresh(emu, String(ok.body.refresh_token))).status, 400);
  });

  test('sliding refresh life: each refresh token lives refreshTokenTtl from its issue', async () => {
    const emu = await emulator({ refreshTokenTtl: 1000, refreshTokenExpiry: 'sliding' });
    let t = await connect(emu);
    for (let i = 0; i < 4; i += 1) {
      await control(emu, 'POST', '/clock', { advanceSeconds: 900 });
      const r = await refresh(emu, t.refresh_token);
      assert.equal(r.status, 200, `refresh ${i} within the sliding window`);
      t = r.body as unknown as typeof t;
    }
    await control(emu, 'POST', '/clock', { advanceSeconds: 1001 });
    assert.equal((await refresh(emu, t.refresh_token)).status, 400);
  });

  test('revokeAccessTokenOnRefresh kills the previous access token at once', async () => {
    const emu = await emulator({ revokeAccessTokenOnRefresh: true });
    const t = await connect(emu);
    const next = await refresh(emu, t.refresh_token);
    assert.equal((await api(emu, 'GET', '/2/users/me', t.access_token)).status, 401);
    assert.equal((await api(emu, 'GET', '/2/users/me', String(next.body.access_token))).status, 200);
  });

  test('the clock refuses to go backwards', async () => {
    const emu = await emulator();
    const res = await control(emu, 'POST', '/clock', { advanceSeconds: -5 });
    assert.equal(res.status, 400);
  });
});

describe('revocation (RFC 7009)', async () => {
  const emu = await emulator();
  const revoke = (params: Record<string, string>, auth: string | null = basic()) =>
    fetch(new URL('/2/oauth2/revoke', emu.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(auth ? { authorization: auth } : {}),
      },
      body: new URLSearchParams(params),
    });

  test('revoking the refresh token ends the grant: both tokens die', async () => {
    const t = await connect(emu);
    const res = await revoke({ token: t.refresh_token, token_type_hint: 'refresh_token' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { revoked: true });
    assert.equal((await refresh(emu, t.refresh_token)).status, 400);
    assert.equal((await api(emu, 'GET', '/2/users/me', t.access_token)).status, 401);
  });

  test('revoking the access token kills only it', async () => {
    const t = await connect(emu);
    assert.equal((await revoke({ token: t.access_token, token_type_hint: 'access_token' })).status, 200);
    assert.equal((await api(emu, 'GET', '/2/users/me', t.access_token)).status, 401);
    assert.equal((await refresh(emu, t.refresh_token)).status, 200);
  });

  test('token_type_hint is required, as X has answered', async () => {
    const t = await connect(emu);
    const res = await revoke({ token: t.refresh_token });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: 'invalid_request',
      error_description: 'Missing required parameter [token_type_hint].',
    });
  });

  test('an unknown token is answered with success; client auth is still required', async () => {
    assert.equal((await revoke({ token: 'nope', token_type_hint: 'access_token' })).status, 200);
    assert.equal(
      (await revoke({ token: 'nope', token_type_hint: 'access_token', client_id: 'rotor-demo' }, null))
        .status,
      401,
    );
  });
});

describe('what a user does on X', async () => {
  const emu = await emulator();
  test('revoking the app in connected apps ends every grant of that user', async () => {
    const t = await connect(emu, 'alice');
    const other = await connect(emu, 'bob');
    const res = await control(emu, 'POST', '/grants/revoke', { username: 'alice', clientId: 'rotor-demo' });
    assert.deepEqual(res.body, { revoked: 1 });
    assert.equal((await refresh(emu, t.refresh_token)).status, 400);
    assert.equal((await api(emu, 'GET', '/2/users/me', t.access_token)).status, 401);
    assert.equal((await refresh(emu, other.refresh_token)).status, 200, 'bob is untouched');
    const grant = (await state(emu)).grants.find((g) => g.username === 'alice');
    assert.equal(grant?.endReason, 'revoked_by_user');
  });

  test('ending a grant early stops refreshes but leaves the access token to its expiry', async () => {
    const t = await connect(emu, 'bob');
    const res = await control(emu, 'POST', '/grants/expire', { username: 'bob' });
    assert.ok(Number(res.body.expired) >= 1);
    assert.equal((await refresh(emu, t.refresh_token)).status, 400);
    assert.equal((await api(emu, 'GET', '/2/users/me', t.access_token)).status, 200);
  });

  test('unknown users and bad bodies are refused clearly', async () => {
    assert.equal((await control(emu, 'POST', '/grants/revoke', { username: 'nobody' })).status, 404);
    const bad = await control(emu, 'POST', '/grants/revoke', { user: 'alice' });
    assert.equal(bad.status, 400);
  });
});
