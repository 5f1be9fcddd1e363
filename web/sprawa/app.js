// The resident's case status page (/sprawa): number + access key ->
// GET /api/v1/public/tickets/{number}?key= -> status, due date and the
// office's public replies and the files staff made visible to the resident. The number and key may come in the address
// (?numer=&klucz=) from a link; the key is then removed from the address bar.
// Everything from the server is written with textContent.

import { applyTranslations, clear, language, onLanguageChange, setLanguage, translate } from './i18n.js';

const $ = (id) => document.getElementById(id);
let last = null;
let lastKey = '';

function formatDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(language(), { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Warsaw' }).format(d);
}

function render(ticket) {
  last = ticket;
  translate($('result-title'), 'result.title', { number: ticket.number });
  $('result-subject').textContent = ticket.subject;
  translate($('result-status'), `status.${ticket.status}`);
  $('result-category').textContent = ticket.category_name;
  $('result-department').textContent = ticket.department_name;
  $('result-created').textContent = formatDate(ticket.created_at);
  $('result-due').textContent = formatDate(ticket.due_at);
  const list = $('result-comments');
  list.replaceChildren();
  for (const c of ticket.comments) {
    const li = document.createElement('li');
    const when = document.createElement('time');
    when.dateTime = c.created_at;
    when.textContent = formatDate(c.created_at);
    const body = document.createElement('p');
    body.textContent = c.body;
    li.append(when, body);
    list.append(li);
  }
  $('result-no-comments').hidden = ticket.comments.length > 0;
  // Public attachments: downloads through the same number and key.
  const files = $('result-attachments');
  files.replaceChildren();
  for (const a of ticket.attachments || []) {
    const link = document.createElement('a');
    link.href = `/api/v1/public/tickets/${encodeURIComponent(ticket.number)}/attachments/${encodeURIComponent(a.id)}?key=${encodeURIComponent(lastKey)}`;
    link.download = a.file_name;
    link.textContent = a.file_name;
    const li = document.createElement('li');
    li.append(link);
    files.append(li);
  }
  files.hidden = $('result-attachments-title').hidden = files.children.length === 0;
  $('result').hidden = false;
}

async function lookup(number, key) {
  const error = $('lookup-error');
  clear(error);
  if (!number || !key) return translate(error, 'error.missing');
  const button = $('lookup-form').querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const res = await fetch(`/api/v1/public/tickets/${encodeURIComponent(number)}?key=${encodeURIComponent(key)}`, {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
    });
    if (res.status === 200) {
      lastKey = key;
      render(await res.json());
      $('result').focus();
      return;
    }
    $('result').hidden = true;
    translate(error, res.status === 429 ? 'error.rateLimited' : 'error.notFound');
  } catch {
    translate(error, 'error.network');
  } finally {
    button.disabled = false;
  }
}

function init() {
  applyTranslations();
  for (const b of document.querySelectorAll('.lang-switcher__button')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === language()));
    b.addEventListener('click', () => {
      setLanguage(b.dataset.lang);
      for (const o of document.querySelectorAll('.lang-switcher__button'))
        o.setAttribute('aria-pressed', String(o.dataset.lang === language()));
    });
  }
  onLanguageChange(() => {
    if (last) render(last);
  });
  $('lookup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    lookup($('number').value.trim().toUpperCase(), $('key').value.trim());
  });
  const params = new URLSearchParams(window.location.search);
  const number = params.get('numer');
  const key = params.get('klucz');
  if (number) $('number').value = number;
  if (key) {
    $('key').value = key;
    // The key does not stay in the history or the address bar.
    window.history.replaceState(null, '', '/sprawa');
    lookup(number || '', key);
  }
}

init();
