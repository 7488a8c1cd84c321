/**
 * @module Every call to X has an overall deadline and a cap on the response size
 * (property 10): a hung or endless response ends in an error, never a stuck lease or an
 * out-of-memory. The deadline covers the body too, not only the headers.
 */

export interface FetchLimits {
  /** Overall deadline, headers and body, in ms. */
  timeoutMs: number;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
}

/** The response was larger than {@link FetchLimits.maxBytes}. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
}

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Wraps `fetch` so that it honours the limits; the body is read in full before it returns. */
export function boundedFetch(base: FetchLike, limits: FetchLimits): FetchLike {
  return async (input, init) => {
    const deadline = AbortSignal.timeout(limits.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const response = await base(input, { ...init, signal });
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (response.body) {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limits.maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new ResponseTooLargeError(`response larger than ${limits.maxBytes} bytes`);
        }
        chunks.push(value);
      }
    }
    const body = [204, 205, 304].includes(response.status) ? null : Buffer.concat(chunks);
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
