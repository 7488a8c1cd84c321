/**
 * Connecting an account through {@link Connector} against the emulator, on both store backends
 * (properties 1–6 and 8): PKCE S256, a fresh state bound to the browser, refusals before any
 * token request, single use, expiry, Cancel at X, the exact redirect URI, safe "return to" paths
 * and constant-time comparison. Reconnecting keeps the account.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { isRotorError, RotorError } from '../../src/core/errors.ts';
import { open } from '../../src/crypto/aead.ts';
import type { FetchLike } from '../../src/oauth/bounded-fetch.ts';
import { findAccount, listAccounts, markReauthRequired } from '../../src/store/accounts.ts';
import { Connector, safeReturnTo, sameSecret } from '../../src/vault/connect.ts';
import { BACKENDS } from '../helpers/db.ts';
import { consent, DEMO_REDIRECT, state } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';

const B64URL = /^[A-Za-z0-9_-]+$/;
const sha256url = (s: string) => createHash('sha256').update(s).digest('base64url');

/** Asserts a refusal: a RotorError `authorization_failed` with a plain message. */
function refusal(pattern?: RegExp, mustNotContain: string[] = []) {
  return (e: unknown) => {
    assert.ok(isRotorError(e, 'authorization_failed'), `expected authorization_failed, got ${String(e)}`);
    assert.ok(e instanceof RotorError);
    if (pattern) assert.match(e.message, pattern);
    assert.ok(!/\n\s+at /.test(e.message), 'no stack trace in the message');
    for (const s of mustNotContain) assert.ok(!e.message.includes(s), 'no secret in the message');
    return true;
  };
}

for (const backend of BACKENDS) {
  describe(`connect on ${backend}`, async () => {
    const s = await vaultSetup(backend);
    const codeExchanges = async () => (await state(s.emu)).tokenRequests.authorization_code;
    /** Starts an authorization and answers X's consent page; returns the callback URL. */
    const authorize = async (username = 'alice', decision: 'allow' | 'deny' = 'allow') => {
      const begun = await s.connector.begin();
      const back = await consent(s.emu, new URL(begun.url), username, decision);
      return { ...begun, back };
    };
    const transaction = async (st: string) =>
      (
        await s.t.db.query<{ redirect_uri: string; verifier_ct: string; return_to: string | null }>(
          'SELECT redirect_uri, verifier_ct, return_to FROM oauth_transactions WHERE state_hash = $1',
          [sha256url(st)],
        )
      ).rows[0];

    test('begin(): PKCE S256, a ≥128-bit state and the exact redirect_uri (property 1)', async () => {
      const { url, state: st } = await s.connector.begin();
      const u = new URL(url);
      assert.equal(`${u.origin}${u.pathname}`, `${s.emu.url.replace(/\/$/, '')}/i/oauth2/authorize`);
      assert.equal(u.searchParams.get('response_type'), 'code');
      assert.equal(u.searchParams.get('client_id'), s.provider.clientId);
      assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(u.searchParams.get('redirect_uri'), DEMO_REDIRECT);
      assert.deepEqual(u.searchParams.getAll('state'), [st]);
      assert.match(st, B64URL);
      assert.ok(st.length >= 22, `state has ≥ 128 bits (got ${st.length} base64url chars)`);
      assert.ok(Buffer.from(st, 'base64url').length >= 16);
      const other = await s.connector.begin();
      assert.notEqual(other.state, st, 'a fresh state each time');
      // Bound server-side, stored only as its hash.
      const tx = await transaction(st);
      assert.ok(tx, 'the transaction is stored under the hash of the state');
      assert.equal(tx.redirect_uri, DEMO_REDIRECT);
      const raw = await s.t.db.query('SELECT * FROM oauth_transactions');
      assert.ok(!JSON.stringify(raw.rows).includes(st), 'the state itself is not stored');
    });

    test('the PKCE verifier is ≥ 32 random bytes and the challenge is its SHA-256 (property 1)', async () => {
      const verifiers = new Set<string>();
      for (let i = 0; i < 3; i += 1) {
        const { url, state: st } = await s.connector.begin();
        const challenge = new URL(url).searchParams.get('code_challenge') ?? '';
        assert.equal(challenge.length, 43, 'base64url of a 32-byte SHA-256, no padding');
        assert.match(challenge, B64URL);
        const tx = await transaction(st);
        assert.ok(tx);
        assert.ok(!tx.verifier_ct.includes(challenge));
        const verifier = open(s.keyRing, tx.verifier_ct, {
          table: 'oauth_transactions',
          row: sha256url(st),
          field: 'verifier',
        });
        assert.match(verifier, /^[A-Za-z0-9._~-]{43,128}$/);
        assert.ok(Buffer.from(verifier, 'base64url').length >= 32, 'verifier from ≥ 32 random bytes');
        assert.equal(sha256url(verifier), challenge, 'S256: challenge = BASE64URL(SHA256(verifier))');
        verifiers.add(verifier);
      }
      assert.equal(verifiers.size, 3, 'a fresh verifier each time');
    });

    test('a callback without state is refused with no token request (property 2)', async () => {
      const { back } = await authorize();
      back.searchParams.delete('state');
      const before = await codeExchanges();
      await assert.rejects(s.connector.complete(back), refusal(/state/));
      assert.equal(await codeExchanges(), before);
    });

    test('a callback with the state repeated is refused with no token request (property 2)', async () => {
      const { back, state: st } = await authorize();
      back.searchParams.append('state', st);
      assert.equal(back.searchParams.getAll('state').length, 2);
      const before = await codeExchanges();
      await assert.rejects(s.connector.complete(back), refusal(undefined, [st]));
      const other = new URL(back);
      other.searchParams.delete('state');
      other.searchParams.append('state', st);
      other.searchParams.append('state', randomBytes(32).toString('base64url'));
      await assert.rejects(s.connector.complete(other), refusal(undefined, [st]));
      assert.equal(await codeExchanges(), before);
    });

    test('a state nobody issued is refused with no token request (property 2)', async () => {
      const { back } = await authorize();
      const forged = new URL(back);
      forged.searchParams.set('state', randomBytes(32).toString('base64url'));
      const before = await codeExchanges();
      await assert.rejects(s.connector.complete(forged), refusal(/expired or was already used/));
      assert.equal(await codeExchanges(), before);
    });

    test('a state that is not this browser’s (expectedState mismatch) is refused with no token request (property 2)', async () => {
      const { back, state: st } = await authorize();
      const mine = await s.connector.begin(); // this browser started another sign-in
      const before = await codeExchanges();
      await assert.rejects(
        s.connector.complete(back, { expectedState: mine.state }),
        refusal(/another browser/, [st, mine.state]),
      );
      assert.equal(await codeExchanges(), before);
      // The refusal did not burn the transaction of the browser that did start it.
      const done = await s.connector.complete(back, { expectedState: st });
      assert.ok(done.accountId);
      assert.equal(await codeExchanges(), before + 1);
    });

    test('a replayed callback is refused the second time with no token request (property 3)', async () => {
      const { back } = await authorize();
      const first = await s.connector.complete(back);
      assert.ok(first.accountId);
      const before = await codeExchanges();
      await assert.rejects(s.connector.complete(back), refusal(/expired or was already used/));
      await assert.rejects(s.connector.complete(new URL(back)), refusal());
      assert.equal(await codeExchanges(), before);
    });

    test('an expired transaction is refused with no token request (property 2)', async () => {
      const { back, state: st } = await authorize();
      await s.t.db.query(
        "UPDATE oauth_transactions SET expires_at = now() - interval '1 second' WHERE state_hash = $1",
        [sha256url(st)],
      );
      const before = await codeExchanges();
      await assert.rejects(s.connector.complete(back), refusal(/expired/));
      assert.equal(await codeExchanges(), before);
      assert.equal(await transaction(st), undefined, 'the expired transaction is gone');
    });

    test('a transaction lives at most ten minutes (property 2)', async () => {
      const { state: st } = await s.connector.begin();
      const row = (
        await s.t.db.query<{ ttl: number }>(
          'SELECT extract(epoch FROM expires_at - created_at)::float8 AS ttl FROM oauth_transactions WHERE state_hash = $1',
          [sha256url(st)],
        )
      ).rows[0];
      assert.ok(row && row.ttl > 0 && row.ttl <= 600, `ttl ${row?.ttl} s`);
    });

    test('Cancel on X’s consent page → a friendly refusal, nothing connected (property 4)', async () => {
      const accountsBefore = (await listAccounts(s.t.db)).length;
      const { back } = await authorize('hanako', 'deny');
      assert.equal(back.searchParams.get('error'), 'access_denied');
      const before = await codeExchanges();
      await assert.rejects(s.connector.complete(back), refusal(/Nothing was connected/i));
      assert.equal(await codeExchanges(), before);
      assert.equal((await listAccounts(s.t.db)).length, accountsBefore);
      assert.equal(await findAccount(s.t.db, { username: 'hanako', provider: 'x' }), undefined);
    });

    test('the token request’s redirect_uri equals the authorization request’s byte for byte (property 5)', async () => {
      const sent: URLSearchParams[] = [];
      const recording: FetchLike = async (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        if (url.endsWith('/2/oauth2/token')) {
          const body = init?.body;
          sent.push(
            new URLSearchParams(typeof body === 'string' || body instanceof URLSearchParams ? body : ''),
          );
        }
        return fetch(input, init);
      };
      const connector = new Connector({
        db: s.t.db,
        provider: s.provider,
        keyRing: s.keyRing,
        clock: { now: () => s.emu.world.now() },
        fetch: recording,
      });
      const { url, state: st } = await connector.begin();
      const asked = new URL(url).searchParams.get('redirect_uri');
      assert.equal((await transaction(st))?.redirect_uri, asked, 'the transaction keeps the exact URI');
      const back = await consent(s.emu, new URL(url), 'alice');
      const done = await connector.complete(back); // the emulator refuses a mismatch
      assert.ok(done.accountId);
      assert.equal(sent.length, 1);
      assert.equal(sent[0]?.get('grant_type'), 'authorization_code');
      assert.equal(sent[0]?.get('redirect_uri'), asked);
    });

    test('returnTo survives the round trip only as a same-origin relative path (property 6)', async () => {
      for (const [given, expected] of [
        ['/dashboard?x=1', '/dashboard?x=1'],
        ['https://evil.example', '/'],
        ['//evil.example/x', '/'],
      ] as const) {
        const { url, state: st } = await s.connector.begin({ returnTo: given });
        assert.equal((await transaction(st))?.return_to, expected);
        const back = await consent(s.emu, new URL(url), 'bob');
        assert.equal((await s.connector.complete(back)).returnTo, expected);
      }
    });

    test('reconnecting the same X user keeps the account id and makes it active again', async () => {
      const { back } = await authorize('bob');
      const first = await s.connector.complete(back);
      assert.equal(await markReauthRequired(s.t.db, first.accountId, 'revoked'), true);
      const marked = await findAccount(s.t.db, { id: first.accountId });
      assert.equal(marked?.status, 'reauth_required');
      assert.equal(marked?.reason, 'revoked');
      const again = await s.connector.complete((await authorize('bob')).back);
      assert.equal(again.accountId, first.accountId);
      assert.equal(again.ownerId, first.ownerId);
      assert.equal(again.username, 'bob');
      const row = await findAccount(s.t.db, { id: first.accountId });
      assert.equal(row?.status, 'active');
      assert.equal(row?.reason, null);
      const bobs = (await listAccounts(s.t.db)).filter((a) => a.username === 'bob');
      assert.equal(bobs.length, 1, 'no second account for the same X user');
      s.vault.forget(first.accountId);
      assert.ok((await s.vault.getAccessToken(first.accountId)).accessToken, 'its new token works');
    });
  });
}

describe('safeReturnTo (property 6)', () => {
  test('keeps same-origin relative paths', () => {
    assert.equal(safeReturnTo('/dashboard?x=1'), '/dashboard?x=1');
    assert.equal(safeReturnTo('/'), '/');
    assert.equal(safeReturnTo('/accounts/42#posts'), '/accounts/42#posts');
  });

  test('sends anything else to /', () => {
    for (const value of [
      'https://evil.example',
      '//evil.example',
      '/\\evil',
      '\\\\evil.example',
      'javascript:alert(1)',
      // Paths that become protocol-relative once normalised.
      '/.//evil.example',
      '/%2e%2e//evil.example',
      '/a/..//evil.example',
      'dashboard',
      '',
      null,
      undefined,
    ]) {
      assert.equal(safeReturnTo(value), '/', `for ${String(value)}`);
    }
  });
});

describe('sameSecret (property 8)', () => {
  test('true only for equal strings, whatever their lengths', () => {
    const secret = randomBytes(32).toString('base64url');
    assert.equal(sameSecret(secret, `${secret}`), true);
    assert.equal(sameSecret('', ''), true);
    assert.equal(sameSecret('状態🔑', '状態🔑'), true);
    assert.equal(sameSecret(secret, `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`), false);
    assert.equal(sameSecret(secret, secret.slice(0, -1)), false, 'shorter');
    assert.equal(sameSecret(secret, `${secret}x`), false, 'longer');
    assert.equal(sameSecret(secret, ''), false);
    assert.equal(sameSecret('', secret), false);
  });
});
