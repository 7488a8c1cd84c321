/**
 * @module What a notification says, in English and Japanese: a subject line and a short body in
 * plain words that name the account and what to do. Rendered when shown or sent (the database
 * keeps the kind and its data), so each reader gets their own language.
 */
import type { Locale } from '../../core/locale.ts';
import { reasonText } from '../../core/reason-texts.ts';
import type { NotificationData, NotificationKind } from '../../store/notifications.ts';

export interface NotificationText {
  subject: string;
  body: string;
}

const utc = (ms: number | undefined) =>
  ms === undefined ? '?' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The text of a notification in `locale`.
 *
 * @example
 * const { subject, body } = notificationText('reauth_required', { username: 'alice', reason: 'revoked' }, 'ja');
 */
export function notificationText(
  kind: NotificationKind,
  d: NotificationData,
  locale: Locale,
): NotificationText {
  const who = `@${d.username ?? '?'}`;
  const reason = reasonText(locale, d.reason);
  const text = d.text ? `“${d.text}”` : '';
  if (locale === 'ja') {
    switch (kind) {
      case 'reauth_required':
        return {
          subject: `${who} の再接続が必要です`,
          body: `${who} は再接続が必要です：${reason}。Rotor のダッシュボードで「再接続 ${who}」を押してください。それまで予約投稿は保留されます。`,
        };
      case 'horizon_approaching':
        return {
          subject: `${who} の接続がまもなく期限切れになります`,
          body: `${who} の X へのアクセスは ${utc(d.at)} ごろに期限切れになります。途切れないように、それまでにもう一度接続してください。`,
        };
      case 'post_failed':
        return {
          subject: `${who} の投稿に失敗しました`,
          body: `${who} の投稿 ${text} は公開されませんでした：${d.reason ?? '理由不明'}`,
        };
      case 'post_unknown':
        return {
          subject: `${who} の投稿の結果が不明です`,
          body: `${who} の投稿 ${text} は、X から応答がなく公開されたかどうか分かりません。Rotor が X 上の最近の投稿を確認し、勝手に再送はしません。`,
        };
      case 'invalid_client':
        return {
          subject: 'X が Rotor のクライアント認証を拒否しました',
          body: `X がクライアント ${d.clientId ?? ''} の認証情報を拒否したため、すべてのアカウントのトークン更新を停止しています。管理者は X_CLIENT_ID と X_CLIENT_SECRET を確認してください（rotor doctor）。`,
        };
      case 'decryption_failed':
        return {
          subject: `${who} の保存済みトークンを復号できません`,
          body: `${who} の保存済みトークンを復号できませんでした（鍵の不足・誤り、または改ざん）。管理者は ROTOR_KEYS を確認してください（rotor keys status）。鍵が戻れば再接続は不要です。`,
        };
    }
  }
  switch (kind) {
    case 'reauth_required':
      return {
        subject: `${who} needs to be reconnected`,
        body: `${who} needs to be reconnected: ${reason}. Press “Reconnect ${who}” on Rotor's dashboard; its scheduled posts wait until then.`,
      };
    case 'horizon_approaching':
      return {
        subject: `${who}'s connection ends soon`,
        body: `${who}'s access to X ends around ${utc(d.at)}. Connect the account again before then so that nothing stops.`,
      };
    case 'post_failed':
      return {
        subject: `A post of ${who} failed`,
        body: `The post ${text} of ${who} was not published: ${d.reason ?? 'no reason given'}`,
      };
    case 'post_unknown':
      return {
        subject: `A post of ${who} may or may not have been published`,
        body: `X did not answer, so Rotor does not know whether the post ${text} of ${who} was published. Rotor looks at the account's recent posts and never resends it blindly.`,
      };
    case 'invalid_client':
      return {
        subject: "X refused Rotor's client credentials",
        body: `X refused the credentials of client ${d.clientId ?? ''}, so token refreshes are paused for every account. Operator: check X_CLIENT_ID and X_CLIENT_SECRET (run \`rotor doctor\`).`,
      };
    case 'decryption_failed':
      return {
        subject: `The stored tokens of ${who} cannot be decrypted`,
        body: `The stored tokens of ${who} could not be decrypted (a key missing from ROTOR_KEYS, a wrong key, or tampering). Operator: check ROTOR_KEYS (run \`rotor keys status\`); once the key is back, no reconnection is needed.`,
      };
  }
}
