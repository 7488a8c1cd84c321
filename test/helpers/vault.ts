/**
 * @module A whole token-vault setup for tests: the emulator, a database on either backend, a key
 * ring, the X preset pointed at the emulator, a connector and a vault that shares the emulator's
 * clock.
 */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { demoConnector, type DemoConnector } from '../../scripts/demo-connector.ts';
import { KeyRing } from '../../src/crypto/keyring.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { EmulatorSettingsInput } from '../../src/emulator/settings.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import type { OAuthProvider } from '../../src/oauth/provider.ts';
import type { Db } from '../../src/store/db.ts';
import type { Connector } from '../../src/vault/connect.ts';
import { TokenVault, type VaultOptions } from '../../src/vault/vault.ts';
import { openTestDb, type Backend, type TestDb } from './db.ts';
import { consent, emulator } from './emulator.ts';

export interface VaultSetup {
  emu: RunningEmulator;
  t: TestDb;
  keyRing: KeyRing;
  provider: OAuthProvider;
  connector: Connector;
  vault: TokenVault;
  newVault(options?: Partial<VaultOptions>): TokenVault;
  /** Connects a seeded user through the consent page; returns the account id. */
  connectAs(username: string): Promise<string>;
}

export const testKeyRing = () => KeyRing.of([{ id: 'k1', bytes: randomBytes(32) }]);

/**
 * The demo client's connector on `db` for `emu`, with a fresh key (`key` for other processes);
 * `connectAs` answers the consent page as a seeded user. Without `clock`, the real clock.
 */
export function connectorFor(emu: RunningEmulator, db: Db, clock?: Clock): DemoConnector {
  return demoConnector({
    db,
    emulatorUrl: emu.url,
    consent: (url, username) => consent(emu, new URL(url), username),
    clock,
  });
}

export async function vaultSetup(
  backend: Backend,
  settings: EmulatorSettingsInput = {},
  options: Partial<VaultOptions> = {},
): Promise<VaultSetup> {
  const emu = await emulator(settings);
  const t = await openTestDb(backend);
  after(() => t.close());
  const clock = { now: () => emu.world.now() };
  const { keyRing, provider, connector, connectAs } = connectorFor(emu, t.db, clock);
  const newVault = (o: Partial<VaultOptions> = {}) =>
    new TokenVault({
      db: t.db,
      provider,
      keyRing,
      clock,
      // Shortened for tests. Production: a token request's deadline 15 s, the lease 30 s.
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
    connectAs,
  };
}
