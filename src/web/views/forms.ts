/** @module Form pieces shared by several pages: the account picker and the time zone picker. */
import { html } from 'hono/html';
import type { AccountRow } from '../../store/accounts.ts';
import { COMMON_ZONES, OLD_NAME, ZONE_NAMES } from '../time-zones.ts';
import type { ViewContext } from './layout.ts';

export function accountSelect(id: string, accounts: AccountRow[], selected?: string) {
  return html`<select id="${id}" name="accountId" required>
    ${accounts.map(
      (a) => html`<option value="${a.id}" ${a.id === selected ? 'selected' : ''}>@${a.username}</option>`,
    )}
  </select>`;
}

/**
 * The zone picker: a search field (the page script filters the list as one types), then the
 * user's zone, the most used ones, and every zone A–Z, by current IANA names. `auto`: the page
 * script picks the browser's zone — only when nothing was chosen yet (no zone saved in Settings,
 * none sent with this form), so a zone the user picked survives every round trip.
 */
export function zoneSelect(v: ViewContext, id: string, selected: string, auto: boolean) {
  const option = (z: string, mark: boolean) =>
    html`<option
      value="${z}"
      ${mark && z === selected ? 'selected' : ''}
      ${OLD_NAME[z] ? html`data-alias="${OLD_NAME[z]}"` : ''}
    >
      ${z}
    </option>`;
  const common = COMMON_ZONES.filter((z) => z !== selected);
  return html`<input
      type="search"
      id="${id}-search"
      class="zone-search"
      data-zone-filter="${id}"
      aria-label="${v.t('zone.search')}"
      placeholder="${v.t('zone.search')}"
      autocomplete="off"
    />
    <select id="${id}" name="timeZone" data-browser-zone="${auto ? 'auto' : 'fixed'}">
      <optgroup label="${v.t('zone.yours')}">${option(selected, true)}</optgroup>
      <optgroup label="${v.t('zone.common')}">${common.map((z) => option(z, false))}</optgroup>
      <optgroup label="${v.t('zone.all')}">
        ${ZONE_NAMES.filter((z) => z !== selected && !COMMON_ZONES.includes(z)).map((z) => option(z, false))}
      </optgroup>
    </select>`;
}
