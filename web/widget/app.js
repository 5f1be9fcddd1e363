// Resident chat widget, the page inside the iframe (/widget.html). It talks
// to its own origin only; the embedding page talks to it with postMessage
// (see /widget.js). Everything a person typed — residents, consultants, the
// bot's knowledge base — is written with textContent, never as markup.

import { ChatClient, compareIds } from './chat-client.js';
import * as i18n from './i18n.js';
import { buildTranscript, downloadText, localStamp } from './transcript.js';
import { setupAppointments } from './appointments.js';
import { setupReport } from './report.js';
import { initialLanguage as pageLanguage } from '../js/language.js';

const { t } = i18n;
const NS = 'centrala-widget';
const LANG_KEY = 'centrala.widget.lang';

const $ = (id) => document.getElementById(id);
const el = {
  boot: $('boot'),
  minimize: $('minimize'),
  startView: $('start-view'),
  startTitle: $('start-title'),
  startForm: $('start-form'),
  name: $('name'),
  topics: $('topics'),
  lang: $('lang'),
  startError: $('start-error'),
  startChat: $('start-chat'),
  startVideo: $('start-video'),
  startPjm: $('start-pjm'),
  startNotice: $('start-notice'),
  chatView: $('chat-view'),
  chatTitle: $('chat-title'),
  statusMain: $('status-main'),
  statusDetail: $('status-detail'),
  connStatus: $('conn-status'),
  scroller: $('scroller'),
  logRegion: $('log-region'),
  log: $('log'),
  pending: $('pending'),
  typing: $('typing'),
  composerArea: $('composer-area'),
  handoff: $('handoff'),
  composer: $('composer'),
  message: $('message'),
  chatError: $('chat-error'),
  flowStatus: $('flow-status'),
  closedPanel: $('closed-panel'),
  closedTitle: $('closed-title'),
  ratingForm: $('rating-form'),
  scores: $('scores'),
  ratingComment: $('rating-comment'),
  ratingError: $('rating-error'),
  ratingSubmit: $('rating-submit'),
  ratingResult: $('rating-result'),
  newChat: $('new-chat'),
  transcript: $('transcript'),
  endChat: $('end-chat'),
  endConfirm: $('end-confirm'),
  endQuestion: $('end-question'),
  endYes: $('end-yes'),
  endNo: $('end-no'),
};

// ---- embedding ---------------------------------------------------------------

const params = new URLSearchParams(location.search);
const embedded = params.get('embed') === '1' && window.parent !== window;
const hostOrigin = (() => {
  try {
    const o = new URL(params.get('origin') || '').origin;
    return o && o !== 'null' ? o : '*';
  } catch {
    return '*';
  }
})();
let panelOpen = !embedded;
let unread = 0;

function toHost(type, data = {}) {
  if (!embedded) return;
  try {
    window.parent.postMessage({ ns: NS, type, ...data }, hostOrigin);
  } catch {
    // the host page went away
  }
}

window.addEventListener('message', (e) => {
  if (!embedded || e.source !== window.parent) return;
  const d = e.data;
  if (!d || typeof d !== 'object' || d.ns !== NS) return;
  if (d.type === 'open') {
    panelOpen = true;
    setUnread(0);
    focusView();
  } else if (d.type === 'hidden') {
    panelOpen = false;
  }
});

function setUnread(n) {
  unread = n;
  toHost('unread', { count: unread });
}

function reportActive() {
  toHost('active', { active: client.hasChat() && client.state !== 'closed' });
}

// ---- state -------------------------------------------------------------------

const client = new ChatClient();
const messages = []; // sorted by id
const rows = new Map(); // id -> <li>
let view = 'boot';
let agentName = '';
let queue = null;
let typingTimer = null;
let connTimer = null;
let wasOffline = false;
// "Talk to a consultant" asked for before the socket is up (just after
// "start", or during a reconnect): held and sent once the chat is online.
let handoffRequested = false;

// A conversation going on keeps the language it was started in (the advisor
// answers in it); otherwise the pages' one rule (js/language.js).
function initialLanguage() {
  if (client.lang && i18n.LANGUAGES.includes(client.lang)) return client.lang;
  return pageLanguage(LANG_KEY);
}

function showView(name) {
  view = name;
  el.boot.hidden = true;
  el.startView.hidden = name !== 'start';
  el.chatView.hidden = name !== 'chat';
  document.getElementById('appt-view').hidden = name !== 'appointments';
}

// Where the reading position goes when the panel opens or the view changes.
function focusView() {
  if (view === 'start') el.startTitle.focus();
  else if (view === 'chat') {
    if (!el.composerArea.hidden && !el.message.disabled) el.message.focus();
    else if (!el.closedPanel.hidden) el.closedTitle.focus();
    else el.chatTitle.focus();
  }
}

// ---- start screen ------------------------------------------------------------

function buildStartForm() {
  for (const topic of i18n.TOPICS) {
    const id = `topic-${topic}`;
    const wrap = document.createElement('div');
    wrap.className = 'w-choice';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'topic';
    input.value = topic;
    input.id = id;
    input.className = 'w-choice__input';
    const label = document.createElement('label');
    label.htmlFor = id;
    label.className = 'w-choice__label';
    i18n.translate(label, `topic.${topic}`);
    wrap.append(input, label);
    el.topics.append(wrap);
  }
  for (let score = 1; score <= 5; score++) {
    const id = `score-${score}`;
    const wrap = document.createElement('div');
    wrap.className = 'w-score';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'score';
    input.value = String(score);
    input.id = id;
    input.className = 'w-score__input';
    // The number is what shows; the words ("5 — bardzo dobrze") are read.
    const label = document.createElement('label');
    label.htmlFor = id;
    label.className = 'w-score__label';
    const number = document.createElement('span');
    number.setAttribute('aria-hidden', 'true');
    number.textContent = String(score);
    const words = document.createElement('span');
    words.className = 'visually-hidden';
    i18n.translate(words, `rating.score${score}`);
    label.append(number, words);
    wrap.append(input, label);
    el.scores.append(wrap);
  }
}

function showStart({ notice } = {}) {
  showView('start');
  el.startError.textContent = '';
  if (notice) i18n.translate(el.startNotice, notice);
  else el.startNotice.textContent = '';
  el.startChat.disabled = false;
  el.lang.value = i18n.language();
  reportActive();
}

el.lang.addEventListener('change', () => {
  i18n.setLanguage(el.lang.value);
  toHost('language', { lang: i18n.language() });
  try {
    localStorage.setItem(LANG_KEY, el.lang.value);
  } catch {
    // storage disabled
  }
});

el.startVideo.addEventListener('click', () => i18n.translate(el.startNotice, 'start.videoSoon'));
el.startPjm.addEventListener('click', () => i18n.translate(el.startNotice, 'start.pjmSoon'));

el.startForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (el.startChat.disabled) return;
  el.startChat.disabled = true;
  el.startError.textContent = '';
  i18n.translate(el.startNotice, 'start.creating');
  const topic = el.startForm.querySelector('input[name="topic"]:checked')?.value || null;
  try {
    await client.create({ name: el.name.value.trim() || null, topic, lang: i18n.language() });
  } catch (err) {
    el.startNotice.textContent = '';
    i18n.translate(el.startError, errorKey(err.code));
    el.startChat.disabled = false;
    return;
  }
  el.startNotice.textContent = '';
  resetConversation();
  showChat();
  el.message.focus();
});

function errorKey(code) {
  const key = `error.${code}`;
  return i18n.has(key) ? key : 'error.unknown';
}

// ---- conversation --------------------------------------------------------------

function resetConversation() {
  messages.length = 0;
  rows.clear();
  el.log.replaceChildren();
  el.pending.replaceChildren();
  el.logRegion.setAttribute('aria-live', 'polite');
  agentName = '';
  queue = null;
  handoffRequested = false;
  el.typing.textContent = '';
  el.chatError.textContent = '';
  el.ratingResult.textContent = '';
  el.ratingError.textContent = '';
  el.ratingForm.reset();
  el.ratingSubmit.disabled = false;
  el.message.value = '';
  hideEndConfirm();
}

function showChat() {
  showView('chat');
  renderState();
  renderPending(client.outbox());
  reportActive();
}

function authorKey(m) {
  switch (m.kind) {
    case 'resident':
      return 'author.you';
    case 'bot':
      return 'author.bot';
    case 'agent':
      return m.name ? null : 'author.agent';
    default:
      return 'author.system';
  }
}

function authorText(m) {
  const key = authorKey(m);
  return key ? t(key) : m.name;
}

function timeFormat() {
  return new Intl.DateTimeFormat(i18n.language(), { hour: '2-digit', minute: '2-digit' });
}

function renderMessage(m) {
  const li = document.createElement('li');
  li.className = `w-msg w-msg--${['resident', 'bot', 'agent', 'system'].includes(m.kind) ? m.kind : 'system'}`;
  li.dataset.id = m.id;

  const meta = document.createElement('p');
  meta.className = 'w-msg__meta';
  const author = document.createElement('span');
  author.className = 'w-msg__author';
  const key = authorKey(m);
  if (key) i18n.translate(author, key);
  else author.textContent = m.name;
  const sep = document.createElement('span');
  sep.className = 'visually-hidden';
  sep.textContent = ', ';
  const time = document.createElement('time');
  time.className = 'w-msg__time';
  const created = new Date(m.createdAt);
  if (!Number.isNaN(created.getTime())) {
    time.dateTime = m.createdAt;
    time.textContent = timeFormat().format(created);
    time.title = localStamp(created);
  }
  const colon = document.createElement('span');
  colon.className = 'visually-hidden';
  colon.textContent = ': ';
  meta.append(author, sep, time, colon);

  const text = document.createElement('p');
  text.className = 'w-msg__text';
  text.textContent = m.text;
  li.append(meta, text);

  if (m.buttons.length) {
    const group = document.createElement('div');
    group.className = 'w-msg__choices';
    for (const b of m.buttons) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'w-button w-button--choice';
      button.textContent = typeof b.label === 'string' && b.label ? b.label : b.value;
      button.dataset.value = b.value;
      button.addEventListener('click', () => onChoice(b.value));
      group.append(button);
    }
    li.append(group);
  }
  const links = (m.links || []).map(linkElement).filter(Boolean);
  if (links.length) {
    const list = document.createElement('p');
    list.className = 'w-msg__links';
    list.append(...links);
    li.append(list);
  }
  return li;
}

// The advisor's links (booking, reporting, gov.pl) open in a new tab; only web addresses.
function linkElement(l) {
  let url;
  try {
    url = new URL(l.url, location.origin);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const a = document.createElement('a');
  a.className = 'w-msg__link';
  a.href = url.href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  a.textContent = l.label;
  // The booking link of this server opens the booking view right here.
  if (url.origin === location.origin && url.pathname === '/wizyta') {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      document.getElementById('start-appointment').click();
    });
  }
  // The report link starts the advisor's report in this chat.
  if (url.origin === location.origin && url.pathname === '/zgloszenie') {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      startReport();
    });
  }
  return a;
}

// The message list scrolls on its own, except in a very short panel, where
// the whole view scrolls (see widget.css).
function scrollBox() {
  const s = el.scroller;
  return s.scrollHeight > s.clientHeight + 1 ? s : document.getElementById('main');
}

function nearBottom() {
  const s = scrollBox();
  return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
}

function scrollToEnd() {
  for (const s of [el.scroller, document.getElementById('main')]) s.scrollTop = s.scrollHeight;
}

function addMessage(m, live) {
  if (rows.has(m.id)) return;
  const stick = nearBottom() || !live;
  const li = renderMessage(m);
  // Keep id order even when a fetched page and live frames interleave.
  let i = messages.length;
  while (i > 0 && compareIds(messages[i - 1].id, m.id) > 0) i--;
  messages.splice(i, 0, m);
  const next = messages[i + 1];
  if (next) el.log.insertBefore(li, rows.get(next.id));
  else el.log.append(li);
  rows.set(m.id, li);
  if (m.kind === 'agent') {
    // After a reload there is no agent_joined: the name comes from the messages.
    if (m.name && m.name !== agentName) {
      agentName = m.name;
      if (client.state === 'active') renderState();
    }
    clearTyping();
  }
  updateChoices();
  if (stick) scrollToEnd();
}

function renderPending(entries) {
  const online = client.status === 'online';
  el.pending.replaceChildren();
  for (const e of entries) {
    const li = document.createElement('li');
    li.className = 'w-msg w-msg--resident w-msg--pending';
    const meta = document.createElement('p');
    meta.className = 'w-msg__meta';
    const author = document.createElement('span');
    author.className = 'w-msg__author';
    i18n.translate(author, 'author.you');
    const status = document.createElement('span');
    status.className = 'w-msg__status';
    if (e.failed) {
      li.classList.add('w-msg--failed');
      i18n.translate(status, 'chat.failed', { reason: t(errorKey(e.failed)) });
    } else {
      i18n.translate(status, online ? 'chat.sending' : 'chat.queuedOffline');
    }
    const sep = document.createElement('span');
    sep.className = 'visually-hidden';
    sep.textContent = ', ';
    meta.append(author, sep, status);
    const text = document.createElement('p');
    text.className = 'w-msg__text';
    text.textContent = e.text;
    li.append(meta, text);
    if (e.failed) {
      const dismiss = document.createElement('button');
      dismiss.type = 'button';
      dismiss.className = 'w-link-button';
      i18n.translate(dismiss, 'chat.dismiss');
      dismiss.addEventListener('click', () => {
        client.dismiss(e.cmid);
        el.message.focus();
      });
      li.append(dismiss);
    }
    el.pending.append(li);
  }
}

// In line, the advisor's offer of a call back (and its questions) still answers.
function choiceOpen(value) {
  return client.state === 'bot' || (client.state === 'waiting' && /^callback(:|$)/.test(value || ''));
}

function updateChoices() {
  for (const b of el.log.querySelectorAll('.w-button--choice')) b.disabled = !choiceOpen(b.dataset.value);
}

function setStatusText(mainKey, mainParams, detailKey, detailParams) {
  if (mainKey) i18n.translate(el.statusMain, mainKey, mainParams);
  else el.statusMain.textContent = '';
  if (detailKey) i18n.translate(el.statusDetail, detailKey, detailParams);
  else el.statusDetail.textContent = '';
}

function renderState() {
  const state = client.state;
  const closed = state === 'closed';
  el.handoff.hidden = state !== 'bot';
  el.handoff.disabled = handoffRequested;
  if (state === 'waiting') {
    const pos = queue?.position || 0;
    const ewt = queue?.ewt_seconds || 0;
    const main = pos > 1 ? ['chat.queue', { position: pos }] : pos === 1 ? ['chat.queueFirst'] : ['chat.waiting'];
    // No estimate (0) says nothing rather than promising a quick answer.
    const detail = ewt >= 30 ? ['chat.ewt', { wait: i18n.formatDuration(ewt) }] : ewt > 0 ? ['chat.ewtShort'] : [null];
    setStatusText(main[0], main[1], detail[0], detail[1]);
  } else if (state === 'active') {
    if (agentName) setStatusText('chat.agentJoined', { name: agentName });
    else setStatusText('chat.agentJoinedNoName');
  } else if (state === 'bot') {
    setStatusText('chat.bot');
  } else if (closed) {
    setStatusText('chat.closed');
  } else {
    setStatusText(null);
  }
  el.statusMain.parentElement.classList.toggle('w-status__chat--waiting', state === 'waiting');

  const hadFocus = el.composerArea.contains(document.activeElement) || el.endConfirm.contains(document.activeElement);
  el.composerArea.hidden = closed;
  el.endChat.hidden = closed;
  if (closed) hideEndConfirm();
  el.message.disabled = closed;
  el.closedPanel.hidden = !closed;
  if (closed) {
    clearTyping();
    renderRating();
    if (hadFocus) el.closedTitle.focus();
    else scrollToEnd();
  }
  updateChoices();
}

function renderRating() {
  if (client.erased) {
    el.ratingForm.hidden = true;
    i18n.translate(el.ratingResult, 'rating.erased');
  } else if (client.rated) {
    el.ratingForm.hidden = true;
    if (!el.ratingResult.textContent) i18n.translate(el.ratingResult, 'rating.already');
  } else {
    el.ratingForm.hidden = false;
  }
}

function clearTyping() {
  clearTimeout(typingTimer);
  el.typing.textContent = '';
}

function onChoice(value) {
  if (!choiceOpen(value)) return;
  // Sharing the location and picking a photo happen in the browser.
  if (report.choice(value)) return;
  if (!client.button(value)) {
    i18n.translate(el.chatError, 'chat.offlineAction');
    return;
  }
  el.chatError.textContent = '';
  if (value === 'handoff') i18n.translate(el.statusMain, 'chat.handoffRequested');
  el.message.focus();
}

function sendHandoffRequest() {
  if (!handoffRequested || client.status !== 'online' || !client.state) return;
  handoffRequested = false;
  if (client.state === 'bot' && !client.handoff()) i18n.translate(el.chatError, 'chat.offlineAction');
}

el.handoff.addEventListener('click', () => {
  if (!client.handoff()) {
    if (!client.hasChat() || client.state !== 'bot') {
      i18n.translate(el.chatError, 'chat.offlineAction');
      return;
    }
    handoffRequested = true;
  }
  el.chatError.textContent = '';
  el.handoff.disabled = true;
  i18n.translate(el.statusMain, 'chat.handoffRequested');
  el.message.focus();
});

el.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = el.message.value;
  if (!text.trim()) {
    i18n.translate(el.chatError, 'error.empty_message');
    el.message.focus();
    return;
  }
  if (client.state === 'closed') return;
  if (client.sendMessage(text)) {
    el.message.value = '';
    el.chatError.textContent = '';
    scrollToEnd();
  }
  el.message.focus();
});

el.message.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    el.composer.requestSubmit();
  }
});

el.message.addEventListener('input', () => {
  if (el.message.value) client.typing();
  if (el.chatError.textContent && el.chatError.dataset.i18n === 'error.empty_message') el.chatError.textContent = '';
});

el.ratingForm.addEventListener('submit', (e) => {
  e.preventDefault();
  if (el.ratingSubmit.disabled) return;
  const score = Number(el.ratingForm.querySelector('input[name="score"]:checked')?.value || 0);
  if (!score) {
    i18n.translate(el.ratingError, 'rating.pickScore');
    el.scores.querySelector('input')?.focus();
    return;
  }
  el.ratingError.textContent = '';
  el.ratingSubmit.disabled = true;
  i18n.translate(el.ratingResult, 'rating.sending');
  client.rate(score, el.ratingComment.value.trim());
});

el.newChat.addEventListener('click', () => {
  client.forget();
  resetConversation();
  showStart();
  el.startTitle.focus();
});

el.transcript.addEventListener('click', () => {
  const id = client.chatId || '';
  const head = [t('transcript.heading'), t('transcript.chat', { id }), t('transcript.saved', { time: localStamp(new Date()) })];
  downloadText(buildTranscript(messages, { head, label: authorText }), t('transcript.file', { id }));
});

// Ending the chat: the question opens in place and takes the focus; "No" or
// Escape closes it and gives the focus back to "End chat".
function hideEndConfirm() {
  el.endConfirm.hidden = true;
  el.endChat.setAttribute('aria-expanded', 'false');
  el.endYes.disabled = false;
}

el.endChat.addEventListener('click', () => {
  if (client.state === 'closed') return;
  el.endConfirm.hidden = false;
  el.endChat.setAttribute('aria-expanded', 'true');
  el.endQuestion.focus();
});

el.endNo.addEventListener('click', () => {
  hideEndConfirm();
  el.endChat.focus();
});

el.endConfirm.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape') return;
  e.preventDefault(); // not the panel's Escape
  hideEndConfirm();
  el.endChat.focus();
});

el.endYes.addEventListener('click', async () => {
  if (el.endYes.disabled) return;
  el.endYes.disabled = true;
  el.chatError.textContent = '';
  i18n.translate(el.connStatus, 'chat.ending');
  const result = await client.end();
  el.connStatus.textContent = '';
  if (result.ok) {
    // The state event has shown the closed panel; the reading position goes there.
    el.closedTitle.focus();
    return;
  }
  el.endYes.disabled = false;
  i18n.translate(el.chatError, result.code === 'network' ? 'chat.offlineAction' : errorKey(result.code));
  el.endQuestion.focus();
});

el.minimize.addEventListener('click', () => toHost('minimize'));

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && embedded && !e.defaultPrevented) toHost('minimize');
});

// ---- the report (/zgloszenie) ---------------------------------------------------

const report = setupReport({ client, status: el.flowStatus, error: el.chatError });
let reportRequested = false;

// Starts the advisor's report: in the chat that is open (when the advisor
// has it), else in a new chat about a report.
async function startReport() {
  if (client.hasChat() && client.state !== 'closed') {
    if (view !== 'chat') showChat();
    reportRequested = true;
    sendReportRequest();
    return;
  }
  if (client.hasChat()) client.forget();
  resetConversation();
  showView('chat');
  try {
    await client.create({ name: null, topic: 'report', lang: i18n.language() });
  } catch (err) {
    showStart();
    i18n.translate(el.startError, errorKey(err.code));
    return;
  }
  showChat();
  reportRequested = true;
  sendReportRequest();
}

// The `report` button once the chat is connected and still with the advisor.
function sendReportRequest() {
  if (!reportRequested || client.status !== 'online' || !client.state) return;
  reportRequested = false;
  if (client.state === 'bot') client.button('report');
}

// ---- client events -------------------------------------------------------------

client.addEventListener('message', (e) => {
  const { message, live } = e.detail;
  addMessage(message, live);
  if (live && embedded && !panelOpen && message.kind !== 'resident') setUnread(unread + 1);
});

client.addEventListener('outbox', (e) => renderPending(e.detail.entries));

client.addEventListener('state', (e) => {
  sendReportRequest();
  sendHandoffRequest();
  if (e.detail.state === 'waiting' || e.detail.state === 'active') el.chatError.textContent = '';
  renderState();
  reportActive();
});

client.addEventListener('queue', (e) => {
  queue = e.detail;
  renderState();
});

client.addEventListener('agent_joined', (e) => {
  if (e.detail.name) agentName = e.detail.name;
  renderState();
});

client.addEventListener('typing', () => {
  if (client.state === 'closed') return;
  if (!el.typing.textContent) {
    const stick = nearBottom();
    i18n.translate(el.typing, 'chat.typing');
    if (stick) scrollToEnd();
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(clearTyping, 6000);
});

client.addEventListener('rating_request', () => renderRating());

client.addEventListener('rating', (e) => {
  const { status, code } = e.detail;
  if (status === 'sent' || status === 'already') {
    el.ratingForm.hidden = true;
    i18n.translate(el.ratingResult, status === 'sent' ? 'rating.thanks' : 'rating.already');
    el.ratingResult.focus();
  } else {
    el.ratingResult.textContent = '';
    el.ratingSubmit.disabled = false;
    i18n.translate(el.ratingError, errorKey(code));
  }
});

client.addEventListener('connection', (e) => {
  const { status } = e.detail;
  sendReportRequest();
  sendHandoffRequest();
  clearTimeout(connTimer);
  if (status === 'online') {
    if (wasOffline) {
      i18n.translate(el.connStatus, 'chat.backOnline');
      connTimer = setTimeout(() => (el.connStatus.textContent = ''), 4000);
    } else {
      el.connStatus.textContent = '';
    }
    wasOffline = false;
  } else if (status === 'offline') {
    if (!wasOffline && view === 'chat') i18n.translate(el.connStatus, 'conn.offline');
    wasOffline = true;
  } else if (status === 'connecting' && !wasOffline) {
    // Only say so if it takes a while.
    connTimer = setTimeout(() => i18n.translate(el.connStatus, 'conn.connecting'), 1500);
  }
  el.connStatus.classList.toggle('w-status__conn--offline', wasOffline);
  renderPending(client.outbox());
});

// Errors not tied to one message: a refused handoff (queue_closed,
// queue_full — the bot explains too), rate limits, a closed chat.
client.addEventListener('notice', (e) => {
  const key = `error.${e.detail.code}`;
  if (i18n.has(key)) i18n.translate(el.chatError, key);
  renderState(); // undoes "a consultant has been requested"
});

client.addEventListener('lost', () => {
  client.forget();
  resetConversation();
  showStart({ notice: 'chat.lost' });
});

// ---- start -----------------------------------------------------------------------

function boot() {
  buildStartForm();
  setupAppointments({ open: () => showView('appointments'), close: () => showStart() });
  i18n.setLanguage(initialLanguage());
  el.minimize.hidden = !embedded;
  document.documentElement.classList.toggle('w-embedded', embedded);
  if (client.hasChat()) {
    // The history shown again after a reload is not news: it is put in place
    // quietly, and announcements start with what comes after it.
    el.logRegion.setAttribute('aria-live', 'off');
    client.addEventListener('synced', () => el.logRegion.setAttribute('aria-live', 'polite'), { once: true });
    showChat();
    client.start();
  } else {
    showStart();
  }
  // /wizyta (the advisor's booking link) opens the widget on its booking view.
  if (params.get('view') === 'appointments') document.getElementById('start-appointment').click();
  // /zgloszenie (the advisor's report link) opens the widget with the report started.
  if (params.get('view') === 'report') startReport();
  toHost('ready', { lang: i18n.language() });
  reportActive();
}

boot();
