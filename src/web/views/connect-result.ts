/** @module The page a refused sign-in or connection ends on: what happened, in plain words, and a way back. */
import { html } from 'hono/html';
import { userMessage } from '../user-messages.ts';
import { notice, type ViewContext } from './layout.ts';

/** `message`: the vault's English refusal; a denial at X says that nothing was connected. */
export function connectRefusedView(v: ViewContext, message: string) {
  const denied = /^You chose not to authorize Rotor/.test(message);
  const back = v.user ? '/' : '/signin';
  return html`<h1>${denied ? v.t('consent.deniedTitle') : v.t('error.title')}</h1>
    ${notice(userMessage(v.t, v.locale, message), denied ? 'ok' : 'error')}
    <p>
      <a class="button primary" href="${back}">${v.user ? v.t('error.back') : v.t('connect.tryAgain')}</a>
    </p>`;
}

/** The page title for the same. */
export const connectRefusedTitle = (v: ViewContext, message: string) =>
  /^You chose not to authorize Rotor/.test(message) ? v.t('consent.deniedTitle') : v.t('error.title');
