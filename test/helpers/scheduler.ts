/** @module A scheduler setup for tests: the vault setup plus an X client, a publisher, an engine and the service. */
import { after } from 'node:test';
import type { Timer } from '../../src/core/clock.ts';
import type { EmulatorSettingsInput } from '../../src/emulator/settings.ts';
import { Engine, type EngineOptions } from '../../src/scheduler/engine.ts';
import { Publisher } from '../../src/scheduler/publisher.ts';
import { PostingService } from '../../src/scheduler/service.ts';
import { XClient } from '../../src/x/client.ts';
import type { Backend } from './db.ts';
import { vaultSetup, type VaultSetup } from './vault.ts';

export interface SchedulerSetup extends VaultSetup {
  x: XClient;
  publisher: Publisher;
  engine: Engine;
  service: PostingService;
}

export async function schedulerSetup(
  backend: Backend,
  settings: EmulatorSettingsInput = {},
  opts: {
    work?: boolean;
    engine?: Partial<EngineOptions>;
    xTimeoutMs?: number;
    /** The X client's timer (its waits on X's `check_after_secs`). */
    xTimer?: Timer;
    /** The publisher's stale time (ms; each call to X gets a third of it). Default 2 s. */
    staleMs?: number;
  } = {},
): Promise<SchedulerSetup> {
  const v = await vaultSetup(backend, settings);
  const clock = { now: () => v.emu.world.now() };
  // Shortened for tests. Production: X calls time out at 30 s (XClient), a claim goes stale after
  // 90 s (ROTOR_PUBLISH_STALE_SECONDS; a send's deadline is a third of it), workers poll every 1 s.
  const x = new XClient({
    apiBase: v.emu.url,
    timeoutMs: opts.xTimeoutMs ?? 2_000,
    ...(opts.xTimer ? { timer: opts.xTimer } : {}),
  });
  const publisher = new Publisher({ db: v.t.db, vault: v.vault, x, clock, staleMs: opts.staleMs ?? 2_000 });
  const engine = new Engine({
    db: v.t.db,
    vault: v.vault,
    x,
    publisher,
    clock,
    pollingIntervalSeconds: 0.5, // production: 1
    ...opts.engine,
  });
  // Registered before the start: a start that fails half-way is stopped too, or its timers would
  // keep the test file's process alive.
  after(() => engine.stop().catch(() => undefined));
  await engine.start({ work: opts.work ?? false });
  const service = new PostingService({ db: v.t.db, engine, publisher, clock });
  return { ...v, x, publisher, engine, service };
}
