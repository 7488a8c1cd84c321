/**
 * @module The notifier: turns events (an account needs reconnecting, its horizon nears, a post
 * failed or its outcome is unknown, X refuses the client, tokens do not decrypt) into one
 * notification each — **once per event**, however many processes or failed attempts report it,
 * because the event's dedupe key is unique in the database — shown in the app and delivered by
 * e-mail and webhook. Deliveries are rows: claimed by compare-and-swap, retried with backoff by
 * any process that runs {@link Notifier.start}, each attempt logged.
 *
 * Episodes (what "the same event" means):
 * - reconnect needed / horizon near: per account and grant (its consent time): a reconnection
 *   starts a new episode;
 * - post failed: per post and claim (a retried post that fails again is told again); post
 *   outcome unknown: once per post;
 * - X refusing the client, tokens not decrypting: once per UTC day while it lasts.
 */
import { backoffMs } from '../../core/backoff.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import type { Locale } from '../../core/locale.ts';
import { findAccount } from '../../store/accounts.ts';
import type { Db } from '../../store/db.ts';
import {
  claimDeliveries,
  recordNotification,
  settleDelivery,
  type ClaimedDelivery,
  type DeliveryChannel,
  type NewNotification,
  type NotificationRow,
} from '../../store/notifications.ts';
import { getPost } from '../../store/posts.ts';
import type { Logger } from '../logger.ts';
import type { RotorMetrics } from '../metrics.ts';
import type { Mailer } from './email.ts';
import { notificationText } from './texts.ts';
import { sendWebhook, type DeliveryOutcome } from './webhook.ts';

export type NotifyEvent =
  | { kind: 'reauth_required'; accountId: string; reason: string }
  | { kind: 'horizon_approaching'; accountId: string; endsAt: number }
  | { kind: 'post_failed'; postId: string; reason: string }
  | { kind: 'post_unknown'; postId: string }
  | { kind: 'invalid_client'; clientId: string }
  | { kind: 'decryption_failed'; accountId: string };

export interface NotifierOptions {
  db: Db;
  logger: Logger;
  metrics?: RotorMetrics;
  mailer?: Mailer;
  webhook?: { url: string; secret: string };
  /** Language of e-mail and webhook texts. Default `en`. */
  locale?: Locale;
  clock?: Clock;
  fetch?: typeof fetch;
  /** First retry after a failed delivery (ms), doubling. Default 30 s. */
  retryBaseMs?: number;
  /** Attempts before a delivery fails for good. Default 8 (about an hour with the default base). */
  maxAttempts?: number;
  /** How often {@link Notifier.start} looks for due deliveries (ms). Default 15 s. */
  intervalMs?: number;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const shorten = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);

export class Notifier {
  readonly #o: NotifierOptions & { clock: Clock; retryBaseMs: number; maxAttempts: number };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #again = false;
  #closed = false;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(o: NotifierOptions) {
    this.#o = { retryBaseMs: 30_000, maxAttempts: 8, ...o, clock: o.clock ?? systemClock };
  }

  get channels(): DeliveryChannel[] {
    return [
      ...(this.#o.mailer ? (['email'] as const) : []),
      ...(this.#o.webhook ? (['webhook'] as const) : []),
    ];
  }

  /**
   * Records the event's notification unless it was recorded before, then starts its deliveries.
   * Returns the new notification, or undefined for a repeat (or an event about something gone).
   * Never throws: a notification problem must not break a refresh or a post; it is logged.
   */
  notify(event: NotifyEvent): Promise<NotificationRow | undefined> {
    const p = this.#notify(event);
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
    return p;
  }

  /** Waits until every notification reported so far is recorded and a delivery round has run. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
    while (this.#running) await this.#running;
  }

  async #notify(event: NotifyEvent): Promise<NotificationRow | undefined> {
    try {
      const n = await this.#describe(event);
      if (!n) return undefined;
      const row = await recordNotification(this.#o.db, n, this.channels);
      if (!row) {
        this.#o.logger.debug({ notification: n.kind, dedupeKey: n.dedupeKey }, 'notification already sent');
        return undefined;
      }
      this.#o.logger.info(
        { notification: row.kind, notificationId: row.id, accountId: row.accountId, postId: row.postId },
        'notification recorded',
      );
      if (this.channels.length > 0) this.kick();
      return row;
    } catch (e) {
      this.#o.logger.error({ err: e, notification: event.kind }, 'could not record a notification');
      return undefined;
    }
  }

  async #describe(e: NotifyEvent): Promise<NewNotification | undefined> {
    const { db } = this.#o;
    const now = this.#o.clock.now();
    switch (e.kind) {
      case 'reauth_required':
      case 'horizon_approaching':
      case 'decryption_failed': {
        const a = await findAccount(db, { id: e.accountId });
        if (!a) return undefined;
        const episode = e.kind === 'decryption_failed' ? day(now) : String(Math.round(a.consentedAt));
        return {
          dedupeKey: `${e.kind}:${a.id}:${episode}`,
          kind: e.kind,
          ownerId: a.ownerId,
          accountId: a.id,
          postId: null,
          data: {
            username: a.username,
            ...(e.kind === 'reauth_required' ? { reason: e.reason } : {}),
            ...(e.kind === 'horizon_approaching' ? { at: e.endsAt } : {}),
          },
        };
      }
      case 'post_failed':
      case 'post_unknown': {
        const p = await getPost(db, e.postId);
        if (!p) return undefined;
        const a = await findAccount(db, { id: p.accountId });
        if (!a) return undefined;
        return {
          dedupeKey: e.kind === 'post_failed' ? `post_failed:${p.id}:${p.claimSeq}` : `post_unknown:${p.id}`,
          kind: e.kind,
          ownerId: a.ownerId,
          accountId: a.id,
          postId: p.id,
          data: {
            username: a.username,
            text: shorten(p.text),
            ...(p.dueAt !== null ? { at: p.dueAt } : {}),
            ...(e.kind === 'post_failed' ? { reason: e.reason } : {}),
          },
        };
      }
      case 'invalid_client':
        return {
          dedupeKey: `invalid_client:${e.clientId}:${day(now)}`,
          kind: 'invalid_client',
          ownerId: null,
          accountId: null,
          postId: null,
          data: { clientId: e.clientId },
        };
    }
  }

  /** Delivers what is due now, in the background (coalesced: one run at a time per process). */
  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.deliverDue()
      .catch((e: unknown) => this.#o.logger.error({ err: e }, 'notification deliveries failed'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  /** Claims and sends every due delivery; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const batch = await claimDeliveries(this.#o.db, 60_000, 20);
      if (batch.length === 0) return attempted;
      await Promise.all(batch.map((d) => this.#deliver(d)));
      attempted += batch.length;
    }
  }

  async #deliver(d: ClaimedDelivery): Promise<void> {
    const n = d.notification;
    const locale = this.#o.locale ?? 'en';
    const text = notificationText(n.kind, n.data, locale);
    let outcome: DeliveryOutcome;
    if (d.channel === 'webhook' && this.#o.webhook) {
      outcome = await sendWebhook(
        {
          ...this.#o.webhook,
          nowMs: this.#o.clock.now(),
          ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
        },
        n.id,
        {
          id: n.id,
          type: n.kind,
          createdAt: new Date(n.createdAt).toISOString(),
          account: n.accountId ? { id: n.accountId, username: n.data.username ?? null } : null,
          postId: n.postId,
          data: n.data,
          locale,
          subject: text.subject,
          text: text.body,
        },
      );
    } else if (d.channel === 'email' && this.#o.mailer) {
      outcome = await this.#o.mailer.send({ subject: `[Rotor] ${text.subject}`, text: text.body });
    } else {
      // The channel was configured when the notification was recorded, and is not any more.
      outcome = { ok: false, error: `${d.channel} is not configured in this process`, retry: true };
    }
    const at = { notificationId: n.id, channel: d.channel };
    const log = { notificationId: n.id, notification: n.kind, channel: d.channel, attempt: d.attempts };
    if (outcome.ok) {
      await settleDelivery(this.#o.db, at, { status: 'delivered' });
      this.#o.metrics?.deliveries.inc({ channel: d.channel, result: 'delivered' });
      this.#o.logger.info({ ...log, status: outcome.status }, 'notification delivered');
      return;
    }
    if (outcome.retry && d.attempts < this.#o.maxAttempts) {
      const delay = backoffMs({ baseMs: this.#o.retryBaseMs, capMs: 3_600_000, spread: 0.2 }, d.attempts - 1);
      const retryAt = this.#o.clock.now() + delay;
      await settleDelivery(this.#o.db, at, { retryAt, error: outcome.error });
      this.#o.metrics?.deliveries.inc({ channel: d.channel, result: 'retry' });
      this.#o.logger.warn(
        { ...log, error: outcome.error, retryAt: new Date(retryAt).toISOString() },
        'notification delivery failed; will retry',
      );
      return;
    }
    await settleDelivery(this.#o.db, at, { status: 'failed', error: outcome.error });
    this.#o.metrics?.deliveries.inc({ channel: d.channel, result: 'failed' });
    this.#o.logger.error({ ...log, error: outcome.error }, 'notification delivery failed for good');
  }

  /** Looks for due deliveries (retries) every `intervalMs`, in this process. */
  start(): void {
    if (this.#timer || this.channels.length === 0) return;
    this.#timer = setInterval(() => this.kick(), this.#o.intervalMs ?? 15_000);
    this.#timer.unref();
    this.kick();
  }

  /** Stops the timer and waits for a running delivery round. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.settled();
    this.#closed = true;
    this.#o.mailer?.close();
  }
}
