/**
 * Rotor as a library, end to end, through `src/index.ts` only (the emulator and its consent page
 * stand in for X and for the person at the browser): connect an account, call X through the
 * vault, post through the posting service, and serve the web app from the same parts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Connector,
  CookieVault,
  createWebApp,
  Engine,
  KeyRing,
  listAccounts,
  migrate,
  openPglite,
  PostingService,
  Publisher,
  systemClock,
  TokenVault,
  XClient,
  xApiBase,
  xProvider,
  type PublishResult,
} from '../../src/index.ts';
import { consent, DEMO_CLIENT, DEMO_REDIRECT, emulator, state } from '../helpers/emulator.ts';

test('connect via the emulator, call X through the vault, post, serve the web app: the public API alone', async () => {
  const emu = await emulator();
  const dir = mkdtempSync(join(tmpdir(), 'rotor-library-'));
  const db = await openPglite(dir, 'library-test');
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await migrate(db);
  const keyRing = KeyRing.parse(KeyRing.generateEntry('k1'));
  const provider = xProvider({
    clientId: DEMO_CLIENT.clientId,
    clientSecret: DEMO_CLIENT.clientSecret,
    redirectUri: DEMO_REDIRECT ?? '',
    emulatorUrl: emu.url,
  });

  // Connect: the person is sent to `url`; X sends them back to the callback URL.
  const connector = new Connector({ db, provider, keyRing });
  const { url } = await connector.begin();
  const { accountId } = await connector.complete(await consent(emu, new URL(url), 'alice'));
  assert.deepEqual(
    (await listAccounts(db)).map((a) => [a.username, a.status]),
    [['alice', 'active']],
  );

  // An X request as the account, its token from the vault.
  const vault = new TokenVault({ db, provider, keyRing });
  after(() => vault.close());
  const res = await vault.authorizedFetch(accountId, `${xApiBase(emu.url)}/2/users/me`);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { data: { username: string } }).data.username, 'alice');

  // Post now, through the posting service (a client engine: it only sends jobs).
  const x = new XClient({ apiBase: xApiBase(emu.url) });
  const publisher = new Publisher({ db, vault, x });
  const engine = new Engine({ db, vault, x, publisher, client: true });
  after(() => engine.stop());
  await engine.start({ work: false });
  const service = new PostingService({ db, engine, publisher });
  const { result } = await service.postNow(accountId, 'hello from the library');
  const published: PublishResult = result;
  assert.equal(published.kind, 'published');
  const onX = (await state(emu)).posts.filter((p) => p.text === 'hello from the library');
  assert.equal(onX.length, 1);
  assert.equal(published.kind === 'published' && published.xPostId, onX[0]?.id);

  // The web app from the same parts: a fetch handler.
  const app = createWebApp({
    db,
    vault,
    connector,
    service,
    provider,
    keyRing,
    x,
    cookieVault: new CookieVault({ provider, keyRing, db, insecureLoopbackCookie: true }),
    clock: systemClock,
    demo: false,
    insecureLoopback: true,
    version: 'test',
  });
  const health = await app.fetch(new Request('http://127.0.0.1:3000/healthz'));
  assert.equal(health.status, 200);
});
