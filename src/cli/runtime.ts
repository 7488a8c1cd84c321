/**
 * @module What a CLI command needs to reach accounts: configuration, the database (PGlite in
 * ROTOR_DATA_DIR, locked to this process, or PostgreSQL), the key ring, the X preset, a vault
 * and a connector. Problems end the command with a clear message and exit code 2.
 */
import { join, resolve } from 'node:path';
import { loadConfig, type LoadOptions, type RotorConfig } from '../core/config.ts';
import { RotorError } from '../core/errors.ts';
import { resolveKeyRing } from '../crypto/key-source.ts';
import { KeyRingError, type KeyRing } from '../crypto/keyring.ts';
import { xProvider } from '../oauth/x.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import { DataDirBusyError } from '../store/data-dir-lock.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openPglite } from '../store/pglite.ts';
import { openPostgres } from '../store/postgres.ts';
import { createOps, observeVault, type Ops } from '../ops/ops.ts';
import { Connector } from '../vault/connect.ts';
import type { VaultEvents } from '../vault/events.ts';
import { TokenVault } from '../vault/vault.ts';
import { describeReconcile, VaultGuard } from '../vault/guard.ts';

export interface Runtime {
  config: RotorConfig;
  db: Db;
  keyRing: KeyRing;
  provider: OAuthProvider;
  vault: TokenVault;
  connector: Connector;
  /** Logger, metrics, audit and notifier of this process (`src/ops`). */
  ops: Ops;
  /** The vault's events (audit and notifications listen here); `disconnectAccount(rt, …)` reports to it. */
  events: VaultEvents;
  /** Backups, moves and copies: the installation's gate and the newest pairs (issue 18). */
  guard: VaultGuard;
  close(): Promise<void>;
}

/** Prints a one-line (or few-line) error and exits with `code`. */
export function fail(command: string, message: string, code = 2): never {
  console.error(`rotor ${command}: ${message}`);
  process.exit(code);
}

/** This process's configuration; a problem ends the command (exit 2) naming the variable. */
export function loadCliConfig(command: string, o: LoadOptions = {}): RotorConfig {
  try {
    return loadConfig(process.env, o);
  } catch (e) {
    if (e instanceof RotorError) fail(command, e.message);
    throw e;
  }
}

export async function openRuntime(
  command: string,
  opts: {
    needX?: boolean;
    createDevKey?: boolean;
    /** The configuration, when the command has loaded it already (`serve`); default: from this process's environment. */
    config?: RotorConfig;
    /** Where this process serves requests (recorded in the PGlite lock for other commands to show). */
    serveUrl?: string;
    /** A long-running process (serve, worker): logs to stderr, retries notification deliveries. */
    long?: boolean;
  } = {},
): Promise<Runtime> {
  const config = opts.config ?? loadCliConfig(command);
  if (opts.needX && config.x.demo && config.x.emulatorUrl === undefined) {
    fail(
      command,
      'no X credentials (X_CLIENT_ID) and no X_EMULATOR_URL. To try Rotor without X, start the emulator ' +
        '(`npx rotor emulator --port 4100`) and set X_EMULATOR_URL=http://127.0.0.1:4100; for X, set X_CLIENT_ID and X_CLIENT_SECRET.',
    );
  }
  const dataDir = resolve(config.dataDir);
  let keyRing: KeyRing;
  try {
    keyRing = resolveKeyRing({
      keys: config.keys,
      dataDir,
      // Only in demo mode (no X credentials): a development key, created with a loud notice.
      createDevKey: opts.createDevKey ?? config.x.demo,
      warn: (m) => console.error(m),
    });
  } catch (e) {
    if (e instanceof KeyRingError) fail(command, e.message);
    throw e;
  }
  let db: Db;
  try {
    db = config.databaseUrl
      ? openPostgres(config.databaseUrl)
      : await openPglite(dataDir, `rotor ${command}`, opts.serveUrl);
    await migrate(db);
  } catch (e) {
    if (e instanceof DataDirBusyError) fail(command, e.message);
    fail(command, `cannot open the database: ${(e as Error).message}`);
  }
  const provider = xProvider({
    clientId: config.x.clientId,
    clientSecret: config.x.clientSecret,
    redirectUri: config.x.redirectUri,
    emulatorUrl: config.x.emulatorUrl,
  });
  // issue 18: may this installation refresh, and the newest pairs kept outside the database.
  let guard: VaultGuard;
  try {
    guard = await VaultGuard.open({
      db,
      keyRing,
      dataDir,
      refresh: config.backups.refresh,
      ...(config.backups.newestDir !== undefined ? { pairDir: config.backups.newestDir } : {}),
    });
  } catch (e) {
    fail(command, `cannot check the installation: ${(e as Error).message}`);
  }
  const vault = new TokenVault({
    db,
    provider,
    keyRing,
    guard,
    journalDir: join(dataDir, 'journal'),
    ...(config.refreshMarginMs !== undefined ? { refreshMarginMs: config.refreshMarginMs } : {}),
  });
  const ops = createOps({ config, db, long: opts.long ?? false });
  const unobserve = observeVault(ops, vault.events, config.x.clientId);
  // issue 18: rows older than the newest kept pairs are brought forward before anything refreshes.
  guard.observe(vault.events);
  const reconciled = await guard.reconcile().catch(() => undefined);
  for (const line of reconciled ? describeReconcile(reconciled) : [])
    console.error(`rotor ${command}: ${line}`);
  const verdict = await guard.gate.check().catch(() => undefined);
  if (verdict && !verdict.allowed) console.error(`rotor ${command}: refreshing is off: ${verdict.message}`);
  await vault.recoverJournal().catch(() => 0);
  const connector = new Connector({ db, provider, keyRing, events: vault.events });
  return {
    config,
    db,
    keyRing,
    provider,
    vault,
    connector,
    ops,
    events: vault.events,
    guard,
    close: async () => {
      unobserve();
      await vault.close();
      await ops.close();
      await db.close();
    },
  };
}
