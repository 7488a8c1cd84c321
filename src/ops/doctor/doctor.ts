/**
 * @module `rotor doctor`: checks configuration, key ring, database, migrations, the keys the
 * stored tokens use, X (reachability, clock, client credentials, redirect URI) and the mail
 * server, and says in plain words what is wrong and how to fix it. It changes nothing: pending
 * migrations are reported, not applied; no development key is created.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.ts';
import type { RotorConfig } from '../../core/config.ts';
import { open } from '../../crypto/aead.ts';
import { DEV_KEY_FILE, resolveKeyRing } from '../../crypto/key-source.ts';
import type { KeyRing } from '../../crypto/keyring.ts';
import { tokenBinding } from '../../crypto/token-binding.ts';
import { DataDirBusyError } from '../../store/data-dir-lock.ts';
import { ping, type Db } from '../../store/db.ts';
import { appliedMigrations, listMigrations } from '../../store/migrate.ts';
import { oneAccessSealedWith } from '../../store/sealed.ts';
import { openPglite } from '../../store/pglite.ts';
import { openPostgres } from '../../store/postgres.ts';
import { keyUsage } from '../key-rotation.ts';
import { smtpTransport } from '../notifications/email.ts';
import { checkInstallation } from './installation-check.ts';
import type { CheckResult } from './result.ts';
import { checkSettings, describeSettings } from './settings-check.ts';
import { checkClient, checkReachAndClock, checkRedirect } from './x-checks.ts';

export interface DoctorOptions {
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Per network check (ms). Default 5000. */
  timeoutMs?: number;
}

/** Runs every check; the caller prints {@link formatReport} and exits non-zero on any `fail`. */
export async function runDoctor(o: DoctorOptions = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const env = o.env ?? process.env;
  const settings = checkSettings(env);
  const config = settings.config;
  if (!config) return settings.results;
  results.push({
    name: 'configuration',
    status: 'ok',
    message: config.x.demo
      ? `demo mode (no X_CLIENT_ID)${config.x.emulatorUrl ? `, X is the emulator at ${config.x.emulatorUrl}` : ''}`
      : `client ${config.x.clientId}${config.x.clientSecret ? ' (confidential)' : ' (public)'}`,
  });
  results.push(...settings.results, ...describeSettings(env));
  if (config.x.demo && !config.x.emulatorUrl) {
    results.push({
      name: 'X',
      status: 'warn',
      message:
        'no X credentials and no X_EMULATOR_URL: only `rotor serve` (with its built-in emulator) can run',
      fix: 'for X, set X_CLIENT_ID and X_CLIENT_SECRET; to try Rotor, set X_EMULATOR_URL to a running `rotor emulator`',
    });
  }

  const ring = checkKeyRing(config, results);
  const db = await openDatabase(config, results);
  if (db) {
    try {
      await checkMigrations(db, results);
      if (ring) await checkStoredKeys(db, ring, results);
      // issue 18: is this installation the live one (not exported, not a copy)?
      results.push(await checkInstallation(db, config));
    } finally {
      await db.close().catch(() => undefined);
    }
  }

  if (!config.x.demo || config.x.emulatorUrl) {
    const x = {
      config,
      clock: o.clock ?? systemClock,
      fetch: o.fetch ?? fetch,
      timeoutMs: o.timeoutMs ?? 5000,
    };
    const reach = await checkReachAndClock(x);
    results.push(...reach);
    if (reach[0]?.status === 'ok') {
      results.push(await checkClient(x));
      results.push(await checkRedirect(x));
    }
  }
  if (config.ops.email) results.push(await checkSmtp(config.ops.email.smtpUrl, o.timeoutMs ?? 5000));
  if (config.ops.webhook) {
    results.push({
      name: 'webhook',
      status: 'ok',
      message: `notifications are signed and sent to ${new URL(config.ops.webhook.url).origin}`,
    });
  }
  return results;
}

function checkKeyRing(config: RotorConfig, results: CheckResult[]): KeyRing | undefined {
  const dataDir = resolve(config.dataDir);
  try {
    const ring = resolveKeyRing({ keys: config.keys, dataDir, createDevKey: false, warn: () => undefined });
    if (config.keys === undefined) {
      results.push({
        name: 'key ring',
        status: config.x.demo ? 'warn' : 'fail',
        message: `using the development key in ${join(dataDir, DEV_KEY_FILE)}`,
        fix: 'for real use, set ROTOR_KEYS (`rotor keys generate`), then move the tokens to it with `rotor keys rotate` while the development key is still listed after it',
      });
    } else {
      results.push({
        name: 'key ring',
        status: 'ok',
        message: `${ring.ids().length} key${ring.ids().length === 1 ? '' : 's'}, active: ${ring.active.id}`,
      });
    }
    return ring;
  } catch (e) {
    const devKeyMissing = config.keys === undefined && !existsSync(join(dataDir, DEV_KEY_FILE));
    results.push({
      name: 'key ring',
      status: 'fail',
      message: (e as Error).message,
      fix: devKeyMissing
        ? 'run `rotor init` (writes .env with a new key) or set ROTOR_KEYS to the output of `rotor keys generate`'
        : 'correct ROTOR_KEYS: comma-separated id:base64 entries of 32 bytes, the active key first',
    });
    return undefined;
  }
}

async function openDatabase(config: RotorConfig, results: CheckResult[]): Promise<Db | undefined> {
  if (config.databaseUrl) {
    const db = openPostgres(config.databaseUrl);
    try {
      await ping(db);
      results.push({
        name: 'database',
        status: 'ok',
        message: `PostgreSQL at ${new URL(config.databaseUrl).host}`,
      });
      return db;
    } catch (e) {
      await db.close().catch(() => undefined);
      results.push({
        name: 'database',
        status: 'fail',
        message: `PostgreSQL does not answer: ${(e as Error).message.replace(/:\/\/[^@\s]*@/g, '://…@')}`,
        fix: 'start PostgreSQL, or correct DATABASE_URL (postgres://user:password@host:5432/database)',
      });
      return undefined;
    }
  }
  const dir = resolve(config.dataDir);
  try {
    const db = await openPglite(dir, 'rotor doctor');
    results.push({ name: 'database', status: 'ok', message: `embedded (PGlite) in ${dir}` });
    return db;
  } catch (e) {
    if (e instanceof DataDirBusyError) {
      results.push({
        name: 'database',
        status: 'warn',
        message: `${e.message.split('\n')[0]}; database checks skipped`,
        fix: 'stop that process to check the embedded database, or use PostgreSQL (DATABASE_URL)',
      });
      return undefined;
    }
    results.push({
      name: 'database',
      status: 'fail',
      message: `the embedded database in ${dir} does not open: ${(e as Error).message}`,
      fix: 'check ROTOR_DATA_DIR and its permissions',
    });
    return undefined;
  }
}

async function checkMigrations(db: Db, results: CheckResult[]): Promise<void> {
  const known = listMigrations();
  const applied = await appliedMigrations(db);
  const unknown = applied.filter((id) => !known.some((m) => m.id === id));
  const pending = known.filter((m) => !applied.includes(m.id));
  if (unknown.length > 0) {
    results.push({
      name: 'migrations',
      status: 'fail',
      message: `the database has migrations this Rotor does not know (${unknown.join(', ')}): a newer Rotor wrote it`,
      fix: 'run the same (or a newer) Rotor version as the other processes on this database',
    });
  } else if (pending.length > 0) {
    results.push({
      name: 'migrations',
      status: 'warn',
      message: `${pending.length} not applied yet (${pending.map((m) => m.id).join(', ')})`,
      fix: 'they are applied by the next Rotor command or `rotor serve`/`rotor worker` start',
    });
  } else results.push({ name: 'migrations', status: 'ok', message: `all ${known.length} applied` });
}

async function checkStoredKeys(db: Db, ring: KeyRing, results: CheckResult[]): Promise<void> {
  let usage;
  try {
    usage = await keyUsage(db, ring);
  } catch {
    return; // no tables yet (migrations pending): nothing stored
  }
  const missing = usage.filter((u) => !u.inRing && u.count > 0);
  if (missing.length > 0) {
    results.push({
      name: 'stored tokens',
      status: 'fail',
      message: `sealed with key${missing.length === 1 ? '' : 's'} ROTOR_KEYS lacks: ${missing.map((u) => `${u.keyId} (${u.count})`).join(', ')}`,
      fix: 'add the missing key entries back to ROTOR_KEYS (after the active one)',
    });
    return;
  }
  // One row per key: a key with the right id but the wrong material shows here.
  const wrong: string[] = [];
  for (const u of usage.filter((x) => x.count > 0)) {
    const row = await oneAccessSealedWith(db, u.keyId);
    if (!row) continue;
    try {
      open(ring, row.accessCt, tokenBinding(row.accountId, 'access'));
    } catch {
      wrong.push(u.keyId);
    }
  }
  if (wrong.length > 0) {
    results.push({
      name: 'stored tokens',
      status: 'fail',
      message: `key ${wrong.join(', ')} in ROTOR_KEYS does not open the tokens sealed with it (wrong key material, or tampered rows)`,
      fix: 'restore the original key entry for that id in ROTOR_KEYS',
    });
    return;
  }
  const old = usage.filter((u) => !u.active && u.count > 0);
  results.push({
    name: 'stored tokens',
    status: 'ok',
    message:
      old.length > 0
        ? `decrypt; ${old.map((u) => `${u.count} still under ${u.keyId}`).join(', ')} (\`rotor keys rotate\` moves them)`
        : 'decrypt; all under the active key',
  });
}

async function checkSmtp(smtpUrl: string, timeoutMs: number): Promise<CheckResult> {
  const transport = await smtpTransport(smtpUrl, timeoutMs);
  try {
    await transport.verify();
    return { name: 'mail server', status: 'ok', message: 'accepts a connection (and the login, if any)' };
  } catch (e) {
    const err = e as { code?: string; responseCode?: number };
    return {
      name: 'mail server',
      status: 'fail',
      message: `ROTOR_SMTP_URL does not work (${err.responseCode ?? err.code ?? 'error'})`,
      fix: 'check the host, port, user and password in ROTOR_SMTP_URL (smtps:// for port 465)',
    };
  } finally {
    transport.close();
  }
}
