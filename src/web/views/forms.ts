/** @module Form pieces shared by several pages: the account picker and the time zone picker. */
import { html } from 'hono/html';
import type { AccountRow } from '../../store/accounts.ts';
import { TIME_ZONES } from '../format.ts';

export function accountSelect(id: string, accounts: AccountRow[], selected?: string) {
  return html`<select id="${id}" name="accountId" required>
    ${accounts.map(
      (a) => html`<option value="${a.id}" ${a.id === selected ? 'selected' : ''}>@${a.username}</option>`,
    )}
  </select>`;
}

/**
 * The zone picker. `auto`: the browser's zone is chosen by the page script unless the user has
 * a saved zone.
 */
export function zoneSelect(id: string, selected: string, auto: boolean) {
  return html`<select id="${id}" name="timeZone" data-browser-zone="${auto ? 'auto' : 'fixed'}">
    ${TIME_ZONES.map((z) => html`<option value="${z}" ${z === selected ? 'selected' : ''}>${z}</option>`)}
  </select>`;
}
