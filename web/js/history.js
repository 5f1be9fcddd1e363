// The resident's earlier conversations, shown above a chat for the consultant
// serving it (GET /api/v1/contacts/{id}/history): when, what about, how it
// ended, who served, the rating — and the transcript on request; then the
// cases filed from the resident's conversations, each opening in the cases
// panel. Everything is written with textContent.

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
    'history.summaryWithCases': 'Wcześniejsze rozmowy ({n}) i sprawy ({m}) tego mieszkańca',
    'history.summaryCasesOnly': 'Sprawy tego mieszkańca ({m})',
    'history.cases': 'Sprawy z rozmów tego mieszkańca',
    'history.case.open': 'Otwórz sprawę {number}: {subject}',
    'history.case.facts': '{status} · {department} · założona {created}',
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
    'history.summaryWithCases': 'Earlier conversations ({n}) and cases ({m}) of this resident',
    'history.summaryCasesOnly': 'Cases of this resident ({m})',
    'history.cases': "Cases from this resident's conversations",
    'history.case.open': 'Open case {number}: {subject}',
    'history.case.facts': '{status} · {department} · opened {created}',
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
    'history.summaryWithCases': 'Попередні розмови ({n}) і справи ({m}) цього мешканця',
    'history.summaryCasesOnly': 'Справи цього мешканця ({m})',
    'history.cases': 'Справи з розмов цього мешканця',
    'history.case.open': 'Відкрити справу {number}: {subject}',
    'history.case.facts': '{status} · {department} · відкрита {created}',
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

// The cases filed from the resident's conversations (newest first, as the
// server sends them); a case opens in the cases panel through `openCase`.
// Status names are the cases panel's strings (tickets.js).
function renderCases(cases, { casesHeading, casesList, openCase }) {
  casesList.replaceChildren();
  for (const c of cases) {
    const li = document.createElement('li');
    li.className = 'chat-history__case';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button--small chat-history__case-open';
    translate(button, 'history.case.open', { number: c.number, subject: c.subject });
    button.dataset.caseId = c.id;
    button.addEventListener('click', () => openCase?.(c.id));
    const facts = translated('p', 'chat-history__facts', 'history.case.facts', {
      status: { key: `tickets.status.${c.status}` },
      department: c.department_name || c.department,
      created: when(c.created_at),
    });
    li.append(button, facts);
    casesList.append(li);
  }
  translate(casesHeading, 'history.cases');
  casesHeading.hidden = casesList.hidden = !cases.length;
}

// Fills `box` (a <details> with refs summary, list and the cases' heading and
// list) for a contact; leaves it hidden when the resident has no earlier
// conversations and no cases, or it cannot be read.
export async function loadHistory(contactId, { box, summary, list, casesHeading, casesList, idPrefix, openCase }) {
  let res;
  try {
    res = await api.get(`/api/v1/contacts/${enc(contactId)}/history?limit=20`);
  } catch {
    return;
  }
  const items = res.items || [];
  const cases = res.cases || [];
  if (!items.length && !cases.length) return;
  if (!cases.length) translate(summary, 'history.summary', { n: items.length });
  else if (!items.length) translate(summary, 'history.summaryCasesOnly', { m: cases.length });
  else translate(summary, 'history.summaryWithCases', { n: items.length, m: cases.length });
  renderCases(cases, { casesHeading, casesList, openCase });
  list.hidden = !items.length;
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
