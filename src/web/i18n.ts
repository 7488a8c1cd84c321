/**
 * @module The web app's two languages. Every text a page shows is a key here, in English and in
 * Japanese; the locale comes from the user's choice (cookie or profile), else `Accept-Language`.
 */

export type Locale = 'en' | 'ja';
export const LOCALES: readonly Locale[] = ['en', 'ja'];

const en = {
  'app.demo': 'Demo mode: Rotor is talking to its built-in X emulator, not to X.',
  'app.skip': 'Skip to content',
  'nav.dashboard': 'Dashboard',
  'nav.compose': 'Compose',
  'nav.posts': 'Posts',
  'nav.schedules': 'Schedules',
  'nav.import': 'Import',
  'nav.settings': 'Settings',
  'nav.signout': 'Sign out',
  'nav.language': 'Language',
  'signin.title': 'Sign in',
  'signin.lead': 'Rotor posts to X for you, on time, and keeps your accounts connected.',
  'signin.button': 'Sign in with X',
  'signin.quick': 'Just want to post once, without Rotor keeping your tokens?',
  'signin.quickLink': 'Post now (tokens stay in your browser)',
  'dash.title': 'Dashboard',
  'notes.title': 'Notifications',
  'notes.operator': 'For whoever runs Rotor:',
  'notes.markRead': 'Mark all as read',
  'dash.connect': 'Connect another X account',
  'dash.noAccounts': 'No account connected yet.',
  'dash.active': 'Active',
  'dash.needsReconnect': 'Needs reconnecting',
  'dash.reconnect': 'Reconnect',
  'dash.refreshed': 'Token refreshed {when}',
  'dash.neverRefreshed': 'Token not refreshed yet',
  'dash.horizon': 'Connection ends in {days} days ({date}); reconnect before then.',
  'dash.horizonOk': '{days} days left before X asks for consent again',
  'dash.horizonSoon': 'Connection ends in {days} days ({date}): reconnect before then to keep posting.',
  'dash.reasonLead': 'X no longer accepts Rotor’s access for @{user}: {reason}.',
  'dash.upcoming': 'Next posts',
  'dash.followers': 'Followers',
  'dash.postsPerDay': 'Posts per day (last 30 days)',
  'dash.noMetrics': 'No follower figures yet: they are read from X every hour.',
  'dash.disconnect': 'Disconnect',
  'dash.disconnectConfirm': 'Disconnect @{user}? Rotor revokes its access at X and deletes the tokens.',
  'compose.title': 'Compose',
  'compose.account': 'Account',
  'compose.text': 'Text',
  'compose.counter': '{n} / 280',
  'compose.media': 'Images (up to 4)',
  'compose.postNow': 'Post now',
  'compose.schedule': 'Schedule',
  'compose.queue': 'Add to queue',
  'compose.date': 'Date',
  'compose.time': 'Time',
  'compose.zone': 'Time zone',
  'compose.noAccount': 'Connect an account first.',
  'compose.posted': 'Posted to X.',
  'compose.scheduled': 'Scheduled for {when}.',
  'compose.queued': 'Added to the queue of @{user}.',
  'compose.notPosted': 'Not posted: {reason}',
  'compose.retrying':
    'X asked Rotor to wait (rate limit): the post is kept and goes out as soon as X allows. Nothing to do.',
  'compose.blocked': 'The account needs reconnecting: the post is kept and goes out after you reconnect it.',
  'compose.checking':
    'X did not confirm in time. Rotor is checking whether the post went out, and will not post it twice. Nothing to do.',
  'posts.title': 'Posts',
  'posts.upcoming': 'Upcoming',
  'posts.queue': 'Queue',
  'posts.history': 'History',
  'posts.none': 'Nothing here.',
  'posts.when': 'When',
  'posts.account': 'Account',
  'posts.status': 'Status',
  'posts.text': 'Text',
  'posts.cancel': 'Cancel',
  'posts.cancelled': 'The post was cancelled.',
  'posts.view': 'View on X',
  'status.draft': 'draft',
  'status.queued': 'in the queue',
  'status.scheduled': 'scheduled',
  'status.publishing': 'publishing',
  'status.published': 'published',
  'status.failed': 'failed',
  'status.blocked': 'blocked: the account needs reconnecting',
  'status.unknown': 'outcome unknown: Rotor is checking X',
  'status.cancelled': 'cancelled',
  'sched.title': 'Schedules',
  'sched.recurring': 'Recurring posts',
  'sched.queueSlots': 'Queue slots',
  'sched.none': 'No schedule yet.',
  'sched.cron': 'When (cron)',
  'sched.cronHelp': 'Five fields: minute hour day month weekday. "0 9 * * 1-5" is 09:00 on weekdays.',
  'sched.template':
    'Text: {counter} is the occurrence number; {date}, {time}, {weekday} and {weekday_ja} vary it too (X refuses repeated text)',
  'sched.create': 'Create schedule',
  'sched.setSlots': 'Set queue slots',
  'sched.next': 'Next: {when}',
  'sched.paused': 'paused',
  'sched.pause': 'Pause',
  'sched.resume': 'Resume',
  'sched.delete': 'Delete',
  'sched.saved': 'Saved.',
  'import.title': 'Import drafts from CSV',
  'import.help':
    'One post per line, with a header line. Columns: text (required), and optionally at (YYYY-MM-DD HH:MM) with time_zone to schedule; lines without at go to the queue. Nothing is imported unless every line is valid.',
  'import.file': 'CSV file',
  'import.submit': 'Import',
  'import.done': 'Imported {n} posts.',
  'import.failed': 'Nothing was imported: fix these lines and try again.',
  'settings.title': 'Settings',
  'settings.language': 'Language',
  'settings.zone': 'Time zone',
  'settings.save': 'Save',
  'keys.title': 'API keys',
  'keys.help':
    'A key lets a program use Rotor’s HTTP API (see /openapi.json) with the permissions you give it. It is shown once.',
  'keys.name': 'Name',
  'keys.permissions': 'Permissions',
  'keys.create': 'Create key',
  'keys.created': 'Your new key (copy it now; it will not be shown again):',
  'keys.revoke': 'Revoke',
  'keys.revoked': 'revoked',
  'keys.lastUsed': 'last used {when}',
  'keys.never': 'never used',
  'keys.handouts': 'Access tokens handed out',
  'keys.noHandouts': 'No access token handed out yet.',
  'error.title': 'Something went wrong',
  'error.back': 'Back to the dashboard',
  'error.notFound': 'Not found.',
  'error.csrf': 'This form expired or came from another site. Reload the page and try again.',
  'quick.title': 'Post now',
  'quick.lead':
    'Your tokens stay in a sealed cookie in this browser: Rotor’s server keeps nothing. Nothing is scheduled.',
  'quick.connect': 'Connect with X',
  'quick.as': 'Posting as @{user}.',
  'quick.forget': 'Forget this browser’s tokens',
  'quick.unknown':
    'X did not confirm whether the post went out; look at your profile before sending it again',
  // Security (issue 12): sessions, the sign-in account banner, rate limits, cookie mode.
  'sessions.title': 'Your sessions',
  'sessions.lead': 'Browsers signed in as you. A session ends after {days} days without use.',
  'sessions.this': 'this browser',
  'sessions.started': 'signed in {when}',
  'sessions.seen': 'last used {when}',
  'sessions.unknownBrowser': 'unknown browser',
  'sessions.signoutAll': 'Sign out everywhere',
  'sessions.signedOutAll': 'Signed out of every browser.',
  'signin.reconnectBanner':
    'X no longer accepts the account you sign in with (@{user}). You are still signed in to Rotor; reconnect it to keep posting with it.',
  'error.rateLimited': 'Too many attempts. Wait {seconds} seconds and try again.',
  'quick.forgotten': 'Forgotten: the tokens were revoked at X and this browser’s cookie was cleared.',
} as const;

export type MessageKey = keyof typeof en;

const ja: Record<MessageKey, string> = {
  'app.demo': 'デモモード：Rotor は X ではなく、内蔵の X エミュレーターに接続しています。',
  'app.skip': '本文へ移動',
  'nav.dashboard': 'ダッシュボード',
  'nav.compose': '投稿を作成',
  'nav.posts': '投稿',
  'nav.schedules': 'スケジュール',
  'nav.import': 'インポート',
  'nav.settings': '設定',
  'nav.signout': 'ログアウト',
  'nav.language': '言語',
  'signin.title': 'ログイン',
  'signin.lead': 'Rotor は X への投稿を時間どおりに行い、アカウントの接続を保ち続けます。',
  'signin.button': 'X でログイン',
  'signin.quick': 'トークンを Rotor に保存せず、一度だけ投稿したい場合は',
  'signin.quickLink': '今すぐ投稿（トークンはブラウザーに保存）',
  'dash.title': 'ダッシュボード',
  'notes.title': 'お知らせ',
  'notes.operator': 'Rotor の運用者へ：',
  'notes.markRead': 'すべて既読にする',
  'dash.connect': '別の X アカウントを接続',
  'dash.noAccounts': 'まだアカウントが接続されていません。',
  'dash.active': '有効',
  'dash.needsReconnect': '再接続が必要',
  'dash.reconnect': '再接続',
  'dash.refreshed': 'トークン更新：{when}',
  'dash.neverRefreshed': 'トークンはまだ更新されていません',
  'dash.horizon': '接続は {days} 日後（{date}）に切れます。それまでに再接続してください。',
  'dash.horizonOk': 'X が再度の同意を求めるまで残り {days} 日',
  'dash.horizonSoon':
    '接続は {days} 日後（{date}）に切れます。投稿を続けるには、それまでに再接続してください。',
  'dash.reasonLead': 'X は @{user} への Rotor のアクセスを受け付けなくなりました：{reason}。',
  'dash.upcoming': '次の投稿',
  'dash.followers': 'フォロワー',
  'dash.postsPerDay': '1 日あたりの投稿数（過去 30 日）',
  'dash.noMetrics': 'フォロワー数はまだありません。1 時間ごとに X から取得します。',
  'dash.disconnect': '接続を解除',
  'dash.disconnectConfirm':
    '@{user} の接続を解除しますか？ Rotor は X でのアクセスを取り消し、トークンを削除します。',
  'compose.title': '投稿を作成',
  'compose.account': 'アカウント',
  'compose.text': '本文',
  'compose.counter': '{n} / 280',
  'compose.media': '画像（4 枚まで）',
  'compose.postNow': '今すぐ投稿',
  'compose.schedule': '予約投稿',
  'compose.queue': 'キューに追加',
  'compose.date': '日付',
  'compose.time': '時刻',
  'compose.zone': 'タイムゾーン',
  'compose.noAccount': '先にアカウントを接続してください。',
  'compose.posted': 'X に投稿しました。',
  'compose.scheduled': '{when} に予約しました。',
  'compose.queued': '@{user} のキューに追加しました。',
  'compose.notPosted': '投稿できませんでした：{reason}',
  'compose.retrying':
    'X から待つよう求められました（レート制限）。投稿は保存され、X が許可しだい送られます。操作は不要です。',
  'compose.blocked': 'アカウントの再接続が必要です。投稿は保存され、再接続後に送られます。',
  'compose.checking':
    'X の応答が時間内にありませんでした。Rotor が投稿されたかを確認しており、二重に投稿することはありません。操作は不要です。',
  'posts.title': '投稿',
  'posts.upcoming': '予定',
  'posts.queue': 'キュー',
  'posts.history': '履歴',
  'posts.none': 'ありません。',
  'posts.when': '日時',
  'posts.account': 'アカウント',
  'posts.status': '状態',
  'posts.text': '本文',
  'posts.cancel': '取り消す',
  'posts.cancelled': '投稿を取り消しました。',
  'posts.view': 'X で見る',
  'status.draft': '下書き',
  'status.queued': 'キュー待ち',
  'status.scheduled': '予約済み',
  'status.publishing': '投稿中',
  'status.published': '投稿済み',
  'status.failed': '失敗',
  'status.blocked': '保留：アカウントの再接続が必要です',
  'status.unknown': '結果不明：Rotor が X を確認しています',
  'status.cancelled': '取り消し済み',
  'sched.title': 'スケジュール',
  'sched.recurring': '定期投稿',
  'sched.queueSlots': 'キューの投稿枠',
  'sched.none': 'スケジュールはまだありません。',
  'sched.cron': '日時（cron）',
  'sched.cronHelp': '5 つの欄：分 時 日 月 曜日。「0 9 * * 1-5」は平日の 9:00 です。',
  'sched.template':
    '本文：{counter} は回数、{date}・{time}・{weekday}・{weekday_ja} でも毎回変えられます（X は同じ本文を拒否します）',
  'sched.create': 'スケジュールを作成',
  'sched.setSlots': '投稿枠を設定',
  'sched.next': '次回：{when}',
  'sched.paused': '一時停止中',
  'sched.pause': '一時停止',
  'sched.resume': '再開',
  'sched.delete': '削除',
  'sched.saved': '保存しました。',
  'import.title': 'CSV から下書きをインポート',
  'import.help':
    '1 行に 1 投稿、先頭行は見出し。列：text（必須）、予約する場合は at（YYYY-MM-DD HH:MM）と time_zone。at のない行はキューに入ります。すべての行が正しい場合のみインポートします。',
  'import.file': 'CSV ファイル',
  'import.submit': 'インポート',
  'import.done': '{n} 件の投稿をインポートしました。',
  'import.failed': 'インポートしていません。次の行を直してから、もう一度お試しください。',
  'settings.title': '設定',
  'settings.language': '言語',
  'settings.zone': 'タイムゾーン',
  'settings.save': '保存',
  'keys.title': 'API キー',
  'keys.help':
    'キーを使うと、プログラムが Rotor の HTTP API（/openapi.json）を、与えた権限の範囲で使えます。キーは一度だけ表示されます。',
  'keys.name': '名前',
  'keys.permissions': '権限',
  'keys.create': 'キーを作成',
  'keys.created': '新しいキー（今すぐコピーしてください。二度と表示されません）：',
  'keys.revoke': '無効にする',
  'keys.revoked': '無効',
  'keys.lastUsed': '最終使用：{when}',
  'keys.never': '未使用',
  'keys.handouts': '払い出したアクセストークン',
  'keys.noHandouts': 'アクセストークンはまだ払い出していません。',
  'error.title': '問題が発生しました',
  'error.back': 'ダッシュボードへ戻る',
  'error.notFound': '見つかりません。',
  'error.csrf':
    'このフォームは期限切れか、別のサイトから送信されました。ページを再読み込みして、もう一度お試しください。',
  'quick.title': '今すぐ投稿',
  'quick.lead':
    'トークンはこのブラウザーの暗号化された Cookie にだけ保存され、Rotor のサーバーには何も残りません。予約投稿はできません。',
  'quick.connect': 'X で接続',
  'quick.as': '@{user} として投稿します。',
  'quick.forget': 'このブラウザーのトークンを削除',
  'quick.unknown':
    '投稿されたかどうか X から確認できませんでした。もう一度送る前にプロフィールを確認してください',
  // Security (issue 12): sessions, the sign-in account banner, rate limits, cookie mode.
  'sessions.title': 'ログイン中のセッション',
  'sessions.lead':
    'あなたとしてログインしているブラウザーです。{days} 日間使われないセッションは終了します。',
  'sessions.this': 'このブラウザー',
  'sessions.started': '{when} にログイン',
  'sessions.seen': '最終利用 {when}',
  'sessions.unknownBrowser': '不明なブラウザー',
  'sessions.signoutAll': 'すべてのブラウザーからログアウト',
  'sessions.signedOutAll': 'すべてのブラウザーからログアウトしました。',
  'signin.reconnectBanner':
    'ログインに使っている X アカウント（@{user}）が X で使えなくなっています。Rotor にはログインしたままです。このアカウントで投稿を続けるには再接続してください。',
  'error.rateLimited': '試行回数が多すぎます。{seconds} 秒待ってからもう一度お試しください。',
  'quick.forgotten': '削除しました。トークンは X で取り消され、このブラウザーの Cookie も消去されました。',
};

const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, ja };

/** Every message key (for checks that both languages say the same things). */
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];

/** A translator for one locale: `t('dash.refreshed', { when })`. */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const table = MESSAGES[locale];
  return (key, params = {}) =>
    table[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
}

export const isLocale = (v: unknown): v is Locale => v === 'en' || v === 'ja';

/**
 * The locale for a request: an explicit choice first, then the first supported language of
 * `Accept-Language` by quality, else English.
 */
export function pickLocale(choice: string | null | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(choice)) return choice;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { lang } of ranked) if (isLocale(lang)) return lang;
  return 'en';
}
