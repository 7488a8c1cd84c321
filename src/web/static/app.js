// Rotor's only client script: the live weighted counter (the server's twitter-text rules),
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
  for (const select of document.querySelectorAll('select[data-browser-zone]')) {
    if (select.dataset.browserZone === 'auto' && [...select.options].some((o) => o.value === browserZone)) {
      select.value = browserZone;
    }
  }
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
  const text = document.querySelector('textarea[data-count]');
  const out = document.querySelector('[data-counter]');
  if (!text || !out) return;
  let timer;
  let asked = 0;
  const update = async () => {
    const mine = ++asked;
    const url = `${text.dataset.count}?text=${encodeURIComponent(text.value)}`;
    try {
      const res = await fetch(url, { credentials: 'same-origin' });
      if (!res.ok || mine !== asked) return;
      const body = await res.json();
      out.textContent = `${body.weightedLength} / 280`;
      out.classList.toggle('over', !body.ok && text.value.trim() !== '');
    } catch {
      // offline: the server checks again on submit
    }
  };
  text.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
  void update();
})();
