/**
 * @module A whole token-vault setup for tests: the emulator, a database on either backend, a key
 * ring, the X preset pointed at the emulator, a connector and a vault that shares the emulator's
 * clock.
 */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { KeyRing } from '../../src/crypto/keyring.ts';
import type { EmulatorSettingsInput } from '../../src/emulator/settings.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import { xProvider } from '../../src/oauth/x.ts';
import { Connector } from '../../src/vault/connect.ts';
import { TokenVault, type VaultOptions } from '../../src/vault/vault.ts';
import { openTestDb, type Backend, type TestDb } from './db.ts';
import { consent, DEMO_CLIENT, DEMO_REDIRECT, emulator } from './emulator.ts';

export interface VaultSetup {
  emu: RunningEmulator;
  t: TestDb;
  keyRing: KeyRing;
  provider: ReturnType<typeof xProvider>;
  connector: Connector;
  vault: TokenVault;
  newVault(options?: Partial<VaultOptions>): TokenVault;
  /** Connects a seeded user through the consent page; returns the account id. */
  connectAs(username: string): Promise<string>;
}

export const testKeyRing = () => KeyRing.of([{ id: 'k1', bytes: randomBytes(32) }]);

export async function vaultSetup(
  backend: Backend,
  settings: EmulatorSettingsInput = {},
  options: Partial<VaultOptions> = {},
): Promise<VaultSetup> {
  const emu = await emulator(settings);
  const t = await openTestDb(backend);
  after(() => t.close());
  const keyRing = testKeyRing();
  const provider = xProvider({
    clientId: DEMO_CLIENT.clientId,
    clientSecret: DEMO_CLIENT.clientSecret,
    redirectUri: DEMO_REDIRECT,
    emulatorUrl: emu.url,
  });
  const clock = { now: () => emu.world.now() };
  const connector = new Connector({ db: t.db, provider, keyRing, clock });
  const newVault = (o: Partial<VaultOptions> = {}) =>
    new TokenVault({
      db: t.db,
      provider,
      keyRing,
      clock,
      httpTimeoutMs: 2_000,
      leaseTtlMs: 5_000,
      ...options,
      ...o,
    });
  return {
    emu,
    t,
    keyRing,
    provider,
    connector,
    vault: newVault(),
    newVault,
    async connectAs(username) {
      const { url } = await connector.begin();
      const back = await consent(emu, new URL(url), username);
      return (await connector.complete(back)).accountId;
    },
  };
}
