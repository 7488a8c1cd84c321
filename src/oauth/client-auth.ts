/**
 * @module How a confidential client proves itself at the token and revocation endpoints
 * (property 37). Both forms are HTTP Basic; they differ in what goes inside the base64:
 *
 * - `as-is`: `base64(client_id:client_secret)` with the two values byte for byte, as X documents
 *   it ("Confidential clients … Basic Authorization header: base64(client_id:client_secret)") and
 *   as arctic and twitter-api-v2 send it to X. X's client ids and secrets are base64url strings
 *   (`-`, `_`); a server that reads Basic this way refuses a percent-encoded `%2D`.
 * - `form-urlencoded`: RFC 6749 §2.3.1, each value `application/x-www-form-urlencoded` first
 *   (oauth4webapi's `ClientSecretBasic`), for standard servers.
 *
 * Both are oauth4webapi `ClientAuth` functions, so the token requests themselves stay the
 * library's.
 */
import * as oauth from 'oauth4webapi';

/** What a Basic header's user and password are: the values as they are, or form-encoded first. */
export type BasicCredentialEncoding = 'as-is' | 'form-urlencoded';

/** The `Authorization` value for `id:secret` with the values as they are (RFC 7617, UTF-8). */
export function basicAsIs(clientId: string, clientSecret: string): string {
  // RFC 7617 §2: a user-id with a colon cannot be told apart from the password.
  if (clientId.includes(':')) throw new TypeError('a client id for HTTP Basic cannot contain ":"');
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')}`;
}

/**
 * The RFC 6749 §2.3.1 form, exactly as oauth4webapi's `ClientSecretBasic` sends it (it also
 * encodes `-`, `_`, `.`, `~`, `*`): each value form-urlencoded, then joined and base64-encoded.
 */
export function basicFormUrlEncoded(clientId: string, clientSecret: string): string {
  const headers = new Headers();
  void oauth.ClientSecretBasic(clientSecret)(
    { issuer: 'https://unused.invalid' },
    { client_id: clientId },
    new URLSearchParams(),
    headers,
  );
  const value = headers.get('authorization');
  if (value === null) throw new TypeError('oauth4webapi set no Authorization header');
  return value;
}

/**
 * The oauth4webapi client authentication for a client: none (a public client, `client_id` in
 * the body) or HTTP Basic in the given encoding.
 */
export function clientAuthentication(
  clientSecret: string | undefined,
  encoding: BasicCredentialEncoding,
): oauth.ClientAuth {
  if (clientSecret === undefined) return oauth.None();
  if (encoding === 'form-urlencoded') return oauth.ClientSecretBasic(clientSecret);
  return (_as, client, _body, headers) => {
    headers.set('authorization', basicAsIs(client.client_id, clientSecret));
  };
}
