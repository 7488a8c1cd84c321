/**
 * The store, one shared suite on every backend (PGlite and PostgreSQL): migrations, accounts,
 * the refresh lease (owned, expiring, fenced by the row version; property 11), the rotation
 * compare-and-swap (property 12), the in-doubt mark (property 16), reauthorization (property
 * 14), deletion, pending authorizations (properties 2–3), and PGlite's one process per folder.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  deleteAccount,
  findAccount,
  listAccounts,
  markReauthRequired,
  saveConnection,
  type NewConnection,
} from '../../src/store/accounts.ts';
import { DataDirBusyError, lockDataDir } from '../../src/store/data-dir-lock.ts';
import type { Db } from '../../src/store/db.ts';
import { listMigrations, migrate } from '../../src/store/migrate.ts';
import { insertTransaction, takeTransaction } from '../../src/store/oauth-transactions.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import {
  acquireLease,
  holdLease,
  markSent,
  unmarkSent,
  readTokenSet,
  releaseLease,
  storeRotation,
  type Rotation,
} from '../../src/store/token-sets.ts';
import { BACKENDS, createPgDatabase, openTestDb, type Backend } from '../helpers/db.ts';

/** An empty, unmigrated database on `backend`, closed after the file. */
async function openBlank(backend: Backend): Promise<{ db: Db; reopen: () => Db | undefined }> {
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'rotor-store-'));
    const db = await openPglite(dir, 'test');
    after(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { db, reopen: () => undefined };
  }
  const url = await createPgDatabase();
  const db = openPostgres(url);
  const others: Db[] = [];
  after(async () => {
    await Promise.all([db, ...others].map((d) => d.close()));
  });
  return {
    db,
    reopen: () => {
      const d = openPostgres(url);
      others.push(d);
      return d;
    },
  };
}

let seq = 0;
function connection(username: string, over: Partial<NewConnection> = {}): NewConnection {
  seq += 1;
  return {
    provider: 'x',
    subject: `${1_000_000 + seq}${randomBytes(3).toString('hex')}`,
    username,
    displayName: `${username} display`,
    ownerId: undefined,
    consentedAt: Date.now(),
    scope: 'tweet.read tweet.write users.read offline.access',
    accessExpiresAt: Date.now() + 7_200_000,
    keyId: 'k1',
    ...over,
  };
}

const rotation = (tag: string, refresh: string | null = `refresh-${tag}`): Rotation => ({
  accessCt: `access-${tag}`,
  refreshCt: refresh,
  keyId: 'k1',
  accessExpiresAt: Date.now() + 7_200_000,
  scope: 'tweet.read users.read offline.access',
});

for (const backend of BACKENDS) {
  describe(`store on ${backend}`, async () => {
    const t = await openTestDb(backend);
    after(() => t.close());
    const db = t.db;
    const save = (c: NewConnection) =>
      db.transaction((q) =>
        saveConnection(q, c, (id) => ({ accessCt: `access-0-${id}`, refreshCt: `refresh-0-${id}` })),
      );
    const newAccount = async (username = `u${randomBytes(4).toString('hex')}`) =>
      (await save(connection(username))).accountId;
    const row = async (id: string) => {
      const r = await readTokenSet(db, id);
      assert.ok(r, 'token set exists');
      return r;
    };

    test('migrate() applies every numbered migration once, in order, records them, and is idempotent', async () => {
      const { db: blank, reopen } = await openBlank(backend);
      const all = listMigrations();
      assert.deepEqual(
        all.slice(0, 2).map((m) => [m.id, m.name]),
        [
          [1, 'accounts_and_tokens'],
          [2, 'rotation_receipts'],
        ],
      );
      // Numbers grow; they need not be contiguous (each branch takes its own number).
      assert.ok(
        all.every((m, i) => i === 0 || m.id > (all[i - 1]?.id ?? 0)),
        'numbered in increasing order',
      );
      assert.deepEqual(
        await migrate(blank),
        all.map((m) => m.id),
      );
      assert.deepEqual(await migrate(blank), [], 'second call applies nothing');
      const rows = await blank.query<{ id: number; name: string }>(
        'SELECT id, name FROM rotor_migrations ORDER BY id',
      );
      assert.deepEqual(
        rows.rows,
        all.map((m) => ({ id: m.id, name: m.name })),
      );
      const tables = await blank.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.tables
         WHERE table_name IN ('users', 'accounts', 'token_sets', 'oauth_transactions')`,
      );
      assert.equal(tables.rows[0]?.n, 4);
      // Already migrated by the helper: nothing to do here either.
      assert.deepEqual(await migrate(db), []);
      const other = reopen();
      if (other) assert.deepEqual(await migrate(other), [], 'another process sees it applied');
    });

    test('many workers migrating together apply each migration once', async () => {
      const { db: blank, reopen } = await openBlank(backend);
      const dbs = [blank, reopen() ?? blank, reopen() ?? blank, reopen() ?? blank];
      const results = await Promise.all(dbs.map((d) => migrate(d)));
      assert.deepEqual(
        results.flat().sort((a, b) => a - b),
        listMigrations().map((m) => m.id),
      );
      const rows = await blank.query('SELECT id FROM rotor_migrations');
      assert.equal(rows.rows.length, listMigrations().length);
    });

    test('saveConnection, then listAccounts and findAccount (by id, by username any case, with @)', async () => {
      const saved = await save(connection('Store_Alice', { displayName: '山田花子' }));
      const other = await save(connection('store_zed'));
      assert.notEqual(saved.accountId, other.accountId);
      const byId = await findAccount(db, { id: saved.accountId });
      assert.equal(byId?.username, 'Store_Alice');
      assert.equal(byId?.displayName, '山田花子');
      assert.equal(byId?.status, 'active');
      assert.equal(byId?.reason, null);
      assert.equal(byId?.ownerId, saved.ownerId);
      assert.equal(typeof byId?.accessExpiresAt, 'number');
      for (const username of ['store_alice', 'STORE_ALICE', '@Store_Alice', '@store_alice']) {
        assert.equal((await findAccount(db, { username, provider: 'x' }))?.id, saved.accountId, username);
      }
      assert.equal(await findAccount(db, { username: 'store_alice', provider: 'other' }), undefined);
      assert.equal(await findAccount(db, { username: 'nobody_here', provider: 'x' }), undefined);
      assert.equal(await findAccount(db, { id: '00000000-0000-0000-0000-000000000000' }), undefined);
      const all = await listAccounts(db);
      assert.ok(all.some((a) => a.id === saved.accountId) && all.some((a) => a.id === other.accountId));
      const mine = await listAccounts(db, saved.ownerId);
      assert.deepEqual(
        mine.map((a) => a.id),
        [saved.accountId],
      );
      const ts = await row(saved.accountId);
      assert.equal(ts.version, 1);
      assert.equal(ts.accessCt, `access-0-${saved.accountId}`);
      assert.equal(ts.refreshCt, `refresh-0-${saved.accountId}`);
      assert.equal(ts.leased, false);
      assert.equal(ts.inDoubt, false);
    });

    test('a reconnection keeps the account id and moves the version forward', async () => {
      const c = connection('store_again');
      const first = await save(c);
      await markReauthRequired(db, first.accountId, 'expired');
      const again = await save({ ...c, username: 'Store_Again' });
      assert.equal(again.accountId, first.accountId);
      const r = await row(first.accountId);
      assert.equal(r.version, 2);
      assert.equal(r.status, 'active');
      assert.equal(r.reason, null);
      assert.equal(r.username, 'Store_Again');
    });

    test('acquireLease is owned and exclusive while unexpired', async () => {
      const id = await newAccount();
      assert.equal((await acquireLease(db, id, 'A', 1, 60_000))?.inDoubt, false);
      assert.equal(await acquireLease(db, id, 'B', 1, 60_000), undefined);
      assert.equal(
        await acquireLease(db, id, 'A', 1, 60_000),
        undefined,
        'not even its owner retakes an unexpired lease (the hold after an unknown outcome binds it too)',
      );
      const r = await row(id);
      assert.equal(r.leaseHolder, 'A');
      assert.equal(r.leased, true);
    });

    test('concurrent acquirers: exactly one gets the lease', async () => {
      const id = await newAccount();
      const owners = Array.from({ length: 8 }, (_, i) => `w${i}`);
      const results = await Promise.all(owners.map((o) => acquireLease(db, id, o, 1, 60_000)));
      const winners = owners.filter((_, i) => results[i] !== undefined);
      assert.equal(winners.length, 1);
      assert.equal((await row(id)).leaseHolder, winners[0]);
    });

    test('an expired lease can be taken by another owner (in doubt only if a send was marked)', async () => {
      const id = await newAccount();
      assert.ok(await acquireLease(db, id, 'A', 1, 50));
      assert.equal(await acquireLease(db, id, 'B', 1, 60_000), undefined);
      await sleep(100);
      assert.equal((await row(id)).leased, false);
      // A took the lease and never sent: taking a lease marks nothing.
      assert.equal((await acquireLease(db, id, 'B', 1, 60_000))?.inDoubt, false);
      assert.equal((await row(id)).leaseHolder, 'B');
      assert.equal(await storeRotation(db, id, 'A', 1, rotation('late')), undefined, 'A lost its lease');
    });

    test('a lease left in doubt is taken over by another owner only after the doubt grace', async () => {
      const id = await newAccount();
      assert.ok(await acquireLease(db, id, 'A', 1, 200, 300));
      assert.equal(await markSent(db, id, 'A', 1, 0), 1, 'the send is marked where it is made');
      await sleep(250);
      assert.equal(await acquireLease(db, id, 'B', 1, 60_000, 300), undefined, 'expired, but in doubt: wait');
      const clean = await newAccount();
      assert.ok(await acquireLease(db, clean, 'A', 1, 50, 300));
      await releaseLease(db, clean, 'A', false);
      assert.ok(
        await acquireLease(db, clean, 'B', 1, 60_000, 300),
        'a lease released without doubt is free at once',
      );
      await sleep(350);
      assert.equal((await acquireLease(db, id, 'B', 1, 60_000, 300))?.inDoubt, true, 'after the grace');
    });

    test('a lease that marks the send: one statement, in doubt at once; never over a send already in doubt', async () => {
      const id = await newAccount();
      const leased = await acquireLease(db, id, 'A', 1, 200, 300, true);
      assert.equal(leased?.inDoubt, false, 'the row as it was before the mark');
      assert.equal(leased?.sentCount, 0);
      let r = await row(id);
      assert.equal(r.leaseHolder, 'A');
      assert.equal(r.inDoubt, true, 'the write-ahead mark is set with the lease');
      assert.equal(r.sentCount, 1);
      await sleep(250);
      assert.equal(
        await acquireLease(db, id, 'B', 1, 60_000, 300, true),
        undefined,
        'an in-doubt row is not leased with a new mark (its count would be lost)',
      );
      await sleep(350);
      assert.equal((await acquireLease(db, id, 'B', 1, 60_000, 300))?.inDoubt, true, 'the takeover sees it');
      assert.equal(await markSent(db, id, 'B', 1, 0), 2, 'the second send counts on from the mark');
      // Marked but never sent: `unsent` takes the mark away and frees the lease.
      const other = await newAccount();
      assert.ok(await acquireLease(db, other, 'A', 1, 60_000, 300, true));
      await unmarkSent(db, other, 'A', 1);
      r = await row(other);
      assert.equal(r.inDoubt, false);
      assert.equal(r.leased, false);
      assert.equal(r.sentCount, 0);
    });

    test('holdLease keeps the owner’s lease (and its doubt) for longer', async () => {
      const id = await newAccount();
      assert.ok(await acquireLease(db, id, 'A', 1, 200));
      assert.equal(await markSent(db, id, 'A', 1, 0), 1);
      await holdLease(db, id, 'A', 60_000);
      await sleep(250);
      assert.equal(await acquireLease(db, id, 'B', 1, 60_000), undefined);
      assert.equal(await acquireLease(db, id, 'A', 1, 60_000), undefined, 'the hold binds its owner too');
      assert.equal((await row(id)).inDoubt, true);
    });

    test('a lease for a stale version is refused', async () => {
      const id = await newAccount();
      assert.ok(await acquireLease(db, id, 'A', 1, 60_000));
      assert.equal(await storeRotation(db, id, 'A', 1, rotation('1')), 2);
      assert.equal(await acquireLease(db, id, 'B', 1, 60_000), undefined, 'version 1 is stale');
      assert.equal(await acquireLease(db, id, 'B', 3, 60_000), undefined, 'version 3 does not exist yet');
      assert.equal((await row(id)).leased, false);
      assert.ok(await acquireLease(db, id, 'B', 2, 60_000));
    });

    test('releaseLease by a non-owner does nothing; by the owner it frees the lease', async () => {
      const id = await newAccount();
      assert.ok(await acquireLease(db, id, 'A', 1, 60_000));
      await releaseLease(db, id, 'B', false);
      let r = await row(id);
      assert.equal(r.leaseHolder, 'A');
      assert.equal(r.leased, true);
      assert.equal(await acquireLease(db, id, 'B', 1, 60_000), undefined);
      await releaseLease(db, id, 'A', false);
      r = await row(id);
      assert.equal(r.leaseHolder, null);
      assert.equal(r.leased, false);
      assert.equal((await acquireLease(db, id, 'B', 1, 60_000))?.inDoubt, false);
    });

    test('storeRotation is a compare-and-swap on owner and version', async () => {
      const id = await newAccount();
      assert.ok(await acquireLease(db, id, 'A', 1, 60_000));
      const before = await row(id);
      assert.equal(await storeRotation(db, id, 'B', 1, rotation('b')), undefined, 'wrong owner');
      assert.equal(await storeRotation(db, id, 'A', 2, rotation('a2')), undefined, 'wrong fromVersion');
      assert.equal(await storeRotation(db, id, 'A', 0, rotation('a0')), undefined, 'stale fromVersion');
      const unchanged = await row(id);
      assert.deepEqual(unchanged, before, 'row unchanged by refused swaps');
      assert.equal(unchanged.leaseHolder, 'A');
      assert.equal(await storeRotation(db, id, 'A', 1, rotation('a')), 2);
      const after1 = await row(id);
      assert.equal(after1.version, 2);
      assert.equal(after1.accessCt, 'access-a');
      assert.equal(after1.refreshCt, 'refresh-a');
      assert.equal(after1.leaseHolder, null, 'the lease is cleared');
      assert.equal(after1.leased, false);
      assert.equal(after1.inDoubt, false);
      assert.equal(
        await storeRotation(db, id, 'A', 1, rotation('again')),
        undefined,
        'a second swap from 1 fails',
      );
      assert.equal((await row(id)).accessCt, 'access-a');
    });

    test('a rotation without a new refresh token keeps the current one', async () => {
      const id = await newAccount();
      assert.ok(await acquireLease(db, id, 'A', 1, 60_000));
      assert.equal(await storeRotation(db, id, 'A', 1, rotation('n', null)), 2);
      const r = await row(id);
      assert.equal(r.accessCt, 'access-n');
      assert.equal(r.refreshCt, `refresh-0-${id}`);
    });

    test('in doubt: a lease released with keepDoubt makes the next acquire report inDoubt, until a rotation is stored', async () => {
      const id = await newAccount();
      assert.equal((await acquireLease(db, id, 'A', 1, 60_000))?.inDoubt, false);
      assert.equal(await markSent(db, id, 'A', 1, 0), 1);
      await releaseLease(db, id, 'A', true);
      assert.equal((await row(id)).inDoubt, true);
      assert.equal((await acquireLease(db, id, 'B', 1, 60_000))?.inDoubt, true);
      assert.equal(await storeRotation(db, id, 'B', 1, rotation('b')), 2);
      assert.equal((await row(id)).inDoubt, false);
      assert.equal((await acquireLease(db, id, 'C', 2, 60_000))?.inDoubt, false);
      // A release without keepDoubt clears the mark.
      await releaseLease(db, id, 'C', false);
      assert.equal((await acquireLease(db, id, 'D', 2, 60_000))?.inDoubt, false);
    });

    test('markSent counts sends of one version, only inside a safe lease; unmarkSent undoes one', async () => {
      const id = await newAccount();
      assert.equal(await markSent(db, id, 'A', 1, 0), undefined, 'no lease: nothing marked');
      assert.ok(await acquireLease(db, id, 'A', 1, 1_000));
      assert.equal(await markSent(db, id, 'A', 1, 5_000), undefined, 'less left than asked: not marked');
      assert.equal(await markSent(db, id, 'B', 1, 0), undefined, 'not the owner');
      assert.equal(await markSent(db, id, 'A', 1, 0), 1);
      assert.equal(await markSent(db, id, 'A', 1, 0), 2);
      assert.equal((await row(id)).sentCount, 2);
      await unmarkSent(db, id, 'A', 1);
      const r = await row(id);
      assert.equal(r.sentCount, 1, 'one send undone');
      assert.equal(r.inDoubt, true, 'the other one stays in doubt');
      assert.equal(r.leased, false, 'and the lease is given back');
      assert.ok(await acquireLease(db, id, 'A', 1, 1_000));
      assert.equal(await markSent(db, id, 'A', 1, 0), 2);
      assert.equal(await markSent(db, id, 'A', 1, 0), 1, 'after two, a new episode counts from 1');
      assert.equal(await storeRotation(db, id, 'A', 1, rotation('s')), 2);
      assert.equal((await row(id)).sentCount, 0, 'a stored rotation clears the count');
    });

    test('markReauthRequired returns true once, then false; it records the reason and frees the lease', async () => {
      const id = await newAccount();
      assert.ok(await acquireLease(db, id, 'A', 1, 60_000));
      assert.equal(await markReauthRequired(db, id, 'reused'), true);
      assert.equal(await markReauthRequired(db, id, 'revoked'), false);
      const r = await row(id);
      assert.equal(r.status, 'reauth_required');
      assert.equal(r.reason, 'reused', 'the first reason stays');
      assert.equal(r.leaseHolder, null);
      assert.equal(r.leased, false);
      assert.equal((await findAccount(db, { id }))?.status, 'reauth_required');
    });

    test('deleteAccount cascades to the token set', async () => {
      const id = await newAccount();
      assert.ok(await readTokenSet(db, id));
      assert.equal(await deleteAccount(db, id), true);
      assert.equal(await readTokenSet(db, id), undefined);
      const left = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM token_sets WHERE account_id = $1',
        [id],
      );
      assert.equal(left.rows[0]?.n, 0);
      assert.equal(await findAccount(db, { id }), undefined);
      assert.equal(await deleteAccount(db, id), false);
    });

    test('takeTransaction works once, and not after expiry', async () => {
      const tx = {
        verifierCt: 'v1.k1.sealed.verifier',
        redirectUri: 'http://127.0.0.1:8787/callback',
        provider: 'x',
        ownerId: null,
        returnTo: '/dashboard',
      };
      const hash = randomBytes(32).toString('base64url');
      await insertTransaction(db, { ...tx, stateHash: hash, ttlMs: 60_000 });
      assert.deepEqual(await takeTransaction(db, hash), { ...tx, mode: null, live: true });
      assert.equal(await takeTransaction(db, hash), undefined, 'a state works once');
      assert.equal(await takeTransaction(db, randomBytes(32).toString('base64url')), undefined);
      const short = randomBytes(32).toString('base64url');
      await insertTransaction(db, { ...tx, stateHash: short, ttlMs: 50 });
      await sleep(100);
      assert.equal(await takeTransaction(db, short), undefined, 'expired');
      const gone = await db.query('SELECT 1 FROM oauth_transactions WHERE state_hash = $1', [short]);
      assert.equal(gone.rows.length, 0, 'and removed');
    });

    test("a transaction bound to a browser is taken only with that browser's hash", async () => {
      const tx = {
        verifierCt: 'v1.k1.sealed.verifier',
        redirectUri: 'http://127.0.0.1:8787/callback',
        provider: 'x',
        ownerId: null,
        returnTo: '/',
      };
      const hash = randomBytes(32).toString('base64url');
      await insertTransaction(db, {
        ...tx,
        mode: 'cookie',
        browserHash: 'mine',
        stateHash: hash,
        ttlMs: 60_000,
      });
      assert.equal(await takeTransaction(db, hash), undefined, 'not without the browser');
      assert.equal(await takeTransaction(db, hash, 'theirs'), undefined, 'not with another browser');
      assert.deepEqual(await takeTransaction(db, hash, 'mine'), { ...tx, mode: 'cookie', live: true });
    });
  });
}

describe('PGlite: one process per data folder', () => {
  const spawnSleeper = () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    after(() => {
      if (child.exitCode === null) child.kill();
    });
    assert.ok(child.pid);
    return { child, pid: child.pid };
  };
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rotor-lock-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const writeLock = (dir: string, pid: number, url?: string) =>
    writeFileSync(
      join(dir, 'rotor.lock'),
      JSON.stringify({
        pid,
        command: 'rotor serve',
        startedAt: new Date().toISOString(),
        ...(url ? { url } : {}),
      }),
    );

  test('a lock held by a live process → DataDirBusyError naming the pid and suggesting DATABASE_URL', () => {
    const dir = folder();
    const { pid } = spawnSleeper();
    writeLock(dir, pid, 'http://127.0.0.1:8787');
    assert.throws(
      () => lockDataDir(dir, 'test'),
      (e: unknown) => {
        assert.ok(e instanceof DataDirBusyError);
        assert.equal(e.code, 'data_dir_busy');
        assert.equal(e.holder.pid, pid);
        assert.match(e.message, new RegExp(`pid ${pid}\\b`));
        assert.match(e.message, /DATABASE_URL/);
        assert.match(e.message, /rotor serve/);
        assert.match(e.message, /http:\/\/127\.0\.0\.1:8787/);
        return true;
      },
    );
    const kept = JSON.parse(readFileSync(join(dir, 'rotor.lock'), 'utf8')) as { pid: number };
    assert.equal(kept.pid, pid, 'the holder’s lock is left alone');
  });

  test('openPglite on a folder a live process holds refuses before opening the database', async () => {
    const dir = folder();
    const { pid } = spawnSleeper();
    writeLock(dir, pid);
    await assert.rejects(openPglite(dir, 'test'), DataDirBusyError);
    assert.equal(existsSync(join(dir, 'pgdata')), false);
  });

  test('a lock of a dead process is taken over; the release removes only our lock', async () => {
    const dir = folder();
    const { child, pid } = spawnSleeper();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
    writeLock(dir, pid);
    const release = lockDataDir(dir, 'test');
    const mine = JSON.parse(readFileSync(join(dir, 'rotor.lock'), 'utf8')) as {
      pid: number;
      command: string;
    };
    assert.equal(mine.pid, process.pid);
    assert.equal(mine.command, 'test');
    release();
    assert.equal(existsSync(join(dir, 'rotor.lock')), false);
  });
});
