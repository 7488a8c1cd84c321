/**
 * @module The encryption binding of a stored token: `token_sets.access_ct` / `refresh_ct` are
 * sealed bound to their account and field, so a ciphertext moved to another row or field does
 * not open. The one definition every sealer and opener of token fields uses.
 */
import type { Binding } from './aead.ts';

/** The token fields of `token_sets`. */
export type TokenField = 'access' | 'refresh';

/** What a stored token of `accountId` is bound to. */
export const tokenBinding = (accountId: string, field: TokenField): Binding => ({
  table: 'token_sets',
  row: accountId,
  field,
});
