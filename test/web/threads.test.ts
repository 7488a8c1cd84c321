/**
 * Threads in the web app's views (property 40), without a server: the compose form's parts and
 * its "Add part" / "Remove part" (no script needed), the preview as a chain, a thread in the
 * Posts list with each part's status, every thread refusal said in English and in Japanese, and
 * "Also post to" leaving out the account chosen in the Account field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountRow } from '../../src/store/accounts.ts';
import { THREAD_ENDED } from '../../src/store/post-claims.ts';
import type { PostRow } from '../../src/store/posts.ts';
import { checkThread } from '../../src/scheduler/threads.ts';
import { translator, type Locale } from '../../src/web/i18n.ts';
import { partsAction, partsAfter, sentParts } from '../../src/web/thread-form.ts';
import { userMessage } from '../../src/web/user-messages.ts';
import { calendarRange } from '../../src/web/calendar-data.ts';
import { calendarView } from '../../src/web/views/calendar.ts';
import { composeView } from '../../src/web/views/compose.ts';
import type { ViewContext } from '../../src/web/views/layout.ts';
import { postsView } from '../../src/web/views/posts.ts';
import { previewBox } from '../../src/web/views/preview.ts';

const view = (locale: Locale): ViewContext => ({
  t: translator(locale),
  locale,
  timeZone: 'Asia/Tokyo',
  demo: true,
  path: '/compose',
  user: { username: 'alice', csrf: 'c' },
});
const str = async (h: unknown) => String(await h);
const account = (id: string, username: string) => ({ id, username }) as unknown as AccountRow;
const ACCOUNTS = [account('a1', 'alice'), account('a2', 'hanako'), account('a3', 'taro')];

/** The thread's refusal for these parts, as the core words it. */
const refusal = (texts: string[]) => {
  try {
    checkThread(texts.map((text) => ({ text, media: [] })));
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail(`no refusal for ${JSON.stringify(texts)}`);
};

test('every thread refusal is said in English and in Japanese, the part named and its reason said', () => {
  const cases: [string, RegExp, RegExp][] = [
    [refusal(['one', '']), /^Part 2: .*empty/i, /^2 件目：本文が空です/],
    [refusal(['one', 'あ'.repeat(141)]), /^Part 2: .*too long/i, /^2 件目：本文が長すぎます：280 のうち 282/],
    [
      refusal(['same', 'other', 'same']),
      /^Part 3: The same text as part 1: X refuses/,
      /^3 件目：1 件目と同じ本文/,
    ],
    [refusal(['alone']), /2 to 25 parts \(this one has 1\)/, /スレッドは 2〜25 件です（これは 1 件）/],
    [refusal(Array.from({ length: 26 }, (_, i) => `p${i}`)), /this one has 26/, /これは 26 件/],
    ['a thread has 2 to 25 parts', /^A thread has 2 to 25 parts\.$/, /^スレッドは 2〜25 件です。$/],
    [
      'this post is a thread: give its "parts" (all of them) to change its text or media',
      /part by part/,
      /1 件ずつ/,
    ],
    [THREAD_ENDED, /an earlier part of its thread failed/, /スレッドの前の投稿が失敗しました/],
    ['part 4: file 2 is not a PNG, JPEG, WebP or GIF image or an MP4 video', /^Part 4: /, /^4 件目：/],
  ];
  for (const [message, en, ja] of cases) {
    const said = {
      en: userMessage(translator('en'), 'en', message),
      ja: userMessage(translator('ja'), 'ja', message),
    };
    assert.match(said.en, en, message);
    assert.match(said.ja, ja, message);
    const english = said.ja.replace(/\b(PNG|JPEG|WebP|GIF|MP4)\b/g, '').match(/[A-Za-z]{3,}/g);
    assert.deepEqual(english ?? [], [], `no English left: ${said.ja}`);
  }
  assert.equal(translator('ja')('status.waiting'), '前の投稿を待っています');
});

test('compose: one part is the single post’s form; "Add part" and "Remove part" work as plain submits', async () => {
  const single = await str(composeView(view('en'), ACCOUNTS, { accountId: 'a1', text: 'hi' }));
  assert.match(single, /<textarea id="text" name="text"/);
  assert.match(single, /name="media"/);
  assert.doesNotMatch(single, /name="partText:2"/, 'no second part until one is added');
  assert.match(single, /<button type="submit" name="action" value="addPart"/);

  const thread = await str(
    composeView(view('ja'), ACCOUNTS, { accountId: 'a1', text: 'one', moreParts: ['two', 'three'] }),
  );
  for (const n of [2, 3]) {
    assert.match(thread, new RegExp(`name="partText:${n}"`));
    assert.match(thread, new RegExp(`name="partMedia:${n}"`));
    assert.match(thread, new RegExp(`id="counter-part-${n}"`), `part ${n} has its counter`);
    assert.match(thread, new RegExp(`value="remove:${n}"`));
  }
  assert.match(thread, /3 件目/);
  assert.match(
    thread,
    /id="counter-part-3"[^>]*>\s*5 \/ 280/,
    'the counter says the weighted length without the script',
  );
  assert.match(thread, /<li class="pv-post" data-preview-part="3">/, 'the preview shows the chain');

  assert.deepEqual(partsAction('addPart'), { add: true });
  assert.deepEqual(partsAction('remove:3'), { remove: 3 });
  assert.equal(partsAction('now'), undefined);
  assert.deepEqual(partsAfter(['a', 'b', 'c'], { remove: 2 }, ''), ['a', 'c']);
  assert.deepEqual(partsAfter(['a', 'b'], { remove: 1 }, ''), ['a', 'b'], 'part 1 stays');
  assert.deepEqual(partsAfter(['a'], { add: true }, ''), ['a', '']);
  assert.equal(
    partsAfter(
      Array.from({ length: 25 }, () => 'x'),
      { add: true },
      '',
    ).length,
    25,
    'at most 25',
  );
  const at25 = await str(
    composeView(view('en'), ACCOUNTS, {
      text: '1',
      moreParts: Array.from({ length: 24 }, (_, i) => `${i + 2}`),
    }),
  );
  assert.doesNotMatch(at25, /value="addPart"/);
  assert.match(at25, /at most 25 parts/);
});

test('the form’s parts are read in order: texts, files, and the stored part each was', async () => {
  const png = new File([new Uint8Array([1, 2, 3])], 'a.png', { type: 'image/png' });
  const parts = await sentParts({
    text: 'one',
    'partText:2': 'two',
    'partMedia:2': [png, png],
    'partFrom:2': '3',
    'partText:3': 'three',
    'removeMedia:3': '1',
    'partText:5': 'not numbered on: ignored',
  });
  assert.deepEqual(
    parts.map((p) => [p.text, p.media.length, p.from, p.removeMedia]),
    [
      ['one', 0, undefined, false],
      ['two', 2, 3, false],
      ['three', 0, undefined, true],
    ],
  );
  assert.equal(parts[1]?.media[0], Buffer.from([1, 2, 3]).toString('base64'));
});

test('the preview of a thread is a chain of posts, noted as such in both languages', async () => {
  for (const locale of ['en', 'ja'] as const) {
    const html = await str(previewBox(view(locale), ['first #tag', 'second', 'third'], 'alice'));
    assert.equal(html.match(/class="pv-post"/g)?.length, 3);
    assert.match(html, /class="pv-chain thread"/);
    assert.match(html, locale === 'en' ? /each part a reply to the one before/ : /前の投稿への返信/);
    assert.equal(html.match(/@alice/g)?.length, 3, 'each post shows its author');
  }
  const one = await str(previewBox(view('en'), 'only', 'alice'));
  assert.equal(one.match(/class="pv-post"/g)?.length, 1);
  assert.match(one, /data-preview-thread-note hidden/);
});

test('a thread is listed once, with its part count and each part’s status and why, in Japanese too', async () => {
  const part = (n: number, status: string, reason: string | null = null) =>
    ({
      id: `p${n}`,
      text: `part ${n} text`,
      status,
      reason,
      mediaCount: 0,
      xUrl: null,
      dueAt: null,
      publishedAt: null,
      threadId: 'p1',
      threadPart: n - 1,
    }) as unknown as PostRow;
  const parts = [part(1, 'published'), part(2, 'failed', 'X refused it'), part(3, 'cancelled', THREAD_ENDED)];
  const v = view('ja');
  const row = { ...parts[0], username: 'alice', status: 'failed', parts } as PostRow & {
    username: string;
    parts: PostRow[];
  };
  row.parts[2] = { ...part(3, 'cancelled'), reason: userMessage(v.t, v.locale, THREAD_ENDED) };
  const html = await str(postsView(v, 'history', [row]));
  assert.match(html, /data-thread="3"/);
  assert.match(html, /スレッド・3 件/);
  assert.equal(html.match(/<li data-part-status=/g)?.length, 3);
  assert.match(html, /スレッドの前の投稿が失敗しました/);
  assert.match(html, /\(投稿済み\)/);
  const waiting = await str(
    postsView(v, 'upcoming', [
      { ...row, status: 'scheduled', parts: [part(1, 'scheduled'), part(2, 'waiting')] },
    ]),
  );
  assert.match(waiting, /前の投稿を待っています/);
});

test('"Also post to" leaves out the account chosen in the Account field, as that choice changes', async () => {
  const shown = async (accountId: string | undefined, alsoTo: string[] = []) => {
    const html = await str(
      composeView(view('en'), ACCOUNTS, { ...(accountId ? { accountId } : {}), alsoTo }),
    );
    const choices = [
      ...html.matchAll(/<div class="account-choice" data-account-choice="(\w+)"\s*(hidden)?/g),
    ];
    return {
      visible: choices.filter((m) => m[2] !== 'hidden').map((m) => m[1]),
      disabled: [...html.matchAll(/name="alsoTo"\s+value="(\w+)"[^>]*disabled/g)].map((m) => m[1]),
      checked: [...html.matchAll(/name="alsoTo"\s+value="(\w+)"[^>]*checked/g)].map((m) => m[1]),
    };
  };
  // Nothing chosen yet: the Account field shows the first account, so it is the one left out.
  assert.deepEqual(await shown(undefined), { visible: ['a2', 'a3'], disabled: ['a1'], checked: [] });
  assert.deepEqual((await shown('a2')).visible, ['a1', 'a3']);
  assert.deepEqual((await shown('a2')).disabled, ['a2']);
  // The chosen account changed to one that was ticked below: it is not ticked twice.
  assert.deepEqual(await shown('a3', ['a3', 'a1']), {
    visible: ['a1', 'a2'],
    disabled: ['a3'],
    checked: ['a1'],
  });
});

test('the calendar marks a thread with its part count, and offers Move only while its first part waits', async () => {
  const now = Date.parse('2026-12-02T00:00:00Z');
  const range = calendarRange('week', '2026-12-02', 'Asia/Tokyo', now);
  const entry = (postId: string, ownStatus?: string) => ({
    kind: 'post' as const,
    at: Date.parse('2026-12-03T01:00:00Z'),
    username: 'alice',
    text: `thread ${postId}`,
    postId,
    status: 'scheduled',
    threadParts: 3,
    ...(ownStatus ? { ownStatus } : {}),
  });
  const days = range.days.map((date) => ({
    date,
    outside: false,
    entries: date === '2026-12-03' ? [entry('t'), entry('u', 'published')] : [],
  }));
  const html = await str(calendarView(view('ja'), range, days, 0, '2026-12-02'));
  assert.equal(html.match(/data-thread="3"/g)?.length, 2);
  assert.match(html, /スレッド・3 件/);
  assert.match(html, /name="postId" value="t"/, 'a scheduled thread moves');
  assert.doesNotMatch(html, /name="postId" value="u"/, 'one whose first part is out does not');
});
