// Canned responses in the composer: the consultant searches the templates of
// this chat's queue and language and puts one into the reply box, where it
// can be edited before sending. Templates are written with textContent and
// inserted as plain text; {agent} becomes the consultant's name.

import { api } from './api.js';
import { errorMessage } from './errors.js';
import { addStrings, clearTranslated, translate } from './i18n.js';

addStrings({
  pl: {
    'canned.open': 'Szablony',
    'canned.heading': 'Szablony odpowiedzi',
    'canned.search': 'Szukaj szablonu',
    'canned.none': 'Brak pasujących szablonów.',
    'canned.loading': 'Wyszukiwanie…',
    'canned.inserted': 'Wstawiono szablon „{title}”. Możesz go poprawić przed wysłaniem.',
    'canned.general': 'wszystkie kolejki',
    'canned.count': 'Znaleziono: {n}',
  },
  en: {
    'canned.open': 'Templates',
    'canned.heading': 'Canned responses',
    'canned.search': 'Search templates',
    'canned.none': 'No matching templates.',
    'canned.loading': 'Searching…',
    'canned.inserted': 'Template “{title}” inserted. You can edit it before sending.',
    'canned.general': 'all queues',
    'canned.count': 'Found: {n}',
  },
  uk: {
    'canned.open': 'Шаблони',
    'canned.heading': 'Шаблони відповідей',
    'canned.search': 'Пошук шаблону',
    'canned.none': 'Немає відповідних шаблонів.',
    'canned.loading': 'Пошук…',
    'canned.inserted': 'Шаблон «{title}» вставлено. Його можна змінити перед надсиланням.',
    'canned.general': 'усі черги',
    'canned.count': 'Знайдено: {n}',
  },
});

const SEARCH_DELAY_MS = 150;

// Mounts the picker into `container` for one chat. `context()` gives
// {queue, lang} of the chat now; `textarea` receives the text; `announce`
// (key, params) speaks to screen readers; `agentName` fills {agent}.
export function attachCannedPicker({ container, textarea, context, agentName, announce, idPrefix }) {
  const details = document.createElement('details');
  details.className = 'canned';
  const summary = document.createElement('summary');
  summary.className = 'canned__summary';
  translate(summary, 'canned.open');
  const panel = document.createElement('div');
  panel.className = 'canned__panel';
  const heading = document.createElement('p');
  heading.className = 'canned__heading';
  translate(heading, 'canned.heading');
  const label = document.createElement('label');
  label.className = 'field__label';
  translate(label, 'canned.search');
  const input = document.createElement('input');
  input.type = 'search';
  input.className = 'field__input canned__search';
  input.id = `${idPrefix}-canned-search`;
  input.autocomplete = 'off';
  input.maxLength = 200;
  label.htmlFor = input.id;
  const status = document.createElement('p');
  status.className = 'canned__status';
  status.setAttribute('role', 'status');
  const list = document.createElement('ul');
  list.className = 'canned__list';
  list.id = `${idPrefix}-canned-list`;
  input.setAttribute('aria-controls', list.id);
  panel.append(heading, label, input, status, list);
  details.append(summary, panel);
  container.append(details);

  let timer = null;
  let generation = 0;

  async function search() {
    const gen = ++generation;
    const { queue, lang } = context();
    const params = new URLSearchParams({ limit: '20' });
    if (queue) params.set('queue', queue);
    if (lang) params.set('lang', lang);
    if (input.value.trim()) params.set('q', input.value.trim());
    translate(status, 'canned.loading');
    try {
      const res = await api.get(`/api/v1/canned-responses?${params}`);
      if (gen !== generation) return;
      render(res.items || []);
    } catch (err) {
      if (gen !== generation) return;
      list.replaceChildren();
      const msg = errorMessage(err);
      translate(status, msg.key, msg.params);
    }
  }

  function render(items) {
    list.replaceChildren();
    if (!items.length) {
      translate(status, 'canned.none');
      return;
    }
    translate(status, 'canned.count', { n: items.length });
    for (const item of items) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'canned__item';
      const title = document.createElement('span');
      title.className = 'canned__title';
      title.textContent = item.title;
      const meta = document.createElement('span');
      meta.className = 'canned__meta';
      if (item.shortcut) meta.textContent = `/${item.shortcut} · `;
      const scope = document.createElement('span');
      if (item.queue) scope.textContent = item.queue;
      else translate(scope, 'canned.general');
      meta.append(scope);
      const body = document.createElement('span');
      body.className = 'canned__body';
      body.textContent = item.body;
      button.append(title, meta, body);
      button.addEventListener('click', () => insert(item));
      li.append(button);
      list.append(li);
    }
  }

  function insert(item) {
    const text = item.body.replaceAll('{agent}', agentName());
    const start = textarea.selectionStart ?? textarea.value.length;
    const end = textarea.selectionEnd ?? textarea.value.length;
    textarea.setRangeText(text, start, end, 'end');
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    details.open = false;
    textarea.focus();
    announce?.('canned.inserted', { title: item.title });
  }

  details.addEventListener('toggle', () => {
    if (details.open) {
      input.value = '';
      search();
      input.focus();
    } else {
      clearTimeout(timer);
      clearTranslated(status);
    }
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, SEARCH_DELAY_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      const first = list.querySelector('button');
      if (first) {
        e.preventDefault();
        first.focus();
      }
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const first = list.querySelector('button');
      if (first) first.click();
    }
  });
  list.addEventListener('keydown', (e) => {
    const buttons = [...list.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === 'ArrowDown' && i < buttons.length - 1) {
      e.preventDefault();
      buttons[i + 1].focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      (i > 0 ? buttons[i - 1] : input).focus();
    }
  });
  details.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && details.open) {
      e.preventDefault();
      e.stopPropagation();
      details.open = false;
      textarea.focus();
    }
  });

  return {
    open() {
      details.open = true;
    },
    destroy() {
      clearTimeout(timer);
      generation++;
    },
  };
}
