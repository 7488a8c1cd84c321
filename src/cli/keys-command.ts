/**
 * @module `rotor keys generate | rotate | status`: new key entries for ROTOR_KEYS, re-encrypting
 * every sealed value under the active (first) key, and which keys rows still use.
 *
 * Rotating a key: (1) `rotor keys generate`, put the new entry **first** in ROTOR_KEYS and keep
 * the old one after it; restart every Rotor process; (2) `rotor keys rotate`; (3) when it says a
 * key is no longer used, remove it from ROTOR_KEYS.
 */
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { KeyRing } from '../crypto/keyring.ts';
import { keyUsage, rotateKeys, type KeyUsage, type RotationProgress } from '../ops/key-rotation.ts';
import { fail, openRuntime } from './runtime.ts';

/** A progress bar on a terminal; otherwise a plain line at every tenth. */
export function progressPrinter(out: NodeJS.WriteStream = process.stderr): (p: RotationProgress) => void {
  let lastTenth = -1;
  return ({ done, total }) => {
    if (total === 0) return;
    if (out.isTTY) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
      if (done === total) out.write('\n');
      return;
    }
    const tenth = Math.floor((done / total) * 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      out.write(`progress: ${done}/${total}\n`);
    }
  };
}

function describeUsage(usage: KeyUsage[]): string[] {
  return usage.map((u) => {
    const what = `${u.count} sealed value${u.count === 1 ? '' : 's'}`;
    if (u.active) return `key ${u.keyId} (active): ${what}`;
    if (!u.inRing) return `key ${u.keyId}: ${what}, but ROTOR_KEYS lacks it: these do not decrypt`;
    return u.count === 0
      ? `key ${u.keyId}: no longer used: you may remove it from ROTOR_KEYS`
      : `key ${u.keyId}: still seals ${what}: keep it (run \`rotor keys rotate\`)`;
  });
}

export function keysCommand(): Command {
  return new Command('keys')
    .description('encryption keys for tokens at rest')
    .addCommand(
      new Command('generate')
        .description('print a new random AES-256 key entry (id:base64url) for ROTOR_KEYS')
        .option('--id <id>', 'key id (default: k + today’s date)')
        .action((opts: { id?: string }) => {
          console.log(KeyRing.generateEntry(opts.id));
        }),
    )
    .addCommand(
      new Command('rotate')
        .description(
          're-encrypt every stored token under the active (first) key of ROTOR_KEYS; safe while Rotor runs',
        )
        .option('--batch <n>', 'rows read at a time', '100')
        .option('--pause-ms <ms>', 'pause after each account, to spread the load on a busy database', '0')
        .action(async (opts: { batch: string; pauseMs: string }) => {
          const batchSize = Number(opts.batch);
          const pauseMs = Number(opts.pauseMs);
          if (!Number.isInteger(batchSize) || batchSize <= 0)
            fail('keys rotate', '--batch must be a whole number > 0');
          if (!Number.isInteger(pauseMs) || pauseMs < 0)
            fail('keys rotate', '--pause-ms must be a whole number ≥ 0');
          const rt = await openRuntime('keys rotate', { createDevKey: false });
          try {
            console.log(`Re-encrypting stored tokens under key ${rt.keyRing.active.id}…`);
            const s = await rotateKeys(rt.db, rt.keyRing, {
              batchSize,
              pauseMs,
              onProgress: progressPrinter(),
              journalDir: join(resolve(rt.config.dataDir), 'journal'),
              audit: rt.ops.audit,
            });
            console.log(
              `Done: ${s.rotated} value${s.rotated === 1 ? '' : 's'} re-encrypted under ${s.activeKeyId}` +
                (s.reread > 0 ? ` (${s.reread} changed meanwhile and were read again)` : '') +
                '.',
            );
            for (const line of describeUsage(s.usage)) console.log(line);
            if (s.journalEntries > 0) {
              console.log(
                `${s.journalEntries} journal entr${s.journalEntries === 1 ? 'y waits' : 'ies wait'} in this machine's data folder: keep the old keys until a Rotor process here has started once.`,
              );
            }
            if (s.unreadable.length > 0) {
              const names = s.unreadable.map((u) => (u.username ? `@${u.username}` : `${u.table} ${u.row}`));
              console.error(
                `rotor keys rotate: ${s.unreadable.length} value(s) do not decrypt with ROTOR_KEYS (${names.join(', ')}): ` +
                  'add the key they were sealed with to ROTOR_KEYS and run this again, or reconnect those accounts.',
              );
              process.exitCode = 1;
            }
          } finally {
            await rt.close();
          }
        }),
    )
    .addCommand(
      new Command('status')
        .description('which keys the stored tokens use, and which keys may leave ROTOR_KEYS')
        .option('--json', 'print JSON')
        .action(async (opts: { json?: boolean }) => {
          const rt = await openRuntime('keys status', { createDevKey: false });
          try {
            const usage = await keyUsage(rt.db, rt.keyRing);
            if (opts.json) console.log(JSON.stringify(usage));
            else for (const line of describeUsage(usage)) console.log(line);
            if (usage.some((u) => !u.inRing && u.count > 0)) process.exitCode = 1;
          } finally {
            await rt.close();
          }
        }),
    );
}
