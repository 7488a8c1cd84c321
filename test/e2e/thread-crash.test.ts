/**
 * A worker killed between a thread's parts (property 40 with 28, 29): the web app (`rotor serve
 * --no-worker`) and a separate `rotor worker` process on one PostgreSQL. Part 2's send hangs at
 * the emulator (a fault matching its text); once the worker is seen blocked there — the fault
 * hit, part 1 on X — it is killed with SIGKILL, the fault removed, and a fresh worker started: the
 * thread ends with its 3 parts published, exactly 3 posts at the emulator, each replying to the
 * one before, and the Posts page in Chromium shows every part published.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { pollUntil } from '../../src/core/poll.ts';
import { killLeftovers, spawnRotor, waitForLine, type Proc } from '../helpers/cli.ts';
import { control, state } from '../helpers/emulator.ts';
import { api, createKey, serve, signedIn } from '../helpers/web.ts';
import { launch } from './browser.ts';
import { contextFor, Shots, signIn, watchErrors } from './flow.ts';

after(killLeftovers);

// Every process of the installation has the same settings. A claim goes stale after 15 s (a
// worker's call to X is cut at a third of that, so the killed worker is still in its send), and
// the sweep looks every 2 s.
const SHORT = {
  ROTOR_PUBLISH_STALE_SECONDS: '15',
  ROTOR_SWEEP_SECONDS: '2',
  ROTOR_JOB_EXPIRE_SECONDS: '4',
  ROTOR_RETRY_BASE_SECONDS: '1',
};

test('kill -9 the worker while part 2 is being sent: a fresh worker finishes the thread, 3 posts on X, chained, none twice', async () => {
  const s = await serve({ args: ['--no-worker'], env: SHORT });
  assert.ok(s.databaseUrl, 'workers and the web app share PostgreSQL');
  const workerEnv = {
    ...SHORT,
    DATABASE_URL: s.databaseUrl,
    X_EMULATOR_URL: s.emu,
    ROTOR_DATA_DIR: s.dataDir,
  };
  const startWorker = async (): Promise<Proc> => {
    const proc = spawnRotor(['worker'], workerEnv);
    await waitForLine(proc, /rotor worker \d+ running/, 45_000);
    return proc;
  };

  const jar = await signedIn(s, 'alice');
  const key = await createKey(jar, 'threads', ['accounts:read', 'posts:read', 'posts:write']);
  const accounts = (await api(s, key, 'GET', '/accounts')).json.accounts as { id: string }[];
  const accountId = accounts[0]?.id ?? '';
  const run = Date.now().toString(36);
  const texts = [1, 2, 3].map((n) => `crash thread ${run}: part ${n} of 3`);

  // Part 2's send never answers while the fault is there; every other post goes through.
  const fault = await control({ url: s.emu }, 'POST', '/faults', {
    target: 'tweets',
    kind: 'hang',
    times: null,
    textContains: texts[1],
  });
  assert.equal(fault.status, 201);
  const faultId = String(fault.body.id);
  const created = await api(s, key, 'POST', '/posts', {
    accountId,
    parts: texts.map((text) => ({ text })),
    mode: 'schedule',
    at: new Date(Date.now() + 1500).toISOString(),
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const threadId = String((created.json.post as { id: string }).id);

  const first = await startWorker();
  // Observed, not waited for: the fault hit (the worker is in part 2's send) with part 1 on X.
  const blocked = await pollUntil(
    async () => {
      const faults = (await control({ url: s.emu }, 'GET', '/faults')).body.faults as {
        id: string;
        hits: number;
      }[];
      const hits = faults.find((f) => f.id === faultId)?.hits ?? 0;
      const onX = (await state({ url: s.emu })).posts.map((p) => p.text);
      return hits >= 1 && onX.includes(texts[0] ?? '') ? true : undefined;
    },
    { timeoutMs: 60_000, stepMs: 100 },
  );
  assert.ok(blocked, 'the worker reached part 2 after publishing part 1');
  const thread = async () =>
    (await api(s, key, 'GET', `/posts/${threadId}`)).json.post as {
      status: string;
      parts: { status: string }[];
    };
  assert.deepEqual(
    (await thread()).parts.map((p) => p.status),
    ['published', 'publishing', 'waiting'],
  );
  first.child.kill('SIGKILL');
  assert.equal((await first.exited).signal, 'SIGKILL');
  assert.equal((await control({ url: s.emu }, 'DELETE', `/faults/${faultId}`)).status, 200);

  await startWorker();
  const finished = await pollUntil(
    async () => {
      const post = await thread();
      return post.parts.every((p) => p.status === 'published') ? post : undefined;
    },
    { timeoutMs: 120_000, stepMs: 500 },
  );
  assert.ok(finished, 'the fresh worker finished the thread');
  assert.equal(finished.status, 'published');

  const onX = (await state({ url: s.emu })).posts.filter((p) => p.text.startsWith(`crash thread ${run}`));
  assert.deepEqual(
    onX.map((p) => p.text),
    texts,
    'exactly 3 posts at the emulator, in order, none twice',
  );
  assert.equal(onX[0]?.replyTo ?? null, null);
  assert.equal(onX[1]?.replyTo, onX[0]?.id, 'part 2 replies to part 1');
  assert.equal(onX[2]?.replyTo, onX[1]?.id, 'part 3 replies to part 2');

  // The Posts page says the same: every part published, each with its link.
  const browser = await launch();
  after(() => browser.close());
  const context = await contextFor(browser, { width: 'desktop', locale: 'en', timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  const errors: string[] = [];
  watchErrors(page, errors);
  await signIn(page, s.web, 'alice');
  await page.goto(`${s.web}/posts?view=history`);
  const row = `tr[data-post="${threadId}"]`;
  assert.equal(await page.locator(`${row} li[data-part-status="published"]`).count(), 3);
  assert.equal(await page.locator(`${row} li[data-part-status="published"] a`).count(), 3);
  const shots = new Shots();
  await shots.take(page, 'thread-after-worker-crash');
  assert.deepEqual(errors, []);
  assert.deepEqual(shots.violations, []);
  await context.close();
});
