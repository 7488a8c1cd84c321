/**
 * @module What every emulator route shares: the Hono environment (Node's request and response
 * objects, for faults that act on the connection itself), body parsing, and fault application.
 */
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { setTimeout as delay } from 'node:timers/promises';
import { MALFORMED_BODIES, type FaultRegistry, type FaultTarget } from '../faults.ts';
import { holdAnswer, type LatencyGroup } from '../latency.ts';
import { problemResponse, problems } from '../problems.ts';
import type { EmulatorWorld } from '../world.ts';

export type EmulatorEnv = { Bindings: Partial<HttpBindings> };
export type EmulatorContext = Context<EmulatorEnv>;

/** What the routes are built from. `closing` aborts when the server stops, ending hung requests. */
export interface EmulatorDeps {
  world: EmulatorWorld;
  faults: FaultRegistry;
  closing: AbortSignal;
}

/**
 * Reads a form-encoded or JSON body into string parameters. Undefined for another content
 * type, a repeated parameter (RFC 6749 §3.2) or a JSON value that is not a flat object of strings.
 */
export async function readParams(c: EmulatorContext): Promise<Record<string, string> | undefined> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  const text = await c.req.text();
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(text)) {
      if (k in out) return undefined;
      out[k] = v;
    }
    return out;
  }
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'string') return undefined;
      out[k] = v;
    }
    return out;
  }
  return undefined;
}

/** Reads a JSON body; `undefined` when it is not JSON at all. */
export async function readJson(c: EmulatorContext): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    return { ok: true, value: JSON.parse(await c.req.text()) };
  } catch {
    return { ok: false };
  }
}

function untilClientGone(c: EmulatorContext, closing: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (closing.aborted) return resolve();
    closing.addEventListener('abort', () => resolve(), { once: true });
    const socket = c.env.incoming?.socket;
    if (socket) {
      if (socket.destroyed) return resolve();
      socket.once('close', () => resolve());
    }
  });
}

const HTML_5XX = (status: number) =>
  `<!DOCTYPE html><html><head><title>Over capacity</title></head><body><h1>Something is technically wrong.</h1><p>Error ${status}</p></body></html>`;

/** The setting of X's answer time (`latency`) that applies to a target, if any. */
const LATENCY_GROUPS: Partial<Record<FaultTarget, LatencyGroup>> = { tweets: 'post', token: 'token' };

/**
 * Runs `handle` unless a fault for `target` says otherwise; first waits X's answer time for the
 * target (the `latency` setting, off by default).
 */
export async function withFault(
  c: EmulatorContext,
  deps: EmulatorDeps,
  target: FaultTarget,
  handle: () => Response | Promise<Response>,
  request: { text?: string | undefined } = {},
): Promise<Response> {
  const group = LATENCY_GROUPS[target];
  if (group && !(await holdAnswer(deps.world.settings.latency[group], deps.closing))) {
    return new Response(null, { status: 503 });
  }
  const fault = deps.faults.take(target, request);
  if (!fault) return handle();
  switch (fault.kind) {
    case 'latency':
      try {
        await delay(fault.latencyMs, undefined, { signal: deps.closing });
      } catch {
        return new Response(null, { status: 503 });
      }
      return handle();
    case 'error': {
      if (fault.status >= 500) {
        return c.html(HTML_5XX(fault.status), fault.status as 500);
      }
      const problem =
        fault.status === 402
          ? problems.paymentRequired()
          : fault.status === 429
            ? problems.tooManyRequests()
            : {
                body: {
                  title: 'Injected fault',
                  type: 'about:blank',
                  detail: 'an error injected by the emulator',
                },
              };
      const body = { ...problem.body, status: fault.status };
      const reset = String(Math.ceil(deps.world.now() / 1000) + 60);
      const headers: Record<string, string> =
        fault.status === 429
          ? { 'x-rate-limit-limit': '1', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset }
          : {};
      return problemResponse({ status: fault.status, body }, headers);
    }
    case 'hang':
      await untilClientGone(c, deps.closing);
      return new Response(null, { status: 504 });
    case 'lost_response': {
      const response = await handle();
      // The work is done (tokens rotated, post created); the answer never arrives.
      c.env.incoming?.socket.destroy();
      return response;
    }
    case 'malformed':
      return new Response(MALFORMED_BODIES[fault.variant], {
        status: 200,
        headers: { 'content-type': 'application/json;charset=UTF-8' },
      });
  }
}
