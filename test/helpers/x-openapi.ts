/**
 * X's own OpenAPI document (`test/fixtures/x-openapi-v2.167.json`, vendored unchanged) as a
 * validator: the body of an answer is checked with `ajv` against the schema that X's document
 * gives for that operation, status and media type. OpenAPI 3.0's `nullable` is understood;
 * `discriminator` (whose `mapping` ajv does not support) and `example` are ignored.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

const FILE = join(import.meta.dirname, '..', 'fixtures', 'x-openapi-v2.167.json');

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: {
      OAuth2UserToken: { flows: { authorizationCode: { scopes: Record<string, string> } } };
    };
  };
};

const doc = JSON.parse(readFileSync(FILE, 'utf8')) as Document;
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(doc, 'x');
const compiled = new Map<string, ValidateFunction>();

/**
 * Where X's OpenAPI document and what X serves today disagree, the emulator serves what X serves;
 * each difference is listed here with its reason (and in docs/x-fidelity.md), and nothing else is
 * let through.
 */
export const X_SERVES_OTHERWISE: Readonly<Record<string, string>> = {
  "#/components/schemas/GetUsersMeResponse/data/public_metrics must have required property 'post_count'":
    'X serves public_metrics.tweet_count (its users/me documentation and live answers); v2.167 of the OpenAPI file renames it post_count',
};

/**
 * The problem bodies X serves today (`about:blank` or `https://api.twitter.com/2/problems/…`),
 * which the OpenAPI `Problem` schema does not admit: it lists only its own `type` URIs.
 */
const servedProblem = ajv.compile({
  type: 'object',
  required: ['title', 'type', 'detail'],
  properties: {
    title: { type: 'string', minLength: 1 },
    type: { type: 'string', pattern: '^(about:blank|https://api\\.twitter\\.com/2/problems/[a-z-]+)$' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string', minLength: 1 },
    errors: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
    },
    resource_type: { type: 'string' },
    resource_id: { type: 'string' },
    parameter: { type: 'string' },
    value: { type: 'string' },
  },
  additionalProperties: false,
});

/** The problems `ajv` finds in a problem body, against the shapes X serves; empty when it conforms. */
export function servedProblemProblems(body: unknown): string[] {
  if (servedProblem(body)) return [];
  return (servedProblem.errors ?? []).map((e) => `problem${e.instancePath} ${e.message ?? 'invalid'}`);
}

/** The `$ref` X's document gives for this answer, e.g. `#/components/schemas/CreatePostsResponse`. */
export function schemaRef(path: string, method: string, status: number, mediaType: string): string {
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`X's OpenAPI has no ${method} ${path}`);
  const response = op.responses?.[String(status)] ?? op.responses?.default;
  const ref = response?.content?.[mediaType]?.schema?.$ref;
  if (!ref) throw new Error(`X's OpenAPI has no ${mediaType} schema for ${method} ${path} ${status}`);
  return ref;
}

/**
 * The problems `ajv` finds in a success `body` as an answer to `method path` with `status` (the path as X's
 * document writes it, e.g. `/2/tweets/{id}`); an empty list when it conforms.
 */
export function openApiProblems(
  path: string,
  method: string,
  status: number,
  mediaType: string,
  body: unknown,
): string[] {
  const ref = schemaRef(path, method, status, mediaType);
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: `x${ref}` });
    compiled.set(ref, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? [])
    .map((e) => `${ref}${e.instancePath} ${e.message ?? 'invalid'}`)
    .filter((problem) => !(problem in X_SERVES_OTHERWISE));
}

/** Asserts that `body` is what X's OpenAPI says `method path` answers with `status` (JSON). */
export function assertMatchesOpenApi(method: string, path: string, status: number, body: unknown): void {
  assert.deepEqual(openApiProblems(path, method, status, 'application/json', body), [], JSON.stringify(body));
}

/** Every OAuth 2.0 scope X's document lists for user tokens. */
export const OPENAPI_SCOPES: readonly string[] = Object.keys(
  doc.components.securitySchemes.OAuth2UserToken.flows.authorizationCode.scopes,
);
