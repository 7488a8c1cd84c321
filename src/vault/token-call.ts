/**
 * @module The one retry-on-401 (property 31): a call to X made with the account's access token;
 * X answering 401 to it → one single-flight refresh (the vault's `rejected`: a token another
 * caller already replaced is not refreshed again), then one more call. X refusing the refreshed
 * token too is `refused`: the grant no longer works, and what that means is the caller's (the
 * publisher blocks the post and has the vault mark the account; {@link TokenVault.authorizedFetch}
 * throws). Used by the publisher (create, upload, lookup) and by `authorizedFetch`.
 */
import type { TokenVault } from './vault.ts';

/** What the retry needs of the vault. */
export type TokenSource = Pick<TokenVault, 'getAccessToken'>;

export type TokenCall<T> =
  /** X answered something other than 401 (with the token that was used). */
  | { kind: 'answered'; result: T; token: string }
  /** X answered 401 to the token and again to the one refreshed for it. */
  | { kind: 'refused'; token: string }
  /** `beforeCall` said no: the caller may no longer call X (its claim moved on). */
  | { kind: 'stopped' }
  /** The vault gave no token (`reauth_required`, a transient failure…): the error it threw. */
  | { kind: 'no_token'; error: unknown };

export interface TokenCallOptions<T> {
  /** Whether X's answer is a 401. */
  unauthorized(result: T): boolean;
  /** The token to try first, if the caller holds one; otherwise one is asked of the vault. */
  token?: string;
  /** Asked before each call to X; false → `stopped`, nothing sent. */
  beforeCall?(): Promise<boolean>;
}

/** Calls X with the account's token, and once more after one refresh if X answers 401. */
export async function callWithToken<T>(
  vault: TokenSource,
  accountId: string,
  call: (accessToken: string) => Promise<T>,
  o: TokenCallOptions<T>,
): Promise<TokenCall<T>> {
  let token = o.token;
  for (let attempt = 0; ; attempt += 1) {
    if (token === undefined || attempt > 0) {
      try {
        token = (await vault.getAccessToken(accountId, token === undefined ? {} : { rejected: token }))
          .accessToken;
      } catch (error) {
        return { kind: 'no_token', error };
      }
    }
    if (o.beforeCall && !(await o.beforeCall())) return { kind: 'stopped' };
    const result = await call(token);
    if (!o.unauthorized(result)) return { kind: 'answered', result, token };
    if (attempt > 0) return { kind: 'refused', token };
  }
}
