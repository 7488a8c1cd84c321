/**
 * @module What the posting commands share: the scheduler's pieces built on a CLI runtime.
 * Short commands use the engine as a client (they only send jobs); `rotor worker` runs it.
 */
import { xApiBase } from '../oauth/x.ts';
import { publishObserver } from '../ops/ops.ts';
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
  opts: { work?: boolean } & Parameters<typeof openRuntime>[1] = {},
): Promise<PostingRuntime> {
  const { work, ...runtimeOpts } = opts;
  const rt = await openRuntime(command, { needX: true, long: work ?? false, ...runtimeOpts });
  const x = new XClient({ apiBase: xApiBase(rt.config.x.emulatorUrl) });
  const { workers } = rt.config;
  const publisher = new Publisher({
    db: rt.db,
    vault: rt.vault,
    x,
    staleMs: workers.staleMs,
    retryBaseMs: workers.retryBaseMs,
    observer: publishObserver(rt.ops, rt.db),
  });
  const engine = new Engine({
    db: rt.db,
    vault: rt.vault,
    x,
    publisher,
    client: !work,
    jobExpireSeconds: workers.jobExpireSeconds,
    sweepIntervalSeconds: workers.sweepIntervalSeconds,
    concurrency: workers.concurrency,
    prewarm: workers.prewarm,
    logger: rt.ops.logger.child({ component: 'engine' }),
  });
  try {
    await engine.start({ work: work ?? false });
  } catch (e) {
    await rt.close();
    fail(command, `the job engine could not start: ${(e as Error).message}`);
  }
  const service = new PostingService({ db: rt.db, engine, publisher });
  // Workers have no web app: their metrics are served on a port of their own when asked.
  const listen = rt.config.ops.metricsListen;
  const metricsServer =
    work && listen
      ? await (
          await import('../web/metrics-server.ts')
        )
          .startMetricsServer(listen, {
            db: rt.db,
            keyRing: rt.keyRing,
            metrics: rt.ops.metrics,
            metricsToken: rt.config.ops.metricsToken,
          })
          .catch(async (e: NodeJS.ErrnoException) => {
            await engine.stop().catch(() => undefined);
            await rt.close();
            return fail(
              command,
              e.code === 'EADDRINUSE'
                ? `ROTOR_METRICS_PORT ${listen.port} is already in use; choose another`
                : `cannot serve metrics on ${listen.host}:${listen.port}: ${e.message}`,
            );
          })
      : undefined;
  if (metricsServer) rt.ops.logger.info({ url: `${metricsServer.url}/metrics` }, 'serving metrics');
  return {
    ...rt,
    x,
    publisher,
    engine,
    service,
    close: async () => {
      await metricsServer?.close();
      // No new refresh goes out from here; the jobs' refreshes already sent are waited for.
      const draining = rt.vault.close();
      await engine.stop().catch(() => undefined);
      await draining;
      await rt.close();
    },
  };
}

export async function accountIdOf(rt: Runtime, command: string, username: string): Promise<string> {
  const account = await findAccount(rt.db, { provider: rt.provider.id, username });
  if (!account) fail(command, `no connected account named @${username.replace(/^@/, '')}`, 1);
  return account.id;
}
