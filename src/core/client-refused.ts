/**
 * @module What to say when X refuses Rotor's own client credentials (`invalid_client` or
 * `unauthorized_client` at the token endpoint), in English and Japanese: the operator must fix
 * the app's client id or secret. It names the client id (public: it is in every authorization
 * URL), never the secret, and never sends anyone to the callback URL, which X checks elsewhere.
 */
import type { Locale } from './locale.ts';

/** The clear message for a refused client, in `locale`. */
export function clientRefusedText(locale: Locale, clientId: string): string {
  return locale === 'ja'
    ? `X が Rotor のアプリの認証情報（クライアント ID「${clientId}」）を拒否しました。X_CLIENT_ID と X_CLIENT_SECRET が X の開発者ポータルにあるアプリの OAuth 2.0 クライアント ID とクライアントシークレットに一字一句一致しているか確認してください（コールバック URL の問題ではありません）。`
    : `X refused Rotor's app credentials (client id "${clientId}"). Check X_CLIENT_ID and X_CLIENT_SECRET: they must be your app's OAuth 2.0 Client ID and Client Secret from the X developer portal, exactly as shown there (the callback URL is not the problem).`;
}

/** Whether a token-endpoint error answer is X refusing the client itself. */
export function isClientRefusal(status: number | undefined, error: string | undefined): boolean {
  return status === 401 || error === 'invalid_client' || error === 'unauthorized_client';
}
