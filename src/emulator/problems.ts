/**
 * @module X's problem-JSON error bodies for the v2 API, served as `application/problem+json`
 * (RFC 9457) with the `type` URIs X serves today (`about:blank`,
 * `https://api.twitter.com/2/problems/…`); see `docs/x-fidelity.md` for the sources.
 */

export interface Problem {
  status: number;
  body: Record<string, unknown>;
}

export const problems = {
  unauthorized: (): Problem => ({
    status: 401,
    body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' },
  }),
  forbidden: (detail: string): Problem => ({
    status: 403,
    body: { title: 'Forbidden', type: 'about:blank', status: 403, detail },
  }),
  duplicate: (): Problem => ({
    status: 403,
    body: {
      detail: 'You are not allowed to create a Tweet with duplicate content.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    },
  }),
  invalidRequest: (messages: string[]): Problem => ({
    status: 400,
    body: {
      errors: messages.map((message) => ({ message })),
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    },
  }),
  /** A missing resource, named as X names it: `resource_type`, `resource_id`, `parameter`, `value`. */
  notFound: (resource: { type: 'user' | 'tweet' | 'media'; id: string; parameter: string }): Problem => ({
    status: 404,
    body: {
      title: 'Not Found Error',
      type: 'https://api.twitter.com/2/problems/resource-not-found',
      status: 404,
      detail: `Could not find ${resource.type} with ${resource.parameter}: [${resource.id}].`,
      resource_type: resource.type,
      resource_id: resource.id,
      parameter: resource.parameter,
      value: resource.id,
    },
  }),
  tooManyRequests: (): Problem => ({
    status: 429,
    body: { title: 'Too Many Requests', type: 'about:blank', status: 429, detail: 'Too Many Requests' },
  }),
  /** X's body for an account out of pay-per-use credits is undocumented; this is a plausible one. */
  paymentRequired: (): Problem => ({
    status: 402,
    body: {
      title: 'Payment Required',
      type: 'https://api.twitter.com/2/problems/credits',
      status: 402,
      detail: 'Your enrolled account does not have any credits to fulfill this request.',
    },
  }),
};

/** RFC 9457's media type, which X's v2 API answers its problems with. */
export const PROBLEM_JSON = 'application/problem+json';

/** The HTTP answer for a problem: its body as `application/problem+json`, with extra headers. */
export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p.body), {
    status: p.status,
    headers: { ...headers, 'content-type': PROBLEM_JSON },
  });
}
