/**
 * The emulator's demo client (`rotor-demo`) as an X preset, a fresh key and a connector, for
 * tests and benchmarks that connect seeded users themselves and hand the key (`ROTOR_KEYS`) to
 * other processes on the same database.
 */
import type { Clock } from '../src/core/clock.ts';
import { KeyRing } from '../src/crypto/keyring.ts';
import { DEMO_CLIENT } from '../src/emulator/settings.ts';
import type { OAuthProvider } from '../src/oauth/provider.ts';
import { xProvider } from '../src/oauth/x.ts';
import type { Db } from '../src/store/db.ts';
import { Connector } from '../src/vault/connect.ts';

export interface DemoConnector {
  /** The key entry (`id:base64url`), for `ROTOR_KEYS` of other processes. */
  key: string;
  keyRing: KeyRing;
  provider: OAuthProvider;
  connector: Connector;
  /** Connects `username` (begin, consent, complete); returns the account id. */
  connectAs: (username: string) => Promise<string>;
}

/** The demo client's X preset pointed at the emulator at `emulatorUrl`. */
export function demoProvider(emulatorUrl: string): OAuthProvider {
  return xProvider({
    clientId: DEMO_CLIENT.clientId,
    clientSecret: DEMO_CLIENT.clientSecret,
    redirectUri: DEMO_CLIENT.redirectUris[0],
    emulatorUrl,
  });
}

/**
 * A connector on `db` for the emulator at `emulatorUrl`, with a fresh key. `consent` answers the
 * emulator's consent page for an authorization URL as `username` and gives the redirect back.
 */
export function demoConnector(o: {
  db: Db;
  emulatorUrl: string;
  consent: (authUrl: string, username: string) => Promise<string | URL>;
  clock?: Clock;
}): DemoConnector {
  const key = KeyRing.generateEntry('k1');
  const keyRing = KeyRing.parse(key);
  const provider = demoProvider(o.emulatorUrl);
  const connector = new Connector({ db: o.db, provider, keyRing, clock: o.clock });
  return {
    key,
    keyRing,
    provider,
    connector,
    connectAs: async (username) => {
      const { url } = await connector.begin();
      return (await connector.complete(await o.consent(url, username))).accountId;
    },
  };
}
