/** @module The emulator's HTML: consent page, error page, and the timeline at `/`. */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ClientRecord, PostRecord, UserRecord } from '../model.ts';
import { emulatorText, type EmulatorLang, type EmulatorText } from './page-texts.ts';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const layout = (title: string, body: Html, lang: EmulatorLang = 'en') =>
  html`<!DOCTYPE html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · X emulator</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            max-width: 40rem;
            margin: 2rem auto;
            padding: 0 1rem;
            color: #0f1419;
          }
          .banner {
            background: #fff4d6;
            border: 1px solid #e0c36a;
            padding: 0.5rem 0.75rem;
            border-radius: 6px;
            font-size: 0.9rem;
          }
          fieldset {
            border: 1px solid #cfd9de;
            border-radius: 8px;
          }
          button {
            font: inherit;
            padding: 0.5rem 1.25rem;
            border-radius: 999px;
            border: 1px solid #0f1419;
            cursor: pointer;
          }
          button.primary {
            background: #0f1419;
            color: #fff;
          }
          .post {
            border-bottom: 1px solid #eff3f4;
            padding: 0.5rem 0;
            white-space: pre-wrap;
          }
          .meta {
            color: #536471;
            font-size: 0.85rem;
          }
          .error {
            color: #b00020;
          }
        </style>
      </head>
      <body>
        <p class="banner">${emulatorText(lang, 'banner')}</p>
        ${body}
      </body>
    </html>`;

export function consentPage(
  client: ClientRecord,
  scopes: string[],
  requestId: string,
  users: UserRecord[],
  lang: EmulatorLang = 'en',
): Html {
  const t = (key: EmulatorText) => emulatorText(lang, key, client.name);
  return layout(
    t('title'),
    html`<h1>${t('heading')}</h1>
      <form method="post" action="/i/oauth2/authorize">
        <input type="hidden" name="request_id" value="${requestId}" />
        <fieldset>
          <legend>${t('signInAs')}</legend>
          ${users.map(
            (u, i) =>
              html`<div>
                <input
                  type="radio"
                  id="user-${u.username}"
                  name="username"
                  value="${u.username}"
                  ${i === 0 ? 'checked' : ''}
                />
                <label for="user-${u.username}">${u.name} (@${u.username})</label>
              </div>`,
          )}
        </fieldset>
        <p>${t('willBeAble')} <strong>${scopes.join(', ')}</strong></p>
        <p>
          <button class="primary" type="submit" name="decision" value="allow">${t('allow')}</button>
          <button type="submit" name="decision" value="deny">${t('deny')}</button>
        </p>
        <p class="meta">${t('denyHelp')}</p>
      </form>`,
    lang,
  );
}

export function errorPage(message: string): Html {
  return layout(
    'Something went wrong',
    html`<h1>Something went wrong</h1>
      <p class="error">${message}</p>
      <p>You can close this page and try again from the app.</p>`,
  );
}

export function timelinePage(users: UserRecord[], posts: PostRecord[]): Html {
  const live = posts.filter((p) => !p.deleted).sort((a, b) => b.createdAt - a.createdAt);
  return layout(
    'Timelines',
    html`<h1>Timelines</h1>
      ${users.map((u) => {
        const mine = live.filter((p) => p.userId === u.id);
        return html`<section>
          <h2>${u.name} <span class="meta">@${u.username} · ${u.metrics.followers_count} followers</span></h2>
          ${
            mine.length === 0
              ? html`<p class="meta">No posts yet.</p>`
              : mine.map(
                  (p) =>
                    html`<div class="post" id="post-${p.id}">
                      ${p.text}
                      <div class="meta">${new Date(p.createdAt).toISOString()} · id ${p.id}</div>
                    </div>`,
                )
          }
        </section>`;
      })}`,
  );
}

/** One post, at `/{username}/status/{id}` as on x.com (demo mode's "View on X" opens it). */
export function statusPage(
  user: UserRecord | undefined,
  post: PostRecord | undefined,
  lang: EmulatorLang,
): Html {
  const t = (key: EmulatorText) => emulatorText(lang, key);
  if (!user || !post || post.deleted || post.userId !== user.id)
    return layout(
      t('post'),
      html`<h1>${t('post')}</h1>
        <p class="error">${t('notFound')}</p>
        <p><a href="/">${t('timeline')}</a></p>`,
      lang,
    );
  return layout(
    `${user.name} (@${user.username})`,
    html`<h1>${user.name} <span class="meta">@${user.username}</span></h1>
      <div class="post" id="post-${post.id}" data-status-id="${post.id}">
        ${post.text}
        <div class="meta">${new Date(post.createdAt).toISOString()} · id ${post.id}</div>
      </div>
      <p><a href="/">${t('timeline')}</a></p>`,
    lang,
  );
}
