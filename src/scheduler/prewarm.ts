/**
 * @module Pre-warming: every token a post due in the next window needs is refreshed ahead of it,
 * spread out at a set rate, so that the due instant costs no refresh (the morning peak: thousands
 * of posts due at 09:00 on tokens that expired overnight). Each worker runs one; a token another
 * worker is refreshing is skipped (its lease), so two workers share the list rather than queue on
 * each other. X publishes no limit for its token endpoint: the rate is a setting
 * (`ROTOR_PREWARM_PER_SECOND`), and so is the window (`ROTOR_PREWARM_WINDOW_SECONDS`).
 */
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../ops/logger.ts';
import type { Db } from '../store/db.ts';
import { accountsToPrewarm } from '../store/prewarm.ts';
import type { TokenVault } from '../vault/vault.ts';

export interface PrewarmOptions {
  db: Db;
  vault: TokenVault;
  clock?: Clock;
  /** How far ahead posts are looked at (ms). Default 10 minutes. */
  windowMs?: number;
  /** Refreshes started per second at most, per worker. Default 50. */
  perSecond?: number;
  /** How long a pre-warmed token must outlive its post's due time (ms). Default 5 minutes. */
  marginMs?: number;
  /** Wait after an account's refresh failed before it is tried again (ms). Default 30 s. */
  failureBackoffMs?: number;
  logger?: Pick<Logger, 'warn'>;
}

/** Ticks while there is work; looks again this often when there was none. */
const IDLE_MS = 5_000;
const TICK_MS = 1_000;

export class Prewarmer {
  readonly #o: Required<Omit<PrewarmOptions, 'logger'>> & { logger: PrewarmOptions['logger'] };
  /** Accounts whose refresh failed: not before this time (epoch ms). Bounded by the window's posts. */
  readonly #failed = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(o: PrewarmOptions) {
    this.#o = {
      clock: systemClock,
      windowMs: 10 * 60_000,
      perSecond: 50,
      marginMs: 5 * 60_000,
      failureBackoffMs: 30_000,
      ...o,
      logger: o.logger,
    };
  }

  /** Starts ticking (the first tick at once). */
  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops ticking and waits for the refreshes under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.tick()
        .catch((e: unknown) => {
          this.#o.logger?.warn({ err: e }, 'pre-warming tokens failed; trying again');
          return 0;
        })
        .then((n) => this.#schedule(n > 0 ? TICK_MS : IDLE_MS));
    }, ms);
    this.#timer.unref();
  }

  /**
   * One tick: refreshes up to `perSecond` tokens needed soonest, all at once, and waits for them
   * (a tick takes at least a second, so the rate holds). Resolves to how many it started.
   */
  async tick(): Promise<number> {
    const { db, vault, clock, windowMs, marginMs, perSecond } = this.#o;
    const started = clock.now();
    for (const [id, until] of this.#failed) if (until <= started) this.#failed.delete(id);
    const due = await accountsToPrewarm(db, {
      untilMs: started + windowMs,
      marginMs,
      quietMs: 60_000,
      limit: perSecond + this.#failed.size,
    });
    const batch = due.filter((a) => !this.#failed.has(a.accountId)).slice(0, perSecond);
    await Promise.all(
      batch.map(async ({ accountId, dueAt }) => {
        try {
          await vault.getAccessToken(accountId, {
            minValidityMs: Math.max(0, dueAt - clock.now()) + marginMs,
          });
        } catch {
          // Reported by the vault (events, metrics); the post itself handles its account's state.
          this.#failed.set(accountId, clock.now() + this.#o.failureBackoffMs);
        }
      }),
    );
    const rest = TICK_MS - (clock.now() - started);
    if (batch.length > 0 && rest > 0) await new Promise((r) => setTimeout(r, rest).unref());
    return batch.length;
  }
}
