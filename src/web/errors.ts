/** @module How a failure is answered over HTTP: status, and a JSON body `{ error: { code, message } }`. */
import { ZodError } from 'zod';
import { isRotorError, type RotorError } from '../core/errors.ts';

export interface ErrorBody {
  error: { code: string; message: string; reason?: string; issues?: { path: string; message: string }[] };
}

const STATUS: Partial<Record<RotorError['code'], number>> = {
  invalid_input: 400,
  invalid_media: 400,
  authorization_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  account_not_found: 404,
  conflict: 409,
  reauth_required: 409,
  x_rate_limited: 503,
  x_unavailable: 503,
  lease_timeout: 503,
  store_unavailable: 503,
  invalid_response: 502,
  rate_limited: 429,
};

/** The status and body for an error; unexpected ones become a generic 500 (no detail leaks). */
export function errorResponse(e: unknown): { status: number; body: ErrorBody; retryAfter?: number } {
  if (e instanceof ZodError) {
    return {
      status: 400,
      body: {
        error: {
          code: 'invalid_input',
          message:
            'the request is not valid: ' +
            e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
          issues: e.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      },
    };
  }
  if (isRotorError(e)) {
    const status = STATUS[e.code] ?? 500;
    const body: ErrorBody = {
      error: {
        code: e.code,
        message: status === 500 ? 'Rotor could not complete the request' : e.message,
        ...(e.reason ? { reason: e.reason } : {}),
      },
    };
    return {
      status,
      body,
      ...(status === 503 || status === 429
        ? { retryAfter: Math.max(1, Math.ceil((e.retryAfterMs ?? 5000) / 1000)) }
        : {}),
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal', message: 'Rotor could not complete the request' } },
  };
}
