/**
 * @module The HTTP API's inputs, as zod schemas: the API validates with them, and
 * `/openapi.json` is generated from them, so the document cannot drift from the checks.
 */
import { z } from 'zod';
import { RotorError } from '../core/errors.ts';
import { PERMISSIONS } from './actor.ts';

/**
 * Characters PostgreSQL's `text` cannot hold as sent: NUL, and unpaired UTF-16 surrogates (not
 * Unicode, so not UTF-8). Refused at the schema, before anything is stored (no 500).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_MESSAGE = 'contains a character that cannot be stored (a NUL byte or an unpaired surrogate)';

/** Whether a string can be stored as PostgreSQL text. */
export const storable = (s: string): boolean => !UNSTORABLE.test(s);

/** A string that can be stored (every text field of the inputs below is one). */
const text = () => z.string().refine(storable, { error: UNSTORABLE_MESSAGE, abort: true });

/**
 * Refuses form fields (and the text of uploaded CSV files) that cannot be stored.
 * @throws {RotorError} `invalid_input` naming the field.
 */
export async function assertStorableForm(form: Record<string, unknown>): Promise<void> {
  for (const [name, value] of Object.entries(form)) {
    for (const one of Array.isArray(value) ? (value as unknown[]) : [value]) {
      const content =
        typeof one === 'string'
          ? one
          : one instanceof File && !one.type.startsWith('image/')
            ? await one.text()
            : '';
      if (!storable(name) || !storable(content))
        throw new RotorError(
          'invalid_input',
          `${storable(name) ? name : 'a field name'}: ${UNSTORABLE_MESSAGE}`,
        );
    }
  }
}

const uuid = z.uuid({ error: 'must be an id (UUID)' });
const zone = text().min(1).max(64).describe('IANA time zone, e.g. "Asia/Tokyo"');

const media = z
  .array(z.base64({ error: 'must be base64' }))
  .max(4)
  .describe('Media as base64: up to 4 images (PNG, JPEG, WebP), or 1 GIF, or 1 MP4 video');

/** One part of a thread: a post's text and media. */
const PartInput = z
  .object({
    text: text().max(10_000).describe('The part’s text; X counts it by weighted length (280)'),
    media: media.optional(),
  })
  .strict();

/** A thread's parts: at most 25 (its lower bound, 2, is checked with the parts' own checks). */
const parts = z
  .array(PartInput)
  .max(25, 'a thread has 2 to 25 parts')
  .describe(
    'A thread, instead of "text" and "media": 2 to 25 parts, each published as a reply to the one before',
  );

/** The fields of a new post; {@link CreatePostInput} adds which of them go together. */
const PostFields = z
  .object({
    accountId: uuid.describe('One of your accounts'),
    text: text().max(10_000).optional().describe('Post text; X counts it by weighted length (280)'),
    parts: parts.optional(),
    mode: z
      .enum(['now', 'schedule', 'queue', 'draft'])
      .describe('Publish now, at a time, at the next queue slot, or keep it as a draft'),
    at: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone offset' })
      .optional()
      .describe('For "schedule": the instant, e.g. "2026-11-22T09:00:00+09:00"'),
    localTime: text()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'must look like 2026-11-22T09:00')
      .optional()
      .describe('For "schedule", instead of "at": a wall-clock time in "timeZone"'),
    timeZone: zone.optional(),
    media: media.optional(),
  })
  .strict();

/** A post's content is its `text` (and `media`), or a thread's `parts`: never both. */
function oneContent(
  v: { text?: string | undefined; parts?: unknown; media?: unknown },
  ctx: z.RefinementCtx,
  required: boolean,
) {
  if (v.parts !== undefined && (v.text !== undefined || v.media !== undefined))
    ctx.addIssue({
      code: 'custom',
      path: ['parts'],
      message: 'give "text" (and "media") for a post, or "parts" for a thread, not both',
    });
  else if (required && v.parts === undefined && v.text === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['text'],
      message: 'give "text" for a post, or "parts" for a thread',
    });
}

export const CreatePostInput = PostFields.superRefine((v, ctx) => oneContent(v, ctx, true));
export type CreatePostInput = z.infer<typeof CreatePostInput>;

/**
 * `PATCH /posts/{id}`: any of the fields of a new post; those left out stay as they are. A time
 * without `mode` schedules the post at it; `mode` alone moves it (a draft to `schedule` keeps
 * nothing to guess: it needs a time unless it had one). `parts` replaces a thread's parts (or
 * makes a post a thread).
 */
export const EditPostInput = PostFields.partial().superRefine((v, ctx) => oneContent(v, ctx, false));
export type EditPostInput = z.infer<typeof EditPostInput>;

export const ListPostsQuery = z
  .object({
    status: z
      .enum([
        'draft',
        'queued',
        'scheduled',
        'publishing',
        'published',
        'failed',
        'blocked',
        'unknown',
        'cancelled',
      ])
      .optional()
      .describe('A thread is listed by its own status: that of its first part not yet published'),
    accountId: uuid.optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const CreateScheduleInput = z
  .object({
    accountId: uuid,
    kind: z
      .enum(['recurring', 'queue'])
      .describe('"recurring" posts a template; "queue" sets the queue slots'),
    cron: text().min(1).max(200).describe('Five-field cron, e.g. "0 9 * * 1-5"'),
    timeZone: zone,
    template: text().max(10_000).optional().describe('For "recurring": the text; {n} and {date} vary it'),
  })
  .strict();
export type CreateScheduleInput = z.infer<typeof CreateScheduleInput>;

export const CreateApiKeyInput = z
  .object({
    name: text().trim().min(1, 'give the key a name').max(80),
    permissions: z.array(z.enum(PERMISSIONS)).min(1, 'choose at least one permission'),
  })
  .strict();

export const TextCheckInput = z.object({ text: text().max(10_000) }).strict();

/** Output shapes (documentation only). */
export const AccountOutput = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  status: z.enum(['active', 'reauth_required']),
  reason: z.enum(['expired', 'revoked', 'reused', 'lost_response', 'restored', 'unknown']).nullable(),
  reasonText: z.string().nullable().describe('The reason in plain words'),
  refreshedAt: z.string().nullable(),
  connectionEndsAt: z.string().describe('When X will ask for consent again (~6 months after it)'),
  daysLeft: z.number(),
  reconnectUrl: z.string().describe('Where a person reconnects the account (keeps its schedules)'),
});

export const PostOutput = z.object({
  id: z.string(),
  accountId: z.string(),
  username: z.string(),
  text: z.string(),
  status: z.string(),
  dueAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  xPostId: z.string().nullable(),
  url: z.string().nullable(),
  reason: z.string().nullable(),
  mediaCount: z.number(),
  parts: z
    .array(z.object({ text: z.string(), status: z.string(), xPostId: z.string().nullable() }))
    .optional()
    .describe(
      'For a thread: its parts in order. Its status and reason are then those of its first part not yet published (published once all are); its text, xPostId and url are its first part’s',
    ),
});

export const ScheduleOutput = z.object({
  id: z.string(),
  accountId: z.string(),
  username: z.string(),
  kind: z.enum(['recurring', 'queue']),
  cron: z.string(),
  timeZone: z.string(),
  template: z.string().nullable(),
  paused: z.boolean(),
  nextAt: z.string().nullable(),
});

export const TokenOutput = z.object({
  accountId: z.string(),
  username: z.string(),
  accessToken: z.string().describe('A currently valid X access token; do not store it beyond expiresAt'),
  tokenType: z.literal('bearer'),
  expiresAt: z.string(),
  scope: z.string(),
});

export const ErrorOutput = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
