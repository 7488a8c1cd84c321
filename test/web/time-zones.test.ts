/** Wall-clock times in a zone (DST gaps said, overlaps the later offset), current zone names, and the one past-time rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueTimeProblem, DUE_TIME_MESSAGES } from '../../src/core/due-time.ts';
import { currentZoneName, readWallClock, ZONE_NAMES } from '../../src/web/time-zones.ts';
import { translator } from '../../src/web/i18n.ts';
import { userMessage } from '../../src/web/user-messages.ts';
import { gapMessage } from '../../src/web/format.ts';

test('readWallClock: 02:30 on the day New York springs forward is a gap (it would become 03:30); 01:30 on the day it falls back is the later offset; 09:00 Tokyo is 00:00Z', () => {
  assert.deepEqual(readWallClock('2027-03-14', '02:30', 'America/New_York'), {
    kind: 'gap',
    shifted: '03:30',
  });
  assert.deepEqual(readWallClock('2027-11-07', '01:30', 'America/New_York'), {
    kind: 'ok',
    at: Date.parse('2027-11-07T06:30:00Z'),
  });
  assert.deepEqual(readWallClock('2027-01-05', '09:00', 'Asia/Tokyo'), {
    kind: 'ok',
    at: Date.parse('2027-01-05T00:00:00Z'),
  });
  assert.deepEqual(readWallClock('2027-02-30', '09:00', 'Asia/Tokyo'), { kind: 'malformed' });
  assert.deepEqual(readWallClock('2027-01-05', '9am', 'Asia/Tokyo'), { kind: 'malformed' });
});

test('zone names are the current IANA ones: Asia/Calcutta reads as Asia/Kolkata, and the list has no old name', () => {
  assert.equal(currentZoneName('Asia/Calcutta'), 'Asia/Kolkata');
  assert.equal(currentZoneName('Asia/Tokyo'), 'Asia/Tokyo');
  for (const old of ['Asia/Calcutta', 'Europe/Kiev', 'Asia/Saigon', 'America/Godthab'])
    assert.ok(!ZONE_NAMES.includes(old), old);
  for (const current of ['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh', 'America/Nuuk'])
    assert.ok(ZONE_NAMES.includes(current), current);
  assert.equal(ZONE_NAMES[0], 'UTC');
});

test('dueTimeProblem: more than a minute past is "past", more than 3 years ahead "too_far", else nothing', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  assert.equal(dueTimeProblem(now - 61_000, now), 'past');
  assert.equal(dueTimeProblem(now - 59_000, now), undefined);
  assert.equal(dueTimeProblem(now + 86_400_000, now), undefined);
  assert.equal(dueTimeProblem(now + 4 * 366 * 86_400_000, now), 'too_far');
});

test('userMessage says the core’s English refusals in Japanese, figures and names kept', () => {
  const ja = (m: string) => userMessage(translator('ja'), 'ja', m);
  assert.equal(
    ja(DUE_TIME_MESSAGES.past),
    'その時刻はすでに過ぎています。もっと後の時刻を選ぶか、今すぐ投稿してください。',
  );
  assert.match(
    ja('the text is too long: 282 of 280 weighted characters (CJK characters and emoji count 2, links 23)'),
    /280 のうち 282/,
  );
  assert.match(
    ja(gapMessage('2027-03-14', '02:30', 'America/New_York', '03:30')),
    /America\/New_York では 2027-03-14 の 02:30 は存在しません.*03:30/,
  );
  assert.match(
    ja('@alice is already connected to Rotor by another user. Sign in as that user…'),
    /^@alice は別のユーザー/,
  );
  assert.match(
    ja('@bob needs to be reconnected: the access was revoked on X; connect the account again'),
    /X 側でアクセスが取り消されました/,
  );
  assert.match(
    ja('occurrence 3 (2026-12-03T00:00:00.000Z): the text is empty'),
    /^3 回目（2026-12-03T00:00:00.000Z）：本文が空です。$/,
  );
  assert.equal(ja('something nobody matched'), 'something nobody matched');
});
