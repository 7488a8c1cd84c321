/**
 * @module `rotor accounts …`: connect, list, token, disconnect. Interface fixed (other tools
 * drive it): see docs/cli.md.
 */
import { Command } from 'commander';
import { isRotorError, REAUTH_EXPLANATIONS } from '../core/errors.ts';
import { findAccount, listAccounts } from '../store/accounts.ts';
import { disconnectAccount } from '../vault/disconnect.ts';
import {
  canListenOn,
  listenForCallback,
  readPastedUrl,
  rotorServerAt,
  tryOpenBrowser,
} from './connect-flow.ts';
import { fail, openRuntime, type Runtime } from './runtime.ts';

async function withRuntime<T>(command: string, needX: boolean, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime(command, { needX });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

async function accountByName(rt: Runtime, command: string, username: string) {
  const account = await findAccount(rt.db, { provider: rt.provider.id, username });
  if (!account) fail(command, `no connected account named @${username.replace(/^@/, '')}`, 1);
  return account;
}

function connectCommand(): Command {
  return new Command('connect')
    .description('connect an X account: sign in with X in a browser')
    .option('--no-browser', 'only print the URL, do not try to open a browser')
    .option('--manual', 'headless: paste the URL you were sent back to instead of listening for it')
    .option('--timeout <seconds>', 'how long to wait for the sign-in', '600')
    .action(async (opts: { browser: boolean; manual?: boolean; timeout: string }) => {
      const name = 'accounts connect';
      const timeoutSeconds = Number(opts.timeout);
      if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0)
        fail(name, '--timeout must be a whole number of seconds');
      await withRuntime(name, true, async (rt) => {
        const redirect = rt.config.x.redirectUri;
        const manual = opts.manual === true || !canListenOn(redirect);
        const { url } = await rt.connector.begin();
        let pending: Promise<{ username: string }> | undefined;
        if (!manual) {
          try {
            pending = (await listenForCallback(rt.connector, redirect, timeoutSeconds * 1000)).result;
          } catch (e) {
            const origin = new URL(redirect).origin;
            if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE')
              fail(name, `cannot listen on ${origin}: ${(e as Error).message}`, 1);
            if (await rotorServerAt(origin)) {
              fail(
                name,
                `a Rotor server already owns ${origin}: connect from its page at ${origin}/accounts/connect`,
                1,
              );
            }
            fail(
              name,
              `another program is listening on ${origin}; stop it, or use --manual to paste the redirect URL`,
              1,
            );
          }
        }
        console.log('Open this URL to authorize Rotor on X:');
        console.log(url);
        if (!manual && opts.browser && process.stdout.isTTY) {
          console.log('(opening your browser…)');
          tryOpenBrowser(url);
        }
        try {
          const done = manual
            ? await rt.connector.complete(
                await readPastedUrl('Paste the URL your browser was sent back to: '),
              )
            : await (pending as Promise<{ username: string }>);
          console.log(`Connected @${done.username}`);
        } catch (e) {
          fail(name, isRotorError(e) ? e.message : (e as Error).message, 1);
        }
      });
    });
}

function listCommand(): Command {
  return new Command('list')
    .description('list connected accounts and their health')
    .option('--json', 'print JSON: [{ username, status, reason, … }]')
    .action(async (opts: { json?: boolean }) => {
      await withRuntime('accounts list', false, async (rt) => {
        const rows = await listAccounts(rt.db);
        const out = rows.map((a) => ({
          id: a.id,
          username: a.username,
          status: a.status,
          reason: a.reason,
          consentedAt: new Date(a.consentedAt).toISOString(),
          refreshedAt: a.refreshedAt === null ? null : new Date(a.refreshedAt).toISOString(),
          accessExpiresAt: a.accessExpiresAt === null ? null : new Date(a.accessExpiresAt).toISOString(),
        }));
        if (opts.json) {
          console.log(JSON.stringify(out, null, 2));
          return;
        }
        if (out.length === 0) console.log('No accounts connected. Connect one with: rotor accounts connect');
        for (const a of out) {
          const health =
            a.status === 'active'
              ? 'active'
              : `needs reconnect: ${REAUTH_EXPLANATIONS[a.reason ?? 'unknown']}`;
          console.log(`@${a.username}\t${health}\tconnected ${a.consentedAt}`);
        }
      });
    });
}

function tokenCommand(): Command {
  return new Command('token')
    .description('print a valid access token (refreshing if needed), for scripts')
    .argument('<username>')
    .action(async (username: string) => {
      const name = 'accounts token';
      await withRuntime(name, true, async (rt) => {
        const account = await accountByName(rt, name, username);
        try {
          const token = await rt.vault.getAccessToken(account.id);
          process.stdout.write(`${token.accessToken}\n`);
        } catch (e) {
          if (isRotorError(e, 'reauth_required')) {
            fail(
              name,
              `@${account.username} needs the user: ${REAUTH_EXPLANATIONS[e.reason ?? 'unknown']} (reason: ${e.reason ?? 'unknown'})`,
              3,
            );
          }
          if (isRotorError(e, 'invalid_client')) fail(name, e.message, EXIT_CLIENT_REFUSED);
          if (isRotorError(e)) fail(name, `${e.code}: ${e.message}`, e.transient ? 4 : 1);
          throw e;
        }
      });
    });
}

/** `accounts token`: X refused the app's client id or secret (an operator's fix, not the user's). */
const EXIT_CLIENT_REFUSED = 5;

function disconnectCommand(): Command {
  return new Command('disconnect')
    .description('revoke the account at X and delete its local tokens')
    .argument('<username>')
    .action(async (username: string) => {
      const name = 'accounts disconnect';
      await withRuntime(name, true, async (rt) => {
        const account = await accountByName(rt, name, username);
        const result = await disconnectAccount(rt, account.id);
        console.log(
          `Disconnected @${account.username}: ${result.revokedAtX ? 'revoked at X' : 'X did not confirm the revocation'}; local tokens deleted.`,
        );
      });
    });
}

export function accountsCommand(): Command {
  return new Command('accounts')
    .description('connect and manage X accounts')
    .addCommand(connectCommand())
    .addCommand(listCommand())
    .addCommand(tokenCommand())
    .addCommand(disconnectCommand());
}
