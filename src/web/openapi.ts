/** @module `/openapi.json`: the HTTP API described from the same zod schemas that check its input. */
import { z } from 'zod';
import { PERMISSIONS } from './actor.ts';
import {
  AccountOutput,
  CreatePostInput,
  CreateScheduleInput,
  EditPostInput,
  ErrorOutput,
  PostOutput,
  ScheduleOutput,
  TextCheckInput,
  TokenOutput,
} from './schemas.ts';

const schema = (s: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (s: object) => ({ content: { 'application/json': { schema: s } } });
const errors = {
  '400': { description: 'Invalid input (nothing changed)', ...json(ref('Error')) },
  '401': { description: 'No or unknown credentials', ...json(ref('Error')) },
  '403': { description: 'The key lacks the permission, or CSRF token missing', ...json(ref('Error')) },
  '404': { description: 'Not found, or not yours', ...json(ref('Error')) },
  '429': {
    description:
      'Too many requests (code rate_limited): too many failed API keys from this address, or token hand-outs; retry after Retry-After',
    ...json(ref('Error')),
  },
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const op = (summary: string, permission: string | null, extra: object) => ({
  summary,
  ...(permission ? { description: `Needs the \`${permission}\` permission.` } : {}),
  ...extra,
});

/** The OpenAPI 3.1 document of `/api/v1`. */
export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rotor HTTP API',
      version,
      description:
        'Scheduled posting for X with rotation-safe tokens. Authenticate with an API key created in Settings ' +
        `(Authorization: Bearer rotor_…). Permissions: ${PERMISSIONS.join(', ')}. Errors are { error: { code, message } }.`,
    },
    servers: [{ url: '/api/v1' }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A Rotor API key (rotor_…)' },
      },
      schemas: {
        CreatePost: schema(CreatePostInput),
        EditPost: schema(EditPostInput),
        CreateSchedule: schema(CreateScheduleInput),
        TextCheck: schema(TextCheckInput),
        Account: schema(AccountOutput),
        Post: schema(PostOutput),
        Schedule: schema(ScheduleOutput),
        Token: schema(TokenOutput),
        Error: schema(ErrorOutput),
      },
    },
    paths: {
      '/accounts': {
        get: op('Your accounts and their health', 'accounts:read', {
          responses: {
            '200': {
              description: 'Accounts',
              ...json({ type: 'object', properties: { accounts: { type: 'array', items: ref('Account') } } }),
            },
            ...errors,
          },
        }),
      },
      '/accounts/{id}/token': {
        post: op(
          'Token broker: a currently valid access token for one of your accounts (refreshed safely when due; audit-logged)',
          'tokens:issue',
          {
            parameters: [idParam],
            responses: {
              '200': { description: 'A valid access token', ...json(ref('Token')) },
              '409': {
                description: 'The account needs reconnecting (code reauth_required, with reason)',
                ...json(ref('Error')),
              },
              '503': {
                description: 'X is unavailable for now; retry after Retry-After',
                ...json(ref('Error')),
              },
              ...errors,
            },
          },
        ),
      },
      '/posts': {
        get: op('Your posts, newest first', 'posts:read', {
          parameters: ['status', 'accountId', 'limit'].map((name) => ({
            name,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: {
            '200': {
              description: 'Posts',
              ...json({ type: 'object', properties: { posts: { type: 'array', items: ref('Post') } } }),
            },
            ...errors,
          },
        }),
        post: op('Post now, schedule, add to the queue, or save as a draft', 'posts:write', {
          requestBody: { required: true, ...json(ref('CreatePost')) },
          responses: {
            '201': { description: 'Created', ...json({ type: 'object', properties: { post: ref('Post') } }) },
            ...errors,
          },
        }),
      },
      '/posts/{id}': {
        get: op('One post', 'posts:read', {
          parameters: [idParam],
          responses: {
            '200': {
              description: 'The post',
              ...json({ type: 'object', properties: { post: ref('Post') } }),
            },
            ...errors,
          },
        }),
        patch: op(
          'Edit a draft, queued or scheduled post (any field of a new post; `mode` moves it, e.g. a draft to "schedule")',
          'posts:write',
          {
            parameters: [idParam],
            requestBody: { required: true, ...json(ref('EditPost')) },
            responses: {
              '200': {
                description: 'Edited',
                ...json({ type: 'object', properties: { post: ref('Post') } }),
              },
              '409': {
                description: 'Its publishing has started (code conflict): nothing changed',
                ...json(ref('Error')),
              },
              ...errors,
            },
          },
        ),
        delete: op('Cancel a post not yet publishing', 'posts:write', {
          parameters: [idParam],
          responses: {
            '200': {
              description: 'Cancelled',
              ...json({ type: 'object', properties: { post: ref('Post') } }),
            },
            '409': { description: 'Already publishing or done', ...json(ref('Error')) },
            ...errors,
          },
        }),
      },
      '/schedules': {
        get: op('Your recurring schedules and queue slots', 'schedules:read', {
          responses: {
            '200': {
              description: 'Schedules',
              ...json({
                type: 'object',
                properties: { schedules: { type: 'array', items: ref('Schedule') } },
              }),
            },
            ...errors,
          },
        }),
        post: op('Create a recurring schedule, or set an account’s queue slots', 'schedules:write', {
          requestBody: { required: true, ...json(ref('CreateSchedule')) },
          responses: {
            '201': {
              description: 'Created',
              ...json({ type: 'object', properties: { schedule: ref('Schedule') } }),
            },
            ...errors,
          },
        }),
      },
      '/schedules/{id}': {
        delete: op('Delete a schedule (its posts keep their history)', 'schedules:write', {
          parameters: [idParam],
          responses: { '204': { description: 'Deleted' }, ...errors },
        }),
      },
      '/schedules/{id}/pause': {
        post: op('Pause a schedule', 'schedules:write', {
          parameters: [idParam],
          responses: {
            '200': {
              description: 'Paused',
              ...json({ type: 'object', properties: { schedule: ref('Schedule') } }),
            },
            ...errors,
          },
        }),
      },
      '/schedules/{id}/resume': {
        post: op('Resume a schedule from now (missed occurrences are not posted late)', 'schedules:write', {
          parameters: [idParam],
          responses: {
            '200': {
              description: 'Resumed',
              ...json({ type: 'object', properties: { schedule: ref('Schedule') } }),
            },
            ...errors,
          },
        }),
      },
      '/text/check': {
        post: op('Weighted length of a text by X’s rules (280)', null, {
          requestBody: { required: true, ...json(ref('TextCheck')) },
          responses: {
            '200': {
              description: 'The check',
              ...json({
                type: 'object',
                properties: {
                  ok: { type: 'boolean' },
                  weightedLength: { type: 'integer' },
                  message: { type: 'string' },
                },
              }),
            },
            ...errors,
          },
        }),
      },
    },
  };
}
