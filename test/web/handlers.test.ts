/**
 * The handlers the pages read and write through (no HTTP, a real database): each reads only the
 * actor's own rows — someone else's account or post reads as missing, never as theirs — and the
 * person-only ones refuse an API key.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { systemClock } from '../../src/core/clock.ts';
import { isRotorError } from '../../src/core/errors.ts';
import { saveConnection } from '../../src/store/accounts.ts';
import { insertApiKey, revokeApiKey } from '../../src/store/api-keys.ts';
import { recordNotification } from '../../src/store/notifications.ts';
import { setPostTimeZone } from '../../src/store/post-edits.ts';
import { cancelPost, getPost, insertPost, type PostRow } from '../../src/store/posts.ts';
import { insertSession } from '../../src/store/web-sessions.ts';
import type { Actor } from '../../src/web/actor.ts';
import type { WebDeps } from '../../src/web/deps.ts';
import { findOwnedAccount, listAccountsFor } from '../../src/web/handlers/accounts.ts';
import { actorForApiKey, hashApiKey } from '../../src/web/handlers/api-keys.ts';
import { calendarFor } from '../../src/web/handlers/calendar.ts';
import { dashboardFor } from '../../src/web/handlers/dashboard.ts';
import { markNotificationsReadFor, unreadNotificationsFor } from '../../src/web/handlers/notifications.ts';
import { postForEditing } from '../../src/web/handlers/post-edit.ts';
import { currentPostFor } from '../../src/web/handlers/posts.ts';
import { endAllSessions, listSessionsFor, savePreferences } from '../../src/web/handlers/sessions.ts';
import { openTestDb } from '../helpers/db.ts';

const HOUR = 3_600_000;
const notFound = (e: unknown) => isRotorError(e, 'not_found');
const forbidden = (e: unknown) => isRotorError(e, 'forbidden');

test('handlers: ownership, and person-only reads', async (t) => {
  const tdb = await openTestDb('pglite');
  after(() => tdb.close());
  const db = tdb.db;
  // These handlers use the database and the clock only.
  const deps = { db, clock: systemClock } as unknown as WebDeps;

  const connect = async (username: string) => {
    const { accountId, ownerId } = await db.transaction((q) =>
      saveConnection(
        q,
        {
          provider: 'x',
          subject: `s-${username}`,
          username,
          displayName: undefined,
          ownerId: undefined,
          consentedAt: Date.now(),
          scope: 'tweet.read tweet.write users.read offline.access',
          accessExpiresAt: Date.now() + 2 * HOUR,
          keyId: 'k1',
        },
        (id) => ({ accessCt: `a-${id}`, refreshCt: `r-${id}` }),
      ),
    );
    return { accountId, actor: { userId: ownerId, apiKey: null } satisfies Actor };
  };
  const alice = await connect('alice');
  const bob = await connect('bob');
  const schedule = async (accountId: string, text: string, dueAt = Date.now() + HOUR): Promise<PostRow> => {
    const post = await insertPost(db, { accountId, text, status: 'scheduled', dueAt });
    assert.ok(post);
    return post;
  };
  const alicePost = await schedule(alice.accountId, 'alice, in an hour');
  const bobPost = await schedule(bob.accountId, 'bob, in an hour');
  const keyActor = (permissions: string[]): Actor => ({
    userId: alice.actor.userId,
    apiKey: { id: '00000000-0000-4000-8000-000000000000', permissions: new Set(permissions) },
  });

  await t.test('an account: the actor’s own, else missing (someone else’s, not an id)', async () => {
    assert.equal((await findOwnedAccount(deps, alice.actor, alice.accountId))?.username, 'alice');
    assert.equal(await findOwnedAccount(deps, alice.actor, bob.accountId), undefined);
    assert.equal(await findOwnedAccount(deps, alice.actor, 'not-a-uuid'), undefined);
    assert.deepEqual(
      (await listAccountsFor(deps, alice.actor)).map((a) => a.username),
      ['alice'],
    );
    await assert.rejects(listAccountsFor(deps, keyActor(['posts:read'])), forbidden);
  });

  await t.test('a post just written, as it stands now; someone else’s is not read', async () => {
    assert.ok(await cancelPost(db, alicePost.id));
    assert.equal((await currentPostFor(deps, alice.actor, alicePost)).status, 'cancelled');
    // Bob's post changes; Alice handing in its old row gets that row back, not Bob's current one.
    assert.ok(await cancelPost(db, bobPost.id));
    const answered = await currentPostFor(deps, alice.actor, bobPost);
    assert.equal(answered, bobPost);
    assert.equal(answered.status, 'scheduled');
    assert.equal((await getPost(db, bobPost.id))?.status, 'cancelled');
  });

  await t.test('the Edit page’s post and its zone: one’s own; someone else’s is not found', async () => {
    const mine = await schedule(alice.accountId, 'alice, zoned');
    await setPostTimeZone(db, mine.id, 'Asia/Tokyo');
    const theirs = await schedule(bob.accountId, 'bob, zoned');
    await setPostTimeZone(db, theirs.id, 'Europe/Paris');
    const found = await postForEditing(deps, alice.actor, mine.id);
    assert.equal(found.post.id, mine.id);
    assert.equal(found.timeZone, 'Asia/Tokyo');
    assert.equal(
      (await postForEditing(deps, alice.actor, (await schedule(alice.accountId, 'x')).id)).timeZone,
      null,
    );
    await assert.rejects(postForEditing(deps, alice.actor, theirs.id), notFound);
    await assert.rejects(postForEditing(deps, keyActor(['accounts:read']), mine.id), forbidden);
  });

  await t.test('the calendar and the dashboard show the actor’s posts only', async () => {
    const due = Date.now() + 2 * HOUR;
    const mine = await schedule(alice.accountId, 'alice, on the calendar', due);
    const theirs = await schedule(bob.accountId, 'bob, on the calendar', due);
    const cal = await calendarFor(deps, alice.actor, due - HOUR, due + HOUR);
    const ids = cal.posts.map((p) => p.id);
    assert.ok(ids.includes(mine.id));
    assert.ok(!ids.includes(theirs.id));
    await assert.rejects(calendarFor(deps, keyActor(['accounts:read']), 0, due), forbidden);

    const dash = await dashboardFor(deps, alice.actor);
    assert.deepEqual(
      dash.accounts.map((a) => a.username),
      ['alice'],
    );
    assert.ok(dash.upcoming.some((p) => p.id === mine.id));
    assert.ok(dash.upcoming.every((p) => p.accountId === alice.accountId));
    assert.deepEqual([...dash.followers.keys()], [alice.accountId]);
  });

  await t.test('notifications: the actor’s own unread ones; marking read leaves others’', async () => {
    const note = (ownerId: string, accountId: string) =>
      recordNotification(
        db,
        {
          dedupeKey: `k-${randomBytes(4).toString('hex')}`,
          kind: 'reauth_required',
          ownerId,
          accountId,
          postId: null,
          data: { username: 'x' },
        },
        [],
      );
    await note(alice.actor.userId, alice.accountId);
    await note(bob.actor.userId, bob.accountId);
    assert.equal((await unreadNotificationsFor(deps, alice.actor, 10)).length, 1);
    assert.equal(await markNotificationsReadFor(deps, alice.actor), 1);
    assert.equal((await unreadNotificationsFor(deps, alice.actor, 10)).length, 0);
    assert.equal((await unreadNotificationsFor(deps, bob.actor, 10)).length, 1);
    await assert.rejects(unreadNotificationsFor(deps, keyActor(['accounts:read']), 10), forbidden);
  });

  await t.test('sessions: listed and ended for the actor only; preferences person-only', async () => {
    const open = (userId: string) =>
      insertSession(db, { idHash: randomBytes(16).toString('hex'), userId, csrf: 'c', ttlMs: HOUR });
    await open(alice.actor.userId);
    await open(alice.actor.userId);
    await open(bob.actor.userId);
    assert.equal((await listSessionsFor(deps, alice.actor, HOUR)).length, 2);
    assert.equal(await endAllSessions(deps, alice.actor), 2);
    assert.equal((await listSessionsFor(deps, alice.actor, HOUR)).length, 0);
    assert.equal((await listSessionsFor(deps, bob.actor, HOUR)).length, 1);
    const key = keyActor(['accounts:read', 'posts:read', 'posts:write', 'schedules:read', 'tokens:issue']);
    await assert.rejects(listSessionsFor(deps, key, HOUR), forbidden);
    await assert.rejects(endAllSessions(deps, key), forbidden);
    await assert.rejects(savePreferences(deps, key, { locale: 'ja' }), forbidden);
  });

  await t.test('an API key stands for its owner with its permissions; a revoked one for nobody', async () => {
    const secret = `rotor_${randomBytes(32).toString('base64url')}`;
    const row = await insertApiKey(db, {
      ownerId: bob.actor.userId,
      name: 'bot',
      prefix: secret.slice(0, 12),
      hash: hashApiKey(secret),
      permissions: ['posts:read'],
    });
    const actor = await actorForApiKey(deps, secret);
    assert.equal(actor?.userId, bob.actor.userId);
    assert.equal(actor?.apiKey?.id, row.id);
    assert.deepEqual([...(actor?.apiKey?.permissions ?? [])], ['posts:read']);
    assert.equal(await actorForApiKey(deps, `rotor_${randomBytes(32).toString('base64url')}`), undefined);
    assert.ok(await revokeApiKey(db, bob.actor.userId, row.id));
    assert.equal(await actorForApiKey(deps, secret), undefined);
  });
});
