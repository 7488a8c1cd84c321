// Planning pages' script: dragging a post to another day of the calendar (the same Move form the
// keyboard uses, with the day changed and the time kept), and the compose preview (the server's
// twitter-text reading of the text, the chosen images as X's grid).
'use strict';
(() => {
  const grid = document.querySelector('[data-calendar]');
  if (grid) {
    let dragged;
    grid.addEventListener('dragstart', (e) => {
      dragged = e.target.closest('.cal-entry[draggable="true"]');
      if (dragged && e.dataTransfer) {
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData('text/plain', dragged.dataset.post ?? '');
      }
    });
    grid.addEventListener('dragover', (e) => {
      const day = e.target.closest('.cal-day');
      if (!dragged || !day) return;
      e.preventDefault();
      for (const d of grid.querySelectorAll('.cal-day.drop')) if (d !== day) d.classList.remove('drop');
      day.classList.add('drop');
    });
    grid.addEventListener('drop', (e) => {
      const day = e.target.closest('.cal-day');
      if (!dragged || !day) return;
      e.preventDefault();
      const form = dragged.querySelector('form[data-move-form]');
      const date = form?.querySelector('input[name="date"]');
      if (form && date && day.dataset.date && date.value !== day.dataset.date) {
        date.value = day.dataset.date;
        form.requestSubmit();
      }
      day.classList.remove('drop');
      dragged = undefined;
    });
  }
  const preview = document.querySelector('[data-preview]');
  const text = document.querySelector('textarea[name="text"]');
  if (preview && text) {
    const out = preview.querySelector('[data-preview-text]');
    const note = preview.querySelector('[data-preview-note]');
    const author = preview.querySelector('[data-preview-author]');
    const account = document.querySelector('select[name="accountId"]');
    let timer;
    let asked = 0;
    const render = (body) => {
      out.replaceChildren(
        ...body.parts.map((p) => {
          if (p.kind === 'text') return document.createTextNode(p.text);
          const span = document.createElement('span');
          span.className = p.kind === 'url' ? 'pv-link' : `pv-${p.kind}`;
          span.textContent = p.text;
          if (p.href) span.title = p.href;
          return span;
        }),
      );
      note.textContent =
        text.value.trim() === '' ? note.dataset.empty : body.links > 0 ? note.dataset.linksNote : '';
    };
    const update = async () => {
      const mine = ++asked;
      try {
        const res = await fetch(`/compose/preview?text=${encodeURIComponent(text.value)}`, {
          credentials: 'same-origin',
        });
        if (res.ok && mine === asked) render(await res.json());
      } catch {
        // offline: the preview waits
      }
    };
    text.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(update, 150);
    });
    if (account && author) {
      const name = () => (author.textContent = account.selectedOptions[0]?.textContent ?? '');
      account.addEventListener('change', name);
    }
    // Images as X lays them out: 1 full, 2 side by side, 3 one tall and two, 4 in a square.
    const media = preview.querySelector('[data-preview-media]');
    const input = document.querySelector('input[type="file"][name="media"]');
    if (media && input) {
      // Read as data: URLs (the page's CSP allows images from 'self' and data: only).
      input.addEventListener('change', () => {
        const files = [...input.files].filter((f) => f.type.startsWith('image/')).slice(0, 4);
        media.dataset.count = String(files.length);
        media.replaceChildren(
          ...files.map((f, i) => {
            const img = document.createElement('img');
            img.alt = `${i + 1} / ${files.length}: ${f.name}`;
            const reader = new window.FileReader();
            reader.addEventListener('load', () => (img.src = String(reader.result)));
            reader.readAsDataURL(f);
            return img;
          }),
        );
      });
    }
  }
})();
