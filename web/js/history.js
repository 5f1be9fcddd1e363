// The resident's earlier conversations, shown above a chat for the consultant
// serving it (GET /api/v1/contacts/{id}/history): when, what about, how it
// ended, who served, the rating — and the transcript on request. Everything
// is written with textContent.

import { api } from './api.js';
import * as catalog from './catalog.js';
import { errorMessage } from './errors.js';
import { addStrings, language, translate } from './i18n.js';

addStrings({
  pl: {
    'history.summary': 'Wcześniejsze rozmowy tego mieszkańca ({n})',
    'history.show': 'Pokaż rozmowę',
    'history.hide': 'Ukryj rozmowę',
    'history.servedBy': 'Obsługa: {names}',
    'history.rating': 'Ocena: {score}/5',
    'history.state.closed': 'zakończona',
    'history.state.abandoned': 'porzucona',
    'history.state.open': 'w toku',
    'history.resident': 'Mieszkaniec',
    'history.bot': 'Asystent',
    'history.system': 'System',
    'history.empty': 'Brak wiadomości.',
  },
  en: {
    'history.summary': 'Earlier conversations of this resident ({n})',
    'history.show': 'Show conversation',
    'history.hide': 'Hide conversation',
    'history.servedBy': 'Served by: {names}',
    'history.rating': 'Rating: {score}/5',
    'history.state.closed': 'closed',
    'history.state.abandoned': 'abandoned',
    'history.state.open': 'in progress',
    'history.resident': 'Resident',
    'history.bot': 'Assistant',
    'history.system': 'System',
    'history.empty': 'No messages.',
  },
  uk: {
    'history.summary': 'Попередні розмови цього мешканця ({n})',
    'history.show': 'Показати розмову',
    'history.hide': 'Сховати розмову',
    'history.servedBy': 'Обслуговували: {names}',
    'history.rating': 'Оцінка: {score}/5',
    'history.state.closed': 'завершена',
    'history.state.abandoned': 'покинута',
    'history.state.open': 'триває',
    'history.resident': 'Мешканець',
    'history.bot': 'Асистент',
    'history.system': 'Система',
    'history.empty': 'Немає повідомлень.',
  },
});

const enc = encodeURIComponent;

function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

function stateKey(state) {
  if (state === 'closed') return 'history.state.closed';
  if (state === 'abandoned') return 'history.state.abandoned';
  return 'history.state.open';
}

function span(className, text) {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

function translated(tag, className, key, params) {
  const el = document.createElement(tag);
  el.className = className;
  translate(el, key, params);
  return el;
}

async function showTranscript(item, box, button) {
  if (!box.hidden) {
    box.hidden = true;
    translate(button, 'history.show');
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  box.hidden = false;
  translate(button, 'history.hide');
  button.setAttribute('aria-expanded', 'true');
  if (box.dataset.loaded) return;
  try {
    const res = await api.get(`/api/v1/contacts/${enc(item.id)}/messages`);
    box.replaceChildren();
    const shown = (res.items || []).filter((m) => !m.internal);
    if (!shown.length) box.append(translated('li', 'chat-history__line', 'history.empty'));
    for (const m of shown) {
      const li = document.createElement('li');
      li.className = 'chat-history__line';
      const who = document.createElement('span');
      who.className = 'chat-history__who';
      const kind = m.author?.kind;
      if (kind === 'agent' && m.author?.name) who.textContent = m.author.name;
      else translate(who, kind === 'bot' ? 'history.bot' : kind === 'system' ? 'history.system' : 'history.resident');
      li.append(who, span('chat-history__text', m.text));
      box.append(li);
    }
    box.dataset.loaded = '1';
  } catch (err) {
    const msg = errorMessage(err);
    box.replaceChildren(translated('li', 'chat-history__line', msg.key, msg.params));
  }
}

// Fills `box` (a <details> with refs summary and list) for a contact; leaves it
// hidden when the resident has no earlier conversations or it cannot be read.
export async function loadHistory(contactId, { box, summary, list, idPrefix }) {
  let res;
  try {
    res = await api.get(`/api/v1/contacts/${enc(contactId)}/history?limit=20`);
  } catch {
    return;
  }
  const items = res.items || [];
  if (!items.length) return;
  translate(summary, 'history.summary', { n: items.length });
  list.replaceChildren();
  for (const item of items) {
    const li = document.createElement('li');
    li.className = 'chat-history__item';
    const head = document.createElement('p');
    head.className = 'chat-history__head';
    const topic = document.createElement('span');
    const key = catalog.topicKey(item.disposition || item.topic);
    if (key) translate(topic, key);
    else topic.textContent = item.disposition || item.topic || '';
    head.append(span('chat-history__when', when(item.created_at)), ' · ', topic, ' · ',
      translated('span', 'chat-history__state', stateKey(item.state)));
    li.append(head);
    const facts = document.createElement('p');
    facts.className = 'chat-history__facts';
    if (item.agents?.length) facts.append(translated('span', '', 'history.servedBy', { names: item.agents.join(', ') }));
    if (item.rating) facts.append(' ', translated('span', '', 'history.rating', { score: item.rating }));
    if (facts.childNodes.length) li.append(facts);
    if (item.close_note) li.append(span('chat-history__note', item.close_note));
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button--small chat-history__toggle';
    translate(button, 'history.show');
    const transcript = document.createElement('ol');
    transcript.className = 'chat-history__transcript';
    transcript.id = `${idPrefix}-history-${item.id}`;
    transcript.hidden = true;
    button.setAttribute('aria-controls', transcript.id);
    button.setAttribute('aria-expanded', 'false');
    button.addEventListener('click', () => showTranscript(item, transcript, button));
    li.append(button, transcript);
    list.append(li);
  }
  box.hidden = false;
}
