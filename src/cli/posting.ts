/**
 * @module What the posting commands share: the scheduler's pieces built on a CLI runtime.
 * Short commands use the engine as a client (they only send jobs); `rotor worker` runs it.
 */
import { xApiBase } from '../oauth/x.ts';
import { Engine } from '../scheduler/engine.ts';
import { Publisher } from '../scheduler/publisher.ts';
import { PostingService } from '../scheduler/service.ts';
import { findAccount } from '../store/accounts.ts';
import { XClient } from '../x/client.ts';
import { fail, openRuntime, type Runtime } from './runtime.ts';

export interface PostingRuntime extends Runtime {
  x: XClient;
  publisher: Publisher;
  engine: Engine;
  service: PostingService;
}

export async function openPostingRuntime(
  command: string,
  opts: { work?: boolean } = {},
): Promise<PostingRuntime> {
  const rt = await openRuntime(command, { needX: true });
  const x = new XClient({ apiBase: xApiBase(rt.config.x.emulatorUrl) });
  const publisher = new Publisher({ db: rt.db, vault: rt.vault, x });
  const expire = Number(process.env.ROTOR_JOB_EXPIRE_SECONDS ?? 120);
  const engine = new Engine({
    db: rt.db,
    vault: rt.vault,
    x,
    publisher,
    client: !opts.work,
    jobExpireSeconds: Number.isInteger(expire) && expire > 0 ? expire : 120,
  });
  try {
    await engine.start({ work: opts.work ?? false });
  } catch (e) {
    await rt.close();
    fail(command, `the job engine could not start: ${(e as Error).message}`);
  }
  const service = new PostingService({ db: rt.db, engine, publisher });
  return {
    ...rt,
    x,
    publisher,
    engine,
    service,
    close: async () => {
      await engine.stop().catch(() => undefined);
      await rt.close();
    },
  };
}

export async function accountIdOf(rt: Runtime, command: string, username: string): Promise<string> {
  const account = await findAccount(rt.db, { provider: rt.provider.id, username });
  if (!account) fail(command, `no connected account named @${username.replace(/^@/, '')}`, 1);
  return account.id;
}
