// Planning pages' script: dragging a post to another day of the calendar (the same Move form the
// keyboard uses, with the day changed and the time kept), and the compose preview (the server's
// twitter-text reading of the text, the chosen images as X's grid; a thread as its chain), a thread's
// parts added and removed in the page, and "Also post to" without the account chosen above.
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
  // "Also post to" leaves out the account chosen above (the server renders it hidden the same way).
  const account = document.querySelector('select[name="accountId"]');
  const choices = document.querySelectorAll('[data-account-choice]');
  if (account && choices.length > 0) {
    account.addEventListener('change', () => {
      for (const choice of choices) {
        const same = choice.dataset.accountChoice === account.value;
        choice.hidden = same;
        for (const input of choice.querySelectorAll('input, textarea')) input.disabled = same;
        if (same) choice.querySelector('input[type="checkbox"]').checked = false;
      }
    });
  }
  // A thread's parts: "Add part" and "Remove part N" in the page (the server does the same without
  // this script), so that files already chosen are kept.
  const partsBox = document.querySelector('[data-parts]');
  const preview = document.querySelector('[data-preview]');
  const chain = preview?.querySelector('[data-preview-chain]');
  const partsOf = () => (partsBox ? [...partsBox.querySelectorAll(':scope > [data-part]')] : []);
  const postsOf = () => (chain ? [...chain.querySelectorAll(':scope > .pv-post')] : []);
  const template = document.querySelector('template[data-part-template]');
  const addButton = document.querySelector('[data-add-part]');
  const fill = (s, n) => (s ?? '').replaceAll('{n}', String(n));
  const renumber = () => {
    const parts = partsOf();
    const thread = parts.length > 1;
    parts.forEach((part, i) => {
      const n = i + 1;
      const title = part.querySelector('.part-title');
      if (n === 1) {
        title.hidden = !thread;
        return; // part 1 keeps a single post's names
      }
      part.dataset.part = String(n);
      part.setAttribute('aria-labelledby', `part-${n}-title`);
      title.id = `part-${n}-title`;
      title.textContent = fill(partsBox.dataset.title, n);
      const text = part.querySelector('textarea');
      text.id = `text-part-${n}`;
      text.name = `partText:${n}`;
      text.setAttribute('aria-describedby', `counter-part-${n}`);
      part.querySelector('[data-counter]').id = `counter-part-${n}`;
      part.querySelector('[data-l="text"]').htmlFor = text.id;
      const media = part.querySelector('input[type="file"]');
      media.id = `media-part-${n}`;
      media.name = `partMedia:${n}`;
      const label = part.querySelector('[data-l="media"]');
      label.htmlFor = media.id;
      if (label.hasAttribute('data-numbered')) label.textContent = fill(partsBox.dataset.mediaLabel, n);
      const remove = part.querySelector('input[data-remove-media]');
      if (remove) remove.name = `removeMedia:${n}`;
      const from = part.querySelector('input[data-part-from]');
      if (from) from.name = `partFrom:${n}`;
      const button = part.querySelector('[data-remove-part]');
      button.value = `remove:${n}`;
      button.textContent = fill(partsBox.dataset.remove, n);
    });
    partsBox.classList.toggle('thread', thread);
    const help = document.querySelector('[data-thread-help]');
    if (help) help.hidden = !thread;
    const note = preview?.querySelector('[data-preview-thread-note]');
    if (note) note.hidden = !thread;
    chain?.classList.toggle('thread', thread);
    postsOf().forEach((li, i) => (li.dataset.previewPart = String(i + 1)));
    if (addButton) addButton.hidden = parts.length >= Number(partsBox.dataset.max);
  };
  if (partsBox && template && addButton) {
    addButton.addEventListener('click', (e) => {
      e.preventDefault();
      if (partsOf().length >= Number(partsBox.dataset.max)) return;
      const node = template.content.firstElementChild.cloneNode(true);
      partsBox.append(node);
      const first = postsOf()[0];
      if (first && chain) {
        const li = first.cloneNode(true);
        li.querySelector('[data-preview-text]').replaceChildren();
        const media = li.querySelector('[data-preview-media]');
        media.replaceChildren();
        media.dataset.count = '0';
        chain.append(li);
      }
      renumber();
      node.querySelector('textarea').focus();
    });
    partsBox.addEventListener('click', (e) => {
      const button = e.target.closest('[data-remove-part]');
      if (!button) return;
      e.preventDefault();
      const part = button.closest('[data-part]');
      const i = partsOf().indexOf(part);
      part.remove();
      postsOf()[i]?.remove();
      renumber();
      addButton.focus();
    });
  }
  // The preview of each part, in the chain's post at the same place.
  if (preview && partsBox && chain) {
    const note = preview.querySelector('[data-preview-note]');
    const links = new WeakMap();
    const timers = new WeakMap();
    const asked = new WeakMap();
    const notes = () => {
      const texts = partsOf().map((p) => p.querySelector('textarea').value);
      const anyLinks = postsOf().some((li) => (links.get(li) ?? 0) > 0);
      note.textContent = texts.every((t) => t.trim() === '')
        ? note.dataset.empty
        : anyLinks
          ? note.dataset.linksNote
          : '';
    };
    const render = (li, body) => {
      li.querySelector('[data-preview-text]').replaceChildren(
        ...body.parts.map((p) => {
          if (p.kind === 'text') return document.createTextNode(p.text);
          const span = document.createElement('span');
          span.className = p.kind === 'url' ? 'pv-link' : `pv-${p.kind}`;
          span.textContent = p.text;
          if (p.href) span.title = p.href;
          return span;
        }),
      );
      links.set(li, body.links);
      notes();
    };
    const update = async (part) => {
      const text = part.querySelector('textarea');
      const mine = (asked.get(part) ?? 0) + 1;
      asked.set(part, mine);
      try {
        const res = await fetch(`/compose/preview?text=${encodeURIComponent(text.value)}`, {
          credentials: 'same-origin',
        });
        const li = postsOf()[partsOf().indexOf(part)];
        if (res.ok && mine === asked.get(part) && li) render(li, await res.json());
      } catch {
        // offline: the preview waits
      }
    };
    partsBox.addEventListener('input', (e) => {
      const part = e.target.closest('[data-part]');
      if (!part || e.target.tagName !== 'TEXTAREA') return;
      clearTimeout(timers.get(part));
      timers.set(
        part,
        setTimeout(() => void update(part), 150),
      );
    });
    for (const part of partsOf()) if (part.querySelector('textarea').value.trim() !== '') void update(part);
    if (account) {
      account.addEventListener('change', () => {
        for (const author of chain.querySelectorAll('[data-preview-author]'))
          author.textContent = account.selectedOptions[0]?.textContent ?? '';
      });
    }
    // Images as X lays them out: 1 full, 2 side by side, 3 one tall and two, 4 in a square.
    partsBox.addEventListener('change', (e) => {
      const input = e.target.closest('input[type="file"]');
      const part = input?.closest('[data-part]');
      const media = part && postsOf()[partsOf().indexOf(part)]?.querySelector('[data-preview-media]');
      if (!media) return;
      // Read as data: URLs (the page's CSP allows images from 'self' and data: only).
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
})();
