/**
 * @module `rotor vault export | import | claim | status`: moving every account to another store,
 * and saying which copy of an installation is the live one (docs/backups-and-moves.md).
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { isRotorError } from '../core/errors.ts';
import { claimHome } from '../store/installation.ts';
import { exportVault, importVault, type MoveSummary } from '../vault/export.ts';
import { databaseHome, writeFolderIdentity } from '../vault/installation.ts';
import { progressPrinter } from './keys-command.ts';
import { fail, openRuntime, type Runtime } from './runtime.ts';

async function withRuntime(command: string, fn: (rt: Runtime) => Promise<void>): Promise<void> {
  const rt = await openRuntime(command, { createDevKey: false });
  try {
    await fn(rt);
  } catch (e) {
    if (isRotorError(e)) fail(command, e.message, 1);
    throw e;
  } finally {
    await rt.close();
  }
}

const names = (s: MoveSummary) =>
  s.usernames.length > 0 ? `: ${s.usernames.map((u) => `@${u}`).join(', ')}` : '';

function exportCommand(): Command {
  return new Command('export')
    .description(
      'fence this installation (it stops refreshing) and write every account, encrypted, to a file',
    )
    .requiredOption('--out <file>', 'the file to write (must not exist)')
    .action(async (opts: { out: string }) => {
      const name = 'vault export';
      await withRuntime(name, async (rt) => {
        const file = resolve(opts.out);
        console.log('Fencing this installation: from now on it does not refresh tokens.');
        const s = await exportVault(rt.db, rt.keyRing, file, {
          onProgress: progressPrinter(),
          audit: rt.ops.audit,
        });
        console.log(
          `Exported ${s.accounts} account${s.accounts === 1 ? '' : 's'}${names(s)} to ${file} ` +
            `(installation ${s.installationId}, sealed with key${s.keyIds.length === 1 ? '' : 's'} ${s.keyIds.join(', ') || '-'}).`,
        );
        console.log(
          'This installation no longer refreshes tokens. Import the file with `rotor vault import` where the accounts go next.',
        );
      });
    });
}

function importCommand(): Command {
  return new Command('import')
    .description('import a `rotor vault export` file into this (empty) store; ROTOR_KEYS must hold its keys')
    .argument('<file>')
    .action(async (file: string) => {
      const name = 'vault import';
      await withRuntime(name, async (rt) => {
        const dataDir = resolve(rt.config.dataDir);
        const home = await databaseHome(rt.db, dataDir);
        const s = await importVault(rt.db, rt.keyRing, resolve(file), home, {
          onProgress: progressPrinter(),
          audit: rt.ops.audit,
        });
        // This data folder now belongs to the imported installation.
        writeFolderIdentity(dataDir, s.installationId);
        console.log(
          `Imported ${s.accounts} account${s.accounts === 1 ? '' : 's'}${names(s)} ` +
            `(installation ${s.installationId}, exported ${s.exportedAt}; keys ${s.keyIds.join(', ') || '-'} checked).`,
        );
        console.log('This store is now the live one: it refreshes these accounts. The source stays fenced.');
      });
    });
}

function claimCommand(): Command {
  return new Command('claim')
    .description('say this copy is the live one: it refreshes tokens (stop the other copy first)')
    .action(async () => {
      const name = 'vault claim';
      await withRuntime(name, async (rt) => {
        const before = await rt.guard.gate.check();
        const dataDir = resolve(rt.config.dataDir);
        const row = await claimHome(rt.db, await databaseHome(rt.db, dataDir));
        writeFolderIdentity(dataDir, row.id);
        rt.ops.audit('vault_claimed', { installationId: row.id, before: before.reason ?? null });
        if (before.allowed) console.log('This installation was already the live one; nothing changed.');
        else {
          console.log(`Before: ${before.message}.`);
          console.log(
            'Claimed: this database and data folder are the live installation now. Make sure the other copy is stopped or started with ROTOR_REFRESH=off.',
          );
        }
        if (rt.config.backups.refresh === 'off') {
          console.log('ROTOR_REFRESH=off is still set here: refreshing stays off until it is removed.');
        }
      });
    });
}

function statusCommand(): Command {
  return new Command('status')
    .description('whether this installation refreshes tokens, and why not')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withRuntime('vault status', async (rt) => {
        const verdict = await rt.guard.gate.check();
        const out = {
          installationId: rt.guard.gate.installationId,
          refreshing: verdict.allowed,
          reason: verdict.reason ?? null,
          message: verdict.message,
          newestPairs: rt.guard.pairs.dir,
        };
        if (opts.json) console.log(JSON.stringify(out));
        else {
          console.log(`installation ${out.installationId}: ${verdict.message}`);
          console.log(`newest pairs kept in ${out.newestPairs}`);
        }
        if (!verdict.allowed) process.exitCode = 1;
      });
    });
}

export function vaultCommand(): Command {
  return new Command('vault')
    .description('backups, moves and copies: export, import, claim, status')
    .addCommand(exportCommand())
    .addCommand(importCommand())
    .addCommand(claimCommand())
    .addCommand(statusCommand());
}
