/**
 * @module The emulator's own words, in English and Japanese (from the browser's Accept-Language).
 * The emulator stands apart from Rotor: it has its own small table, not the product's.
 */
export type EmulatorLang = 'en' | 'ja';

const TEXTS = {
  en: {
    banner: "This is Rotor's X emulator, not X. Nothing here reaches x.com.",
    title: 'Authorize app',
    heading: 'Authorize {app} to access your X account?',
    signInAs: 'Sign in as',
    willBeAble: 'This app will be able to:',
    allow: 'Authorize app',
    deny: 'Cancel',
    denyHelp: 'Cancel connects nothing: you go back to {app}.',
    post: 'Post',
    notFound: 'This post does not exist (or was deleted).',
    timeline: 'All timelines',
  },
  ja: {
    banner: 'これは Rotor の X エミュレーターで、X ではありません。ここから x.com には何も届きません。',
    title: 'アプリの認可',
    heading: '{app} に X アカウントへのアクセスを許可しますか？',
    signInAs: 'ログインするアカウント',
    willBeAble: 'このアプリができること：',
    allow: 'アプリを認可',
    deny: 'キャンセル',
    denyHelp: 'キャンセルすると何も接続されず、{app} に戻ります。',
    post: '投稿',
    notFound: 'この投稿は存在しません（または削除されました）。',
    timeline: 'すべてのタイムライン',
  },
} as const;

export type EmulatorText = keyof (typeof TEXTS)['en'];

/** Japanese when the browser puts it before English, else English. */
export function emulatorLang(acceptLanguage: string | undefined): EmulatorLang {
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('ja') ? 'ja' : 'en';
}

export const emulatorText = (lang: EmulatorLang, key: EmulatorText, app = '') =>
  TEXTS[lang][key].replace('{app}', app);
