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
  /** Refreshes under way, by account. */
  readonly #inFlight = new Map<string, Promise<void>>();
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
    await this.settled();
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
   * One tick: starts refreshing up to `perSecond` more tokens, those needed soonest, without
   * waiting for them (a slow answer from X must not slow the rate down); a token still being
   * refreshed from an earlier tick is not started again, and at most `2 × perSecond` are under way
   * at once. Resolves to how many it started; {@link settled} waits for them.
   */
  async tick(): Promise<number> {
    const { db, vault, clock, windowMs, marginMs, perSecond } = this.#o;
    const now = clock.now();
    for (const [id, until] of this.#failed) if (until <= now) this.#failed.delete(id);
    const room = Math.min(perSecond, 2 * perSecond - this.#inFlight.size);
    if (room <= 0) return 0;
    const due = await accountsToPrewarm(db, {
      untilMs: now + windowMs,
      marginMs,
      quietMs: 60_000,
      limit: room + this.#failed.size + this.#inFlight.size,
    });
    const batch = due
      .filter((a) => !this.#failed.has(a.accountId) && !this.#inFlight.has(a.accountId))
      .slice(0, room);
    for (const { accountId, dueAt } of batch) {
      const refresh = vault
        .getAccessToken(accountId, { minValidityMs: Math.max(0, dueAt - clock.now()) + marginMs })
        .then(
          () => undefined,
          () => {
            // Reported by the vault (events, metrics); the post itself handles its account's state.
            this.#failed.set(accountId, clock.now() + this.#o.failureBackoffMs);
          },
        )
        .finally(() => this.#inFlight.delete(accountId));
      this.#inFlight.set(accountId, refresh);
    }
    return batch.length;
  }

  /** Waits for every refresh under way. */
  async settled(): Promise<void> {
    await Promise.all([...this.#inFlight.values()]);
  }
}
