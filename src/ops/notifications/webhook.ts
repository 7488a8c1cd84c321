/**
 * @module Webhook deliveries: a JSON body, signed with HMAC-SHA256 over `<timestamp>.<body>` and
 * sent with the timestamp, so a receiver can check both who sent it and that it is recent (a
 * replayed delivery is older than the tolerance). Header:
 * `Rotor-Signature: t=<unix seconds>,v1=<hex>`; `Rotor-Delivery: <notification id>` lets a
 * receiver drop a repeat (a retry after an answer that never reached Rotor).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'rotor-signature';
export const DELIVERY_HEADER = 'rotor-delivery';

/** The signature header's value for `body` sent at `timestampSeconds`. */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * For receivers: checks a delivery's signature header against its raw body, in constant time,
 * and that its timestamp is within `toleranceSeconds` (default 300) of `nowMs`.
 *
 * @example
 * // in your HTTP handler, with the body as received (a string, before any JSON parsing):
 * if (!verifyWebhook(process.env.ROTOR_WEBHOOK_SECRET!, req.headers['rotor-signature'], raw)) return 400;
 */
export function verifyWebhook(
  secret: string,
  header: string | null | undefined,
  body: string,
  nowMs: number = Date.now(),
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return false;
  if (Math.abs(nowMs / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, t, body).slice(`t=${t},v1=`.length), 'hex');
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

export type DeliveryOutcome = { ok: true; status: number } | { ok: false; error: string; retry: boolean };

/**
 * Sends one delivery (one attempt, with a deadline). 2xx → delivered; 4xx other than 408/429 → a
 * refusal that retrying will not fix; anything else (5xx, timeout, network) → retry later.
 */
export async function sendWebhook(
  o: { url: string; secret: string; fetch?: typeof fetch; timeoutMs?: number; nowMs: number },
  deliveryId: string,
  payload: unknown,
): Promise<DeliveryOutcome> {
  const body = JSON.stringify(payload);
  const doFetch = o.fetch ?? fetch;
  try {
    const res = await doFetch(o.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Rotor-Webhook/1',
        [SIGNATURE_HEADER]: signWebhook(o.secret, Math.floor(o.nowMs / 1000), body),
        [DELIVERY_HEADER]: deliveryId,
      },
      body,
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const retry = res.status >= 500 || res.status === 408 || res.status === 429 || res.status < 200;
    return { ok: false, error: `the webhook answered HTTP ${res.status}`, retry };
  } catch (e) {
    const name = (e as Error).name;
    return {
      ok: false,
      error:
        name === 'TimeoutError' ? 'the webhook did not answer in time' : 'the webhook could not be reached',
      retry: true,
    };
  }
}
