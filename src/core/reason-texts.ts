/**
 * @module Why an account needs its user again, in plain words, in English and Japanese: the one
 * table the CLI, the web app and the notifications all say it from.
 */
import type { ReauthReason } from './errors.ts';
import type { Locale } from './locale.ts';

export const REASON_TEXTS: Record<Locale, Record<ReauthReason, string>> = {
  en: {
    expired: 'the access expired after about 6 months',
    revoked: 'the access was revoked on X',
    reused:
      'X saw an old token used again and ended the access for safety (Rotor did not lose it: this happens when tokens were copied elsewhere)',
    lost_response: 'X’s answer to a token refresh was lost in transit, so the new token never arrived',
    restored:
      'Rotor’s database was restored from a backup older than the account’s last refresh, and the newer token was not kept',
    unknown: 'X stopped accepting the access and did not say why',
  },
  ja: {
    expired: '約 6 か月の有効期限が切れました',
    revoked: 'X 側でアクセスが取り消されました',
    reused:
      '古いトークンが再び使われたため、X が安全のためアクセスを終了しました（トークンが他の場所にコピーされた場合に起こります）',
    lost_response: 'トークン更新に対する X の応答が通信中に失われ、新しいトークンが届きませんでした',
    restored:
      'Rotor のデータベースがこのアカウントの最後のトークン更新より古いバックアップから復元され、新しいトークンが残っていませんでした',
    unknown: 'X が理由を示さずにアクセスを受け付けなくなりました',
  },
};

/** The reason in `locale`; an unknown or missing one reads as `unknown`. */
export function reasonText(locale: Locale, reason: string | null | undefined): string {
  const table = REASON_TEXTS[locale];
  return reason !== null && reason !== undefined && reason in table
    ? table[reason as ReauthReason]
    : table.unknown;
}
