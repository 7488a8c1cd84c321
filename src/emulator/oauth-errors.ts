/**
 * @module The token and revocation endpoints' error answers, with X's exact bodies where X's
 * are known (docs/x-fidelity.md) and RFC 6749 §5.2 shapes where they are not.
 */

export interface OAuthError {
  status: 400 | 401;
  body: { error: string; error_description: string };
}

export type OAuthResult<T> = { ok: true; value: T } | { ok: false; error: OAuthError };

const invalidRequest = (description: string): OAuthError => ({
  status: 400,
  body: { error: 'invalid_request', error_description: description },
});

export const oauthErrors = {
  /** X's answer to a confidential client without (valid) Basic credentials. */
  missingClientAuth: (): OAuthError => ({
    status: 401,
    body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' },
  }),
  unknownClient: (): OAuthError => ({
    status: 401,
    body: { error: 'invalid_client', error_description: 'Value passed for the client id was invalid.' },
  }),
  missingParameter: (name: string): OAuthError => invalidRequest(`Missing required parameter [${name}].`),
  badCode: (): OAuthError => invalidRequest('Value passed for the authorization code was invalid.'),
  badToken: (): OAuthError => invalidRequest('Value passed for the token was invalid.'),
  redirectMismatch: (): OAuthError =>
    invalidRequest('Value passed for the redirect uri did not match the uri of the authorization code.'),
  verifierMismatch: (): OAuthError =>
    invalidRequest('Value passed for the code verifier did not match the code challenge.'),
  unsupportedGrantType: (): OAuthError => ({
    status: 400,
    body: {
      error: 'unsupported_grant_type',
      error_description: 'Value passed for the grant type was invalid.',
    },
  }),
  unsupportedTokenType: (): OAuthError => ({
    status: 400,
    body: {
      error: 'unsupported_token_type',
      error_description: 'Value passed for the token type hint was invalid.',
    },
  }),
  malformedBody: (): OAuthError =>
    invalidRequest('The request body must be application/x-www-form-urlencoded or JSON.'),
};

export const ok = <T>(value: T): OAuthResult<T> => ({ ok: true, value });
export const fail = <T>(error: OAuthError): OAuthResult<T> => ({ ok: false, error });
