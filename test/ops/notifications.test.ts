/**
 * Notifications: webhook deliveries a receiver can verify (a real HTTP receiver on loopback),
 * retried with backoff and each attempt logged; e-mail through a real (tiny) SMTP server on
 * loopback; in-app rows for the owner, in English and Japanese; and **one notification per
 * event** under a storm of failures from four real processes (property 14's "the owner is told",
 * property 17's operator alert).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/ops/logger.ts';
import { createMailer } from '../../src/ops/notifications/email.ts';
import { Notifier } from '../../src/ops/notifications/notifier.ts';
import { notificationText } from '../../src/ops/notifications/texts.ts';
import { signWebhook, verifyWebhook } from '../../src/ops/notifications/webhook.ts';
import { findAccount } from '../../src/store/accounts.ts';
import {
  listDeliveries,
  listNotifications,
  markNotificationsRead,
  countUnreadNotifications,
} from '../../src/store/notifications.ts';
import { openTestDb } from '../helpers/db.ts';
import { control, emulator } from '../helpers/emulator.ts';
import { connectorFor } from '../helpers/vault.ts';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

/** A webhook receiver on loopback: records every request; `answer` picks each status. */
async function receiver(answer: (n: number) => number = () => 200) {
  const got: Received[] = [];
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      got.push({ body, headers: req.headers });
      res.writeHead(answer(got.length)).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

function sink(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let out = '';
  const stream = new Writable({
    write(c: Buffer, _e, cb) {
      out += c.toString();
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const SECRET = randomBytes(32).toString('hex');

const USERS = ['alice', 'bob', 'hanako', 'user_h', 'user_r', 'user_i'].map((username, i) => ({
  id: String(3000000000000000000n + BigInt(i)),
  username,
  name: username,
}));
const emu = await emulator({ accessTokenTtl: 3600, users: USERS });
const t = await openTestDb('postgres');
after(() => t.close());
const { connectAs, key } = connectorFor(emu, t.db);

describe('webhook', () => {
  test('a receiver verifies the signature over the raw body and timestamp; tampering and replays fail', async () => {
    const hook = await receiver();
    const accountId = await connectAs('alice');
    const notifier = new Notifier({
      db: t.db,
      logger: createLogger({ level: 'silent' }),
      webhook: { url: hook.url, secret: SECRET },
    });
    const row = await notifier.notify({ kind: 'reauth_required', accountId, reason: 'revoked' });
    assert.ok(row);
    await notifier.settled();
    assert.equal(hook.got.length, 1);
    const { body, headers } = hook.got[0] as Received;
    const header = String(headers['rotor-signature']);
    assert.equal(verifyWebhook(SECRET, header, body), true);
    // The receiver's own computation, without Rotor's code: HMAC-SHA256 over "<t>.<body>".
    const ts = /t=(\d+)/.exec(header)?.[1] ?? '';
    assert.equal(header, `t=${ts},v1=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`);
    assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 60);
    assert.equal(headers['rotor-delivery'], row.id);
    const payload = JSON.parse(body) as Record<string, unknown>;
    assert.equal(payload.type, 'reauth_required');
    assert.deepEqual(payload.account, { id: accountId, username: 'alice' });
    assert.match(String(payload.text), /@alice needs to be reconnected: the access was revoked on X/);
    assert.match(String(payload.createdAt), /Z$/);
    assert.equal(verifyWebhook(SECRET, header, body.replace('alice', 'mallory')), false);
    assert.equal(verifyWebhook('another-secret-another-secret-xx', header, body), false);
    assert.equal(
      verifyWebhook(SECRET, header, body, Date.now() + 10 * 60_000),
      false,
      'a replay 10 min later',
    );
    assert.equal(
      verifyWebhook(SECRET, signWebhook(SECRET, Number(ts), body).replace('v1=', 'v1=0'), body),
      false,
    );
    await notifier.stop();
  });

  test('a failing receiver is retried with backoff until it answers, each attempt logged; a refusal is not retried', async () => {
    const hook = await receiver((n) => (n <= 2 ? 503 : 200));
    const accountId = await connectAs('bob');
    const logs = sink();
    const notifier = new Notifier({
      db: t.db,
      logger: createLogger({ level: 'info', destination: logs.stream }),
      webhook: { url: hook.url, secret: SECRET },
      retryBaseMs: 100,
    });
    const row = await notifier.notify({
      kind: 'horizon_approaching',
      accountId,
      endsAt: Date.now() + 86_400_000,
    });
    assert.ok(row);
    const until = Date.now() + 15_000;
    while ((await listDeliveries(t.db, row.id))[0]?.status !== 'delivered') {
      assert.ok(Date.now() < until, 'delivered in time');
      await new Promise((r) => setTimeout(r, 50));
      await notifier.deliverDue();
    }
    assert.equal(hook.got.length, 3);
    assert.deepEqual(
      (await listDeliveries(t.db, row.id)).map((d) => [d.channel, d.status, d.attempts]),
      [['webhook', 'delivered', 3]],
    );
    const attempts = logs.lines().filter((l) => l.notificationId === row.id && l.channel === 'webhook');
    assert.deepEqual(
      attempts.map((l) => [l.attempt, l.msg]),
      [
        [1, 'notification delivery failed; will retry'],
        [2, 'notification delivery failed; will retry'],
        [3, 'notification delivered'],
      ],
    );
    await notifier.stop();

    const refusing = await receiver(() => 400);
    const n2 = new Notifier({
      db: t.db,
      logger: createLogger({ level: 'silent' }),
      webhook: { url: refusing.url, secret: SECRET },
      retryBaseMs: 10,
    });
    const row2 = await n2.notify({ kind: 'invalid_client', clientId: `c-${randomBytes(4).toString('hex')}` });
    assert.ok(row2);
    await n2.settled();
    await new Promise((r) => setTimeout(r, 50));
    await n2.deliverDue();
    assert.equal(refusing.got.length, 1);
    assert.deepEqual(
      (await listDeliveries(t.db, row2.id)).map((d) => [d.status, d.attempts, d.lastError]),
      [['failed', 1, 'the webhook answered HTTP 400']],
    );
    await n2.stop();
  });
});

/** A minimal SMTP server on loopback (no TLS, no auth): enough for nodemailer to hand a message over. */
async function smtpServer() {
  const messages: string[] = [];
  const server = createTcpServer((socket) => {
    let buffer = '';
    let inData = false;
    socket.setEncoding('utf8');
    socket.write('220 test ESMTP\r\n');
    socket.on('data', (d: string) => {
      buffer += d;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write('250 queued\r\n');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-test\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`, messages };
}

describe('e-mail and in-app', () => {
  test('an e-mail reaches the operator through SMTP; the owner sees the notification in the app, in en and ja', async () => {
    const smtp = await smtpServer();
    const accountId = await connectAs('hanako');
    const notifier = new Notifier({
      db: t.db,
      logger: createLogger({ level: 'silent' }),
      mailer: createMailer({
        smtpUrl: smtp.url,
        from: 'Rotor <rotor@example.test>',
        to: ['ops@example.test'],
      }),
    });
    const row = await notifier.notify({ kind: 'reauth_required', accountId, reason: 'reused' });
    assert.ok(row);
    await notifier.settled();
    assert.equal(smtp.messages.length, 1);
    const mail = (smtp.messages[0] ?? '').replace(/=\r\n/g, '');
    assert.match(mail, /^To: ops@example\.test/m);
    assert.match(mail, /^Subject: \[Rotor\] @hanako needs to be reconnected/m);
    assert.match(mail, /X saw an old token used again and ended the access for safety/);
    assert.deepEqual(
      (await listDeliveries(t.db, row.id)).map((d) => [d.channel, d.status]),
      [['email', 'delivered']],
    );
    await notifier.stop();

    const owner = (await findAccount(t.db, { id: accountId }))?.ownerId ?? '';
    const inApp = await listNotifications(t.db, owner, { unreadOnly: true });
    assert.deepEqual(
      inApp.map((n) => [n.kind, n.accountId, n.data.username, n.data.reason]),
      [['reauth_required', accountId, 'hanako', 'reused']],
    );
    const first = inApp[0];
    assert.ok(first);
    assert.match(notificationText(first.kind, first.data, 'ja').body, /@hanako は再接続が必要です/);
    assert.match(notificationText(first.kind, first.data, 'en').subject, /@hanako needs to be reconnected/);
    assert.equal(await countUnreadNotifications(t.db, owner), 1);
    assert.equal(await markNotificationsRead(t.db, owner, [first.id]), 1);
    assert.equal(await countUnreadNotifications(t.db, owner), 0);
    assert.equal((await listNotifications(t.db, owner)).length, 1, 'read ones are still listed');
    assert.equal(await markNotificationsRead(t.db, '00000000-0000-0000-0000-000000000000', [first.id]), 0);
  });
});

describe('once per event', () => {
  test('four processes failing over and over for the same accounts: one notification and one webhook each', async () => {
    const hook = await receiver();
    const [horizonAccount, revokedAccount, invalidAccount] = [
      await connectAs('user_h'),
      await connectAs('user_r'),
      await connectAs('user_i'),
    ];
    await control(emu, 'POST', '/grants/revoke', { username: 'user_r' });
    const fixture = join(import.meta.dirname, 'fixtures', 'notify-storm.ts');
    const args = {
      databaseUrl: t.url,
      emulatorUrl: emu.url,
      key,
      webhookUrl: hook.url,
      webhookSecret: SECRET,
      horizonAccount,
      revokedAccount,
      invalidAccount,
      attempts: 5,
    };
    const runs = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, [fixture, JSON.stringify(args)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
        child.on('close', (code) => resolve({ code, out, err })),
      );
    });
    for (const r of await Promise.all(runs)) {
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /"ok":true/);
    }
    const rows = (
      await t.db.query<{ kind: string; accountId: string | null; n: number }>(
        `SELECT kind, account_id AS "accountId", count(*)::int AS n FROM notifications
         WHERE account_id = ANY($1::uuid[]) OR (kind = 'invalid_client' AND data->>'clientId' = 'rotor-demo')
         GROUP BY kind, account_id ORDER BY kind`,
        [[horizonAccount, revokedAccount, invalidAccount]],
      )
    ).rows;
    assert.deepEqual(
      rows.map((r) => [r.kind, r.accountId, r.n]),
      [
        ['horizon_approaching', horizonAccount, 1],
        ['invalid_client', null, 1],
        ['reauth_required', revokedAccount, 1],
      ],
    );
    const types = hook.got.map((g) => (JSON.parse(g.body) as { type: string }).type).sort();
    assert.deepEqual(types, ['horizon_approaching', 'invalid_client', 'reauth_required']);
    for (const g of hook.got) assert.ok(verifyWebhook(SECRET, String(g.headers['rotor-signature']), g.body));
    assert.equal(new Set(hook.got.map((g) => g.headers['rotor-delivery'])).size, 3);
  });
});
