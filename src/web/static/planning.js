// Planning pages' script: dragging a post to another day of the calendar (the same Move form the
// keyboard uses, with the day changed and the time kept).
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
})();
