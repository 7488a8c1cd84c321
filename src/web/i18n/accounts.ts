/** @module Web texts, Accounts and access: connect, quick tokens, API keys, sessions, settings, in English and Japanese. */
import { defineTexts } from './define.ts';

export const accountsTexts = defineTexts(
  {
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
    'quick.forgotten': 'Forgotten: the tokens were revoked at X and this browser’s cookie was cleared.',
    'connect.otherUser':
      '@{user} is already connected to Rotor by another user. Sign in as that user to reconnect it, or ask them to disconnect it first.',
    'connect.denied': 'You chose not to authorize Rotor on X. Nothing was connected.',
    'connect.expired': 'This sign-in link has expired or was already used; start again.',
    'connect.otherTab':
      'This sign-in was started in another browser or tab, or has expired; start again here.',
    'connect.signedOut': 'You signed out after starting to connect an account; sign in and start again.',
    'connect.wrongAccount':
      'You signed in on X as @{got}; @{want} still needs reconnecting. Nothing was added. On X, switch to @{want}, then press “Reconnect @{want}” again.',
    'connect.tryAgain': 'Try again',
  },
  {
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
    'quick.forgotten': '削除しました。トークンは X で取り消され、このブラウザーの Cookie も消去されました。',
    'connect.otherUser':
      '@{user} は別のユーザーがすでに Rotor に接続しています。再接続するにはそのユーザーでログインするか、先に接続を解除してもらってください。',
    'connect.denied': 'X で Rotor を許可しませんでした。何も接続していません。',
    'connect.expired': 'このログインのリンクは期限切れか、すでに使われています。もう一度始めてください。',
    'connect.otherTab':
      'このログインは別のブラウザーやタブで始められたか、期限切れです。ここでもう一度始めてください。',
    'connect.signedOut':
      'アカウントの接続を始めた後にログアウトしました。ログインしてからもう一度始めてください。',
    'connect.wrongAccount':
      'X に @{got} としてログインしました。@{want} はまだ再接続が必要です。何も追加していません。X で @{want} に切り替えてから、もう一度「再接続 @{want}」を押してください。',
    'connect.tryAgain': 'もう一度試す',
  },
);
