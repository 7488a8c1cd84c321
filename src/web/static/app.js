// Rotor's only client script: the live weighted counter of each text (the server's twitter-text rules),
// the browser's time zone as the default in zone pickers, and confirmations.
'use strict';
(() => {
  // The browser's time zone, for showing times until the user saves one in Settings.
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const secure = window.location.protocol === 'https:';
  const zoneCookie = secure ? '__Host-rotor-tz' : 'rotor-tz';
  if (browserZone && !document.cookie.split('; ').some((c) => c.startsWith(`${zoneCookie}=`))) {
    document.cookie = `${zoneCookie}=${encodeURIComponent(browserZone)}; Path=/; SameSite=Lax; Max-Age=31536000${secure ? '; Secure' : ''}`;
  }
  // Only where nothing was chosen yet ('auto'): a zone the user picked is never replaced. The
  // browser may still give an old name (Asia/Calcutta): the option carries it as data-alias.
  for (const select of document.querySelectorAll('select[data-browser-zone]')) {
    const match = [...select.options].find((o) => o.value === browserZone || o.dataset.alias === browserZone);
    if (select.dataset.browserZone === 'auto' && match) select.value = match.value;
  }
  // The zone search: shows the zones whose name contains what is typed, and picks the first.
  for (const search of document.querySelectorAll('input[data-zone-filter]')) {
    const select = document.getElementById(search.dataset.zoneFilter);
    if (!select) continue;
    search.addEventListener('input', () => {
      const words = search.value.trim().toLowerCase().replace(/\s+/g, '_');
      let first;
      for (const o of select.options) {
        const hit =
          words === '' ||
          o.value.toLowerCase().includes(words) ||
          (o.dataset.alias ?? '').toLowerCase().includes(words);
        o.hidden = !hit;
        if (hit && !first) first = o;
      }
      if (first && words !== '') select.value = first.value;
    });
  }
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
  // Each text's counter (a thread has one per part; parts added later are counted too).
  const timers = new WeakMap();
  const asked = new WeakMap();
  const update = async (text) => {
    const out = document.getElementById(text.getAttribute('aria-describedby') ?? '');
    if (!out) return;
    const mine = (asked.get(text) ?? 0) + 1;
    asked.set(text, mine);
    const url = `${text.dataset.count}?text=${encodeURIComponent(text.value)}`;
    try {
      const res = await fetch(url, { credentials: 'same-origin' });
      if (!res.ok || mine !== asked.get(text)) return;
      const body = await res.json();
      out.textContent = `${body.weightedLength} / 280`;
      out.classList.toggle('over', !body.ok && text.value.trim() !== '');
    } catch {
      // offline: the server checks again on submit
    }
  };
  document.addEventListener('input', (e) => {
    const text = e.target.closest?.('textarea[data-count]');
    if (!text) return;
    clearTimeout(timers.get(text));
    timers.set(
      text,
      setTimeout(() => void update(text), 120),
    );
  });
  for (const text of document.querySelectorAll('textarea[data-count]')) void update(text);
})();
